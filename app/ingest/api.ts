/**
 * Bodies of the public API (docs/openapi.json "Public API"): `POST /api/v1/orders`, `POST /api/v1/orders/{id}/refunds`,
 * `POST /api/v1/events`. Pure validation + mapping onto the normalised records; every bad field is reported by
 * path (`events[3].occurred_at`), and a batch with any invalid item is invalid as a whole.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { CHANNELS, type Channel, type MessageEventInput, type OrderInput, type RefundInput } from "../domain/types";
import { type ErrorDetail, type Result, makeEvent } from "./common";
import { MAX_ID, MAX_TAGS, MAX_TEXT, MAX_URL, decimalPlaces, describe, parseId } from "./scalars";
import { field, runSchema, zBool, zCurrency, zId, zIsoDate, zMoney, zOptStr, zStr, zObject } from "./schema";
import { type JsonParseOptions, type JsonValue, isJsonObject, parseJson } from "./json";

export const MAX_ORDERS_PER_REQUEST = 1000;
export const MAX_EVENTS_PER_REQUEST = 5000;
export const MAX_REFUNDS_PER_ORDER = 250;
export const MAX_TRANSACTIONS_PER_REFUND = 100;
export const MAX_EMAIL = 320;
export const MAX_PHONE = 64;

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const transactionSchema = zObject({
  kind: zStr(32),
  status: zStr(32),
  amount: zMoney(),
  currency: zCurrency().nullish(),
});

const orderRefundSchema = zObject({
  id: zId(),
  created_at: zIsoDate(),
  transactions: z.array(transactionSchema).max(MAX_TRANSACTIONS_PER_REFUND).nullish(),
});

export const orderSchema = zObject({
  id: zId(),
  name: zOptStr(MAX_ID),
  processed_at: zIsoDate().nullish(),
  created_at: zIsoDate().nullish(),
  updated_at: zIsoDate().nullish(),
  cancelled_at: zIsoDate().nullish(),
  currency: zCurrency(),
  total_price: zMoney(),
  email: zOptStr(MAX_EMAIL),
  phone: zOptStr(MAX_PHONE),
  customer: zObject({ id: zId().nullish(), email: zOptStr(MAX_EMAIL), phone: zOptStr(MAX_PHONE) }).nullish(),
  test: zBool().nullish(),
  landing_site: zOptStr(MAX_URL),
  refunds: z.array(orderRefundSchema).max(MAX_REFUNDS_PER_ORDER).nullish(),
  checkout_token: zOptStr(MAX_ID),
});

const eventTypeSchema = field(
  (v, ctx): string => {
    if (v === undefined || v === null) {
      ctx.issues.push({ code: "custom", message: "is required", input: v });
      return z.NEVER;
    }
    if (typeof v !== "string") {
      ctx.issues.push({ code: "custom", message: `expected a string, received ${describe(v)}`, input: v });
      return z.NEVER;
    }
    const t = v.trim().toLowerCase();
    if (!/^[a-z_]{1,32}$/.test(t)) {
      ctx.issues.push({ code: "custom", message: "must be a word of 1 to 32 letters or underscores", input: v });
      return z.NEVER;
    }
    return t;
  },
  { type: "string", description: "sent, delivered, opened, clicked, held_out, or another word (stored only)" },
);

const channelSchema = field(
  (v, ctx): Channel => {
    if (typeof v === "string" && (CHANNELS as readonly string[]).includes(v)) return v as Channel;
    ctx.issues.push({
      code: "custom",
      message: v === undefined || v === null ? "is required" : `must be one of ${CHANNELS.join(", ")}`,
      input: v,
    });
    return z.NEVER;
  },
  { type: "string", enum: [...CHANNELS] },
);

export const eventSchema = zObject({
  id: zId().nullish(),
  type: eventTypeSchema,
  channel: channelSchema,
  occurred_at: zIsoDate(),
  campaign_id: zId(),
  campaign_name: zOptStr(MAX_TEXT),
  message_id: zId().nullish(),
  recipient: zObject({ email: zOptStr(MAX_EMAIL), phone: zOptStr(MAX_PHONE), customer_id: zId().nullish() }),
  tags: z.array(zStr(MAX_ID)).max(MAX_TAGS).nullish(),
  url: zOptStr(MAX_URL),
  machine: zBool().nullish(),
});

export const refundBodySchema = zObject({
  id: zId(),
  created_at: zIsoDate(),
  amount: zMoney(),
  currency: zCurrency().nullish(),
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function body(raw: string | Uint8Array, options?: JsonParseOptions): Result<{ value: JsonValue }> {
  const p = parseJson(raw, options);
  return p.ok ? { ok: true, value: p.value } : p;
}

function batch(value: JsonValue, key: "orders" | "events", max: number): Result<{ items: JsonValue[] }> {
  if (!isJsonObject(value))
    return { ok: false, errors: [{ path: "", message: `body must be a JSON object with "${key}"` }] };
  const items = value[key];
  if (items === undefined || items === null) return { ok: false, errors: [{ path: key, message: "is required" }] };
  if (!Array.isArray(items)) {
    return { ok: false, errors: [{ path: key, message: `expected an array, received ${describe(items)}` }] };
  }
  if (items.length < 1 || items.length > max) {
    return {
      ok: false,
      errors: [{ path: key, message: `must contain 1 to ${max} ${key} (got ${items.length})` }],
    };
  }
  return { ok: true, items };
}

function isBlank(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

/** Sorts errors by item index, then keeps input order: `orders[2]...` before `orders[10]...`. */
function byIndex(errors: ErrorDetail[]): ErrorDetail[] {
  const idx = (p: string) => Number(/^\w+\[(\d+)\]/.exec(p)?.[1] ?? -1);
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => idx(a.e.path) - idx(b.e.path) || a.i - b.i)
    .map((x) => x.e);
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

