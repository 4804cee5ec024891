/**
 * The block's states and the pure mapping from the backend's answer to what it shows (no UI, no I/O), so the same
 * rules are tested without a runtime. The answer is GET /extensions/orders/<id>/attribution
 * (app/reports/order-block.server.ts).
 */

export interface OrderBlockAnswer {
  order: { id: string; name: string | null; admin_url: string | null };
  enabled: boolean;
  currency: string;
  attribution: {
    attributed: boolean;
    campaign_id: string | null;
    channel: string | null;
    event_type: string | null;
    event_at: string | null;
    explanation: string;
    reason: string | null;
    linked_by: "identity" | "click" | null;
  };
  campaign: { id: string; name: string; channel: string; app_path: string } | null;
  money: { gross: string; refunded: string; net: string; currency: string } | null;
}

export type BlockState =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  /** The app has not received this order (yet). */
  | { kind: "unknown_order" }
  | { kind: "disabled"; answer: OrderBlockAnswer }
  | { kind: "not_attributed"; answer: OrderBlockAnswer }
  | { kind: "attributed"; answer: OrderBlockAnswer };

/** The numeric order id of the admin's selection (`gid://shopify/Order/123`), or null. */
export function orderIdOf(selected: ReadonlyArray<{ id: string }> | undefined): string | null {
  const gid = selected?.[0]?.id ?? "";
  return /^gid:\/\/shopify\/Order\/(\d+)$/.exec(gid)?.[1] ?? null;
}

/** The state for a finished request. */
export function stateOf(status: number, body: unknown): BlockState {
  if (status === 404) return { kind: "unknown_order" };
  if (status < 200 || status >= 300 || !body || typeof body !== "object" || !("attribution" in body)) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `The app answered ${status}.`;
    return { kind: "error", message };
  }
  const answer = body as OrderBlockAnswer;
  if (!answer.enabled) return { kind: "disabled", answer };
  return answer.attribution.attributed && answer.campaign
    ? { kind: "attributed", answer }
    : { kind: "not_attributed", answer };
}

const CHANNELS: Record<string, string> = {
  email: "Email",
  sms: "SMS",
  push: "Push",
  whatsapp: "WhatsApp",
  telegram: "Telegram",
  viber: "Viber",
};

export const channelLabel = (channel: string | null | undefined) => (channel ? (CHANNELS[channel] ?? channel) : "");

/** "clicked" -> "Clicked", the message's connecting event as a word. */
export const eventLabel = (type: string | null | undefined) =>
  type ? type.charAt(0).toUpperCase() + type.slice(1) : "";

/** A decimal string amount in a currency, for the admin user's locale (the string is formatted exactly). */
export function formatMoney(amount: string, currency: string, locale?: string): string {
  try {
    // Intl.NumberFormat formats a decimal string exactly (no binary floating point in between).
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatTime(iso: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}
