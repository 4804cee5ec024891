/**
 * Random shop data as API bodies, and the domain's `attributeAll` on the same data (parsed by the same parsers the
 * server uses), to check the database-backed engine against the reference implementation.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { attributeAll, type AttributeAllResult } from "./model";
import { formatAmount } from "../../app/domain/money";
import type { AttributionSettings } from "../../app/domain/settings";
import type { MessageEventInput, OrderInput, RefundInput } from "../../app/domain/types";
import { parseApiEvents, parseApiOrders, parseApiRefund } from "../../app/ingest/api";
import { db, http } from "./api";
import type { Shop } from "./attribution";

export const DAY0 = Date.UTC(2026, 10, 1);
const iso = (minutes: number) => new Date(DAY0 + minutes * 60_000).toISOString();

const emailArb = fc.constantFrom("a@x.com", " A@X.com", "b@x.com", "c@x.com");
const phoneArb = fc.constantFrom("+1 (555) 010-0000", "+15550100001", "+44 20 7946 0000");
const customerArb = fc.constantFrom("101", "102", "103");
/** Minutes within three days, mostly on the hour so ties happen. */
const minuteArb = fc.oneof(
  fc.integer({ min: 0, max: 72 }).map((h) => h * 60),
  fc.integer({ min: 0, max: 72 * 60 }),
);

export const eventArb = fc.record({
  type: fc.constantFrom("sent", "sent", "delivered", "opened", "clicked", "clicked", "bounced"),
  channel: fc.constantFrom("email", "email", "sms"),
  at: minuteArb,
  campaign: fc.constantFrom("A", "B", "C"),
  name: fc.option(fc.constantFrom("Spring", "Summer"), { nil: null }),
  message: fc.option(fc.constantFrom("m1", "m2", "m3", "m4", "m5"), { nil: null }),
  email: fc.option(emailArb, { nil: null }),
  phone: fc.option(phoneArb, { nil: null }),
  customer: fc.option(customerArb, { nil: null }),
  tags: fc.subarray(["promo", "Password-Reset", "news"], { maxLength: 2 }),
  machine: fc.boolean(),
});

export const orderArb = fc.record({
  at: minuteArb,
  total: fc.integer({ min: 0, max: 20000 }).map((c) => (c / 100).toFixed(2)),
  currency: fc.constantFrom("USD", "USD", "USD", "EUR"),
  email: fc.option(emailArb, { nil: null }),
  phone: fc.option(phoneArb, { nil: null }),
  customer: fc.option(
    fc.record({ id: fc.option(customerArb, { nil: null }), email: fc.option(emailArb, { nil: null }) }),
    {
      nil: null,
    },
  ),
  flags: fc.integer({ min: 0, max: 19 }),
  landing: fc.option(fc.constantFrom("/?cr_mid=m1", "/p?utm=x&cr_mid=m4", "/?message_id=m2"), { nil: null }),
  refunds: fc.array(
    fc.integer({ min: 0, max: 15000 }).map((c) => (c / 100).toFixed(2)),
    { maxLength: 2 },
  ),
});

export const settingsArb = fc.record({
  enabled: fc.constantFrom(true, true, true, false),
  currency: fc.constantFrom("USD", "USD", "EUR"),
  channels: fc.record({
    email: fc.record({
      event: fc.constantFrom("sent", "delivered", "opened", "clicked"),
      window_hours: fc.integer({ min: 1, max: 48 }),
    }),
    sms: fc.record({ event: fc.constantFrom("sent", "clicked"), window_hours: fc.integer({ min: 1, max: 48 }) }),
  }),
  excluded_tags: fc.subarray(["password-reset", "NEWS"]),
  ignore_machine_opens: fc.boolean(),
});

export interface Data {
  events: ReturnType<typeof eventBody>[];
  orders: ReturnType<typeof orderBody>[];
  refunds: { orderId: string; body: Record<string, unknown> }[];
}

/** A generated event and order, as `eventArb` and `orderArb` make them. */
type GeneratedEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;
type GeneratedOrder = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

function eventBody(e: GeneratedEvent, i: number) {
  const recipient: Record<string, string> = {};
  if (e.email) recipient.email = e.email;
  if (e.phone) recipient.phone = e.phone;
  if (e.customer) recipient.customer_id = e.customer;
  if (Object.keys(recipient).length === 0) recipient.email = "z@x.com";
  return {
    id: `ev${i}`,
    type: e.type,
    channel: e.channel,
    occurred_at: iso(e.at),
    campaign_id: e.campaign,
    ...(e.name ? { campaign_name: e.name } : {}),
    ...(e.message ? { message_id: e.message } : {}),
    recipient,
    tags: e.tags,
    machine: e.machine,
  };
}

function orderBody(o: GeneratedOrder, i: number) {
  return {
    id: `o${i}`,
    processed_at: iso(o.at),
    currency: o.currency,
    total_price: o.total,
    ...(o.email ? { email: o.email } : {}),
    ...(o.phone ? { phone: o.phone } : {}),
    ...(o.customer ? { customer: o.customer } : {}),
    ...(o.flags === 0 ? { test: true } : {}),
    ...(o.flags === 1 ? { cancelled_at: iso(o.at + 60) } : {}),
    ...(o.landing ? { landing_site: o.landing } : {}),
  };
}