/** Validates `{"orders": [...]}` (already parsed with `parseJson`). */
export function validateOrders(value: JsonValue): Result<{ orders: OrderInput[] }> {
  const b = batch(value, "orders", MAX_ORDERS_PER_REQUEST);
  if (!b.ok) return b;
  const errors: ErrorDetail[] = [];
  const orders: OrderInput[] = [];
  b.items.forEach((item, i) => {
    const prefix = `orders[${i}]`;
    if (!isJsonObject(item)) {
      errors.push({ path: prefix, message: `expected an object, received ${describe(item)}` });
      return;
    }
    const r = runSchema(orderSchema, item, prefix);
    const extra: ErrorDetail[] = [];
    if (isBlank(item.processed_at) && isBlank(item.created_at)) {
      extra.push({ path: `${prefix}.processed_at`, message: "processed_at or created_at is required" });
    }
    if (!r.ok) {
      errors.push(...r.errors, ...extra);
      return;
    }
    if (extra.length) {
      errors.push(...extra);
      return;
    }
    const o = r.data;
    const refunds: RefundInput[] = [];
    (o.refunds ?? []).forEach((rf, j) => {
      const sum = sumRefundTransactions(rf.transactions ?? [], o.currency);
      if ("error" in sum) {
        errors.push({ path: `${prefix}.refunds[${j}].transactions`, message: sum.error });
        return;
      }
      refunds.push({
        externalId: rf.id,
        orderExternalId: o.id,
        createdAt: rf.created_at,
        amount: sum.amount,
        currency: sum.currency,
      });
    });
    orders.push({
      externalId: o.id,
      name: o.name ?? null,
      processedAt: o.processed_at ?? null,
      createdAt: o.created_at ?? null,
      updatedAt: o.updated_at ?? null,
      currency: o.currency,
      totalPrice: o.total_price,
      email: o.email ?? null,
      phone: o.phone ?? null,
      customer: o.customer
        ? { id: o.customer.id ?? null, email: o.customer.email ?? null, phone: o.customer.phone ?? null }
        : null,
      test: o.test ?? false,
      cancelledAt: o.cancelled_at ?? null,
      landingSite: o.landing_site ?? null,
      refunds,
      checkoutToken: o.checkout_token ?? null,
    });
  });
  return errors.length ? { ok: false, errors: byIndex(errors) } : { ok: true, orders };
}

/**
 * A refund's amount: the sum of its transactions with kind `refund` and status `success` (decimal arithmetic).
 * Scale: the largest of the summed amounts' (`30.10` + `0.2` = `30.30`). Its currency is theirs (they must agree), or `fallbackCurrency` when they name none.
 */
