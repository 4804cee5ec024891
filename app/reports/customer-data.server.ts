import { recordAudit } from "../data/audit.server";
import { customerData } from "../data/compliance.server";
import { normalizeCustomerId, normalizeEmail, normalizePhone } from "../domain/identity";
import type { ErrorDetail } from "../domain/validation";

export type CustomerQuery = { email?: string | null; phone?: string | null; customer_id?: string | null };

/** The one identifier a data request names, normalised like attribution does; a problem per field otherwise. */
export function parseCustomerQuery(q: CustomerQuery):
  | {
      ok: true;
      by: "email" | "phone" | "customer_id";
      ref: { id: string | null; emailKey: string | null; phoneKey: string | null };
    }
  | { ok: false; details: ErrorDetail[] } {
  const given = (["email", "phone", "customer_id"] as const).filter((k) => (q[k] ?? "").trim() !== "");
  if (given.length !== 1) {
    return {
      ok: false,
      details: [
        { path: given.length ? given.join(",") : "email", message: "give exactly one of email, phone, customer_id" },
      ],
    };
  }
  const by = given[0]!;
  const raw = q[by]!.trim();
  // PostgreSQL text cannot hold NUL; nothing this long is an email, phone or customer id.
  if (raw.includes("\u0000") || raw.length > 320) {
    return { ok: false, details: [{ path: by, message: `is not a valid ${by.replace("_", " ")}` }] };
  }
  const key = by === "email" ? normalizeEmail(raw) : by === "phone" ? normalizePhone(raw) : normalizeCustomerId(raw);
  if (!key) return { ok: false, details: [{ path: by, message: `is not a valid ${by.replace("_", " ")}` }] };
  return {
    ok: true,
    by,
    ref: {
      id: by === "customer_id" ? key : null,
      emailKey: by === "email" ? key : null,
      phoneKey: by === "phone" ? key : null,
    },
  };
}

/**
 * A customer's data as one JSON document (answering a customers/data_request): orders with their attribution,
 * messages, message events. The export is recorded in the audit trail by kind of identifier and counts only.
 */
export async function exportCustomerData(
  shop: { id: bigint; domain: string },
  parsed: Extract<ReturnType<typeof parseCustomerQuery>, { ok: true }>,
  actor: string,
) {
  const data = await customerData(shop.id, parsed.ref);
  await recordAudit(shop.id, actor, "export.customer_data", {
    by: parsed.by,
    orders: data.orders.length,
    messages: data.messages.length,
    events: data.events.length,
  });
  const body = {
    shop: shop.domain,
    generated_at: new Date().toISOString(),
    customer: { [parsed.by]: parsed.ref.emailKey ?? parsed.ref.phoneKey ?? parsed.ref.id },
    ...data,
  };
  return {
    filename: `customer-data_${new Date().toISOString().slice(0, 10)}.json`,
    json: JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2),
  };
}