export function buildData(events: GeneratedEvent[], orders: GeneratedOrder[]): Data {
  const refunds: Data["refunds"] = [];
  orders.forEach((o, i) =>
    o.refunds.forEach((amount: string, j: number) =>
      refunds.push({
        orderId: `o${i}`,
        body: { id: `r${i}-${j}`, created_at: iso(o.at + 600), amount, currency: o.currency },
      }),
    ),
  );
  return { events: events.map(eventBody), orders: orders.map(orderBody), refunds };
}

/** What the server parses from these bodies, fed to the domain's reference implementation. */
export function oracle(
  data: Data,
  settings: AttributionSettings,
  period: { from: Date; to: Date },
): AttributeAllResult {
  const ev = parseApiEvents(JSON.stringify({ events: data.events }));
  const or = parseApiOrders(JSON.stringify({ orders: data.orders }));
  if (!ev.ok || !or.ok) throw new Error("generated data does not parse");
  const refunds: RefundInput[] = data.refunds.map((r) => {
    const p = parseApiRefund(JSON.stringify(r.body), r.orderId);
    if (!p.ok) throw new Error("generated refund does not parse");
    return p.refund;
  });
  return attributeAll(
    or.orders as OrderInput[],
    (ev.events as MessageEventInput[]).map((e) => ({ ...e, orderExternalId: null })),
    refunds,
    settings,
    period,
  );
}

/** Posts everything in `batches` groups, in the given (shuffled) order, some requests in parallel. */
export async function postAll(shop: Shop, data: Data, order: number[], batches: number) {
  type Item = { kind: "e" | "o" | "r"; i: number };
  const items: Item[] = [
    ...data.events.map((_, i) => ({ kind: "e" as const, i })),
    ...data.orders.map((_, i) => ({ kind: "o" as const, i })),
    ...data.refunds.map((_, i) => ({ kind: "r" as const, i })),
  ];
  const shuffled = order.length === items.length ? order.map((k) => items[k]!) : items;
  const size = Math.max(1, Math.ceil(shuffled.length / batches));
  const groups: Item[][] = [];
  for (let i = 0; i < shuffled.length; i += size) groups.push(shuffled.slice(i, i + size));
  const send = async (g: Item[]) => {
    const events = g.filter((x) => x.kind === "e").map((x) => data.events[x.i]);
    const orders = g.filter((x) => x.kind === "o").map((x) => data.orders[x.i]);
    if (events.length)
      expect((await http("POST", "/api/v1/events", { key: shop.key, body: { events } })).status).toBe(202);
    if (orders.length)
      expect((await http("POST", "/api/v1/orders", { key: shop.key, body: { orders } })).status).toBe(202);
    for (const x of g.filter((y) => y.kind === "r")) {
      const r = data.refunds[x.i]!;
      const res = await http("POST", `/api/v1/orders/${r.orderId}/refunds`, { key: shop.key, body: r.body });
      expect(res.status).toBe(202);
    }
  };
  for (let i = 0; i < groups.length; i += 2) await Promise.all(groups.slice(i, i + 2).map(send));
}

/** The engine's stored per-order outcomes in the oracle's shape. */
export async function engineOutcomes(shopId: string) {
  const r = await db().query(
    `SELECT o.external_id AS order_id, o.currency, a.time_of_sale, a.counted, a.reason, c.external_id AS campaign_id,
            m.external_id AS message_id, a.channel, a.event_type, a.event_at, a.gross::text, a.refunded::text
       FROM orders o JOIN attributions a ON a.order_id = o.id
       LEFT JOIN campaigns c ON c.id = a.campaign_id LEFT JOIN messages m ON m.id = a.message_id
      WHERE o.shop_id = $1`,
    [shopId],
  );
  return r.rows
    .map((row) => {
      const attributed = row.message_id !== null && row.reason === null;
      return {
        order_id: row.order_id,
        time_of_sale: row.time_of_sale.toISOString(),
        counted: row.counted,
        attributed,
        reason: row.reason,
        campaign_id: attributed ? row.campaign_id : null,
        message_id: attributed ? row.message_id : null,
        channel: attributed ? row.channel : null,
        event_type: attributed ? row.event_type : null,
        event_at: attributed ? row.event_at.toISOString() : null,
        gross: formatAmount(row.gross, row.currency),
        refunded: formatAmount(row.refunded, row.currency),
      };
    })
    .sort((a, b) => (a.order_id < b.order_id ? -1 : 1));
}

export function oracleOutcomes(result: AttributeAllResult) {
  return result.orders.map(({ revenue: _r, ...o }) => o).sort((a, b) => (a.order_id < b.order_id ? -1 : 1));
}

export async function currentSettings(shop: Shop): Promise<AttributionSettings> {
  const res = await http("GET", "/api/v1/settings", { key: shop.key });
  const { enabled, currency, channels, excluded_tags, ignore_machine_opens } = res.body;
  return { enabled, currency, channels, excluded_tags, ignore_machine_opens };
}