export function sumRefundTransactions(
  txs: { kind: string; status: string | null; amount: string; currency?: string | null }[],
  fallbackCurrency: string | null,
): { amount: string; currency: string | null } | { error: string } {
  let total = new Decimal(0);
  let places = 0;
  let currency: string | null = null;
  for (const t of txs) {
    if (t.kind.toLowerCase() !== "refund" || (t.status ?? "").toLowerCase() !== "success") continue;
    total = total.plus(t.amount);
    places = Math.max(places, decimalPlaces(t.amount));
    if (t.currency) {
      if (currency !== null && currency !== t.currency)
        return { error: "successful refund transactions mix currencies" };
      currency = t.currency;
    }
  }
  return { amount: total.toFixed(places), currency: currency ?? fallbackCurrency };
}

/** `POST /api/v1/orders` body. */
export function parseApiOrders(
  rawBody: string | Uint8Array,
  options?: JsonParseOptions,
): Result<{ orders: OrderInput[] }> {
  const b = body(rawBody, options);
  return b.ok ? validateOrders(b.value) : b;
}

// ---------------------------------------------------------------------------------------------------------------
// Refunds

/** Validates `{"id", "created_at", "amount", "currency"}` for the order id from the URL path. */
export function validateRefund(value: JsonValue, orderId: string): Result<{ refund: RefundInput }> {
  const errors: ErrorDetail[] = [];
  const oid = parseId(orderId);
  if (typeof oid !== "string") errors.push({ path: "order_id", message: oid.error });
  if (!isJsonObject(value)) {
    errors.push({ path: "", message: "body must be a JSON object" });
    return { ok: false, errors };
  }
  const r = runSchema(refundBodySchema, value);
  if (!r.ok) errors.push(...r.errors);
  if (errors.length || !r.ok || typeof oid !== "string") return { ok: false, errors };
  return {
    ok: true,
    refund: {
      externalId: r.data.id,
      orderExternalId: oid,
      createdAt: r.data.created_at,
      amount: r.data.amount,
      currency: r.data.currency ?? null,
    },
  };
}

/** `POST /api/v1/orders/{id}/refunds` body. */
export function parseApiRefund(
  rawBody: string | Uint8Array,
  orderId: string,
  options?: JsonParseOptions,
): Result<{ refund: RefundInput }> {
  const b = body(rawBody, options);
  return b.ok ? validateRefund(b.value, orderId) : b;
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** Validates `{"events": [...]}` (already parsed with `parseJson`). */
export function validateEvents(value: JsonValue): Result<{ events: MessageEventInput[] }> {
  const b = batch(value, "events", MAX_EVENTS_PER_REQUEST);
  if (!b.ok) return b;
  const errors: ErrorDetail[] = [];
  const events: MessageEventInput[] = [];
  b.items.forEach((item, i) => {
    const prefix = `events[${i}]`;
    if (!isJsonObject(item)) {
      errors.push({ path: prefix, message: `expected an object, received ${describe(item)}` });
      return;
    }
    const r = runSchema(eventSchema, item, prefix);
    const extra: ErrorDetail[] = [];
    const rec = item.recipient;
    if (isJsonObject(rec) && isBlank(rec.email) && isBlank(rec.phone) && isBlank(rec.customer_id)) {
      extra.push({ path: `${prefix}.recipient`, message: "needs at least one of email, phone, customer_id" });
    }
    if (!r.ok || extra.length) {
      errors.push(...(r.ok ? [] : r.errors), ...extra);
      return;
    }
    const e = r.data;
    events.push(
      makeEvent({
        externalId: e.id ?? null,
        type: e.type,
        channel: e.channel,
        occurredAt: e.occurred_at,
        campaignId: e.campaign_id,
        campaignName: e.campaign_name ?? null,
        messageId: e.message_id ?? null,
        recipient: {
          email: e.recipient.email ?? null,
          phone: e.recipient.phone ?? null,
          customerId: e.recipient.customer_id ?? null,
        },
        tags: [...new Set(e.tags ?? [])],
        url: e.url ?? null,
        machine: e.machine ?? false,
        source: "api",
      }),
    );
  });
  return errors.length ? { ok: false, errors: byIndex(errors) } : { ok: true, events };
}

/** `POST /api/v1/events` body. */
export function parseApiEvents(
  rawBody: string | Uint8Array,
  options?: JsonParseOptions,
): Result<{ events: MessageEventInput[] }> {
  const b = body(rawBody, options);
  return b.ok ? validateEvents(b.value) : b;
}
