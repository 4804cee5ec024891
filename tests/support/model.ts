/**
 * The oracle: the whole campaign report computed from plain data by the pure rules of app/domain/ (no SQL), to
 * check the database-backed engine against (tests/integration/differential.test.ts, attribution-property.test.ts)
 * and to state the worked examples (docs/attribution.md). Production code never imports it.
 *
 * Decisions where the rules are silent, as the engine implements them:
 * - Duplicates: events with the same dedup key (`eventDedupKey`, the key ingest stores): the first given wins, as the
 *   first stored does. Order versions with the same id: the newest `updatedAt` wins (null is oldest); on equal
 *   `updatedAt`, the smallest canonical JSON (real duplicates are identical). Refunds with the same id: the first
 *   given. Refunds nested in any version of an order and standalone ones all count.
 * - A message's campaign and channel come from its earliest event (by time, then dedup key); a campaign's name is the
 *   latest non-null `campaignName` of its events; a report row's channel (and so its sale formula) is the channel of
 *   the campaign's earliest-sent message (ties: smallest message id); its name falls back to the campaign id.
 * - A refund whose `currency` is set and differs from its order's currency is ignored (no FX); an unparsable or
 *   negative amount counts as 0.
 * - `enabled: false` zeroes every purchase and money figure of the report (store_revenue included; campaigns appear
 *   only through messages sent); per-order outcomes ignore `enabled`.
 */
import type Decimal from "decimal.js";
import { indexKeys, orderKeys } from "../../app/domain/identity";
import {
  buildMessages,
  compareCodePoints,
  normalizeEvent,
  trackedMessageIds,
  type AttributionEventInput,
  type AttributionOrderInput,
  type Message,
  type NormalizedEvent,
} from "../../app/domain/messages";
import { Money, averageCheck, capRefunded, formatAmount, tryParseMoney } from "../../app/domain/money";
import type { CampaignReport, CampaignRow, ReportPeriod, OrderOutcome } from "../../app/domain/report";
import { attributeOrder, type AttributionResult } from "../../app/domain/rule";
import { saleFormula } from "../../app/domain/sale-formula";
import type { AttributionSettings } from "../../app/domain/settings";
import type { OrderInput, RefundInput } from "../../app/domain/types";

export interface AttributeAllResult {
  report: CampaignReport;
  /** Sorted by order id (code points). */
  orders: OrderOutcome[];
}

/** JSON with sorted object keys and Dates as ISO strings: equal content, equal text. */
export function stableStringify(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Events without duplicates (the first of each dedup key), by time then key. */
export function dedupeEvents(events: Iterable<AttributionEventInput>): NormalizedEvent[] {
  const best = new Map<string, NormalizedEvent>();
  for (const raw of events) {
    const ev = normalizeEvent(raw);
    if (!best.has(ev.key)) best.set(ev.key, ev);
  }
  return [...best.values()].sort((a, b) => a.occurredAt - b.occurredAt || compareCodePoints(a.key, b.key));
}

export interface MessageIndex {
  messages: Message[];
  byKey: Map<string, Message[]>;
  byId: Map<string, Message>;
  byTrackedOrder: Map<string, Message[]>;
}

export function indexMessages(messages: Message[]): MessageIndex {
  const byKey = new Map<string, Message[]>();
  const byId = new Map<string, Message>();
  const byTrackedOrder = new Map<string, Message[]>();
  const add = (map: Map<string, Message[]>, k: string, m: Message) => {
    const l = map.get(k);
    if (l) l.push(m);
    else map.set(k, [m]);
  };
  for (const m of messages) {
    byId.set(m.messageId, m);
    for (const k of indexKeys(m.keys)) add(byKey, k, m);
    for (const o of m.trackedOrderIds) add(byTrackedOrder, o, m);
  }
  return { messages, byKey, byId, byTrackedOrder };
}

/** The messages that may match the order, through the index (the same set `candidateMessages` filters). */
function candidatesFor(order: AttributionOrderInput, index: MessageIndex): Message[] {
  const seen = new Map<string, Message>();
  for (const k of indexKeys(orderKeys(order))) for (const m of index.byKey.get(k) ?? []) seen.set(m.messageId, m);
  for (const m of index.byTrackedOrder.get(order.externalId) ?? []) seen.set(m.messageId, m);
  for (const id of trackedMessageIds(order)) {
    const m = index.byId.get(id);
    if (m) seen.set(m.messageId, m);
  }
  return [...seen.values()];
}

/** The rule for one order over a whole history. */
export function attributeOrderIn(
  order: AttributionOrderInput,
  index: MessageIndex,
  settings: AttributionSettings,
): AttributionResult {
  return attributeOrder(order, candidatesFor(order, index), settings);
}

function updatedMs(o: OrderInput): number {
  return o.updatedAt ? o.updatedAt.getTime() : Number.NEGATIVE_INFINITY;
}

/** One version per order id: newest `updatedAt`; ties broken by canonical JSON (smallest wins). */
export function dedupeOrders<O extends OrderInput>(orders: Iterable<O>): O[] {
  const best = new Map<string, { canon: string; order: O }>();
  for (const o of orders) {
    const canon = stableStringify(o);
    const prev = best.get(o.externalId);
    if (
      !prev ||
      updatedMs(o) > updatedMs(prev.order) ||
      (updatedMs(o) === updatedMs(prev.order) && compareCodePoints(canon, prev.canon) < 0)
    ) {
      best.set(o.externalId, { canon, order: o });
    }
  }
  return [...best.values()].map((x) => x.order).sort((a, b) => compareCodePoints(a.externalId, b.externalId));
}

/** One refund per id (smallest canonical JSON), from standalone refunds and those nested in any order version. */
export function dedupeRefunds(refunds: Iterable<RefundInput>, orders: Iterable<OrderInput> = []): RefundInput[] {
  const best = new Map<string, { canon: string; refund: RefundInput }>();
  const add = (r: RefundInput) => {
    const canon = stableStringify(r);
    const prev = best.get(r.externalId);
    if (!prev || compareCodePoints(canon, prev.canon) < 0) best.set(r.externalId, { canon, refund: r });
  };
  for (const r of refunds) add(r);
  for (const o of orders) for (const r of o.refunds) add({ ...r, orderExternalId: o.externalId });
  return [...best.values()].map((x) => x.refund).sort((a, b) => compareCodePoints(a.externalId, b.externalId));
}

/** An order's gross, refunded (capped) and revenue. */
export function orderMoney(
  order: OrderInput,
  refunds: readonly RefundInput[],
): { gross: Decimal; refunded: Decimal; revenue: Decimal } {
  const gross = tryParseMoney(order.totalPrice) ?? new Money(0);
  let sum: Decimal = new Money(0);
  for (const r of refunds) {
    if (r.currency && r.currency.toUpperCase() !== order.currency.toUpperCase()) continue;
    const amount = tryParseMoney(r.amount);
    if (amount) sum = sum.plus(amount);
  }
  const refunded = capRefunded(gross, sum);
  return { gross, refunded, revenue: gross.minus(refunded) };
}

interface Acc {
  purchases: number;
  gross: Decimal;
  refunded: Decimal;
  revenue: Decimal;
}

const newAcc = (): Acc => ({
  purchases: 0,
  gross: new Money(0),
  refunded: new Money(0),
  revenue: new Money(0),
});

/**
 * The campaign report for `[from, to)` computed from plain data, plus every order's outcome.
 * The result depends only on the data (as sets, duplicates collapsed) and the settings.
 */
export function attributeAll(
  orders: readonly AttributionOrderInput[],
  events: readonly AttributionEventInput[],
  refunds: readonly RefundInput[],
  settings: AttributionSettings,
  period: ReportPeriod,
): AttributeAllResult {
  const currency = settings.currency;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const inPeriod = (ms: number) => from <= ms && ms < to;

  const messages = buildMessages(events);
  const index = indexMessages(messages);
  const allOrderVersions = [...orders];
  const uniqueOrders = dedupeOrders(allOrderVersions);
  const refundsByOrder = new Map<string, RefundInput[]>();
  for (const r of dedupeRefunds(refunds, allOrderVersions)) {
    const l = refundsByOrder.get(r.orderExternalId);
    if (l) l.push(r);
    else refundsByOrder.set(r.orderExternalId, [r]);
  }

  // campaign metadata over all data
  const campaignMeta = new Map<string, { name: string | null; nameAt: [number, string]; first: Message }>();
  for (const m of messages) {
    let meta = campaignMeta.get(m.campaignId);
    if (!meta) {
      meta = { name: null, nameAt: [Number.NEGATIVE_INFINITY, ""], first: m };
      campaignMeta.set(m.campaignId, meta);
    }
    if (
      m.sentAt < meta.first.sentAt ||
      (m.sentAt === meta.first.sentAt && compareCodePoints(m.messageId, meta.first.messageId) < 0)
    ) {
      meta.first = m;
    }
  }
  for (const ev of dedupeEvents(events)) {
    const meta = campaignMeta.get(ev.campaignId);
    if (!meta || ev.campaignName === null) continue;
    const [at, key] = meta.nameAt;
    if (ev.occurredAt > at || (ev.occurredAt === at && compareCodePoints(ev.key, key) > 0)) {
      meta.name = ev.campaignName;
      meta.nameAt = [ev.occurredAt, ev.key];
    }
  }

  const stats = new Map<string, { sent: number; delivered: number; opened: number; clicked: number }>();
  for (const m of messages) {
    if (!inPeriod(m.sentAt)) continue;
    let s = stats.get(m.campaignId);
    if (!s) stats.set(m.campaignId, (s = { sent: 0, delivered: 0, opened: 0, clicked: 0 }));
    const types = new Set(m.events.map((e) => e.type));
    if (types.has("sent")) s.sent++;
    if (types.has("delivered")) s.delivered++;
    if (types.has("opened")) s.opened++;
    if (types.has("clicked")) s.clicked++;
  }

  const money = new Map<string, Acc>();
  const total = newAcc();
  let storeRevenue: Decimal = new Money(0);
  const outcomes: OrderOutcome[] = [];
  for (const order of uniqueOrders) {
    const result = attributeOrderIn(order, index, settings);
    const m = orderMoney(order, refundsByOrder.get(order.externalId) ?? []);
    const t = result.timeOfSale.getTime();
    const counted = !(
      result.attributed === false && (["test", "cancelled", "other_currency"] as string[]).includes(result.reason)
    );
    outcomes.push({
      order_id: order.externalId,
      time_of_sale: result.timeOfSale.toISOString(),
      counted,
      attributed: result.attributed,
      reason: result.attributed ? null : result.reason,
      campaign_id: result.attributed ? result.campaignId : null,
      message_id: result.attributed ? result.messageId : null,
      channel: result.attributed ? result.channel : null,
      event_type: result.attributed ? result.eventType : null,
      event_at: result.attributed ? result.eventAt.toISOString() : null,
      gross: formatAmount(m.gross, order.currency),
      refunded: formatAmount(m.refunded, order.currency),
      revenue: formatAmount(m.revenue, order.currency),
    });
    if (!settings.enabled || !counted || !inPeriod(t)) continue;
    storeRevenue = storeRevenue.plus(m.revenue);
    if (!result.attributed) continue;
    let acc = money.get(result.campaignId);
    if (!acc) money.set(result.campaignId, (acc = newAcc()));
    for (const a of [acc, total]) {
      a.purchases++;
      a.gross = a.gross.plus(m.gross);
      a.refunded = a.refunded.plus(m.refunded);
      a.revenue = a.revenue.plus(m.revenue);
    }
  }

  const ids = [...new Set([...stats.keys(), ...money.keys()])].sort(compareCodePoints);
  const campaigns: CampaignRow[] = ids.map((id) => {
    const meta = campaignMeta.get(id);
    const channel = meta ? meta.first.channel : "email";
    const s = stats.get(id) ?? { sent: 0, delivered: 0, opened: 0, clicked: 0 };
    const a = money.get(id) ?? newAcc();
    return {
      id,
      name: meta?.name ?? id,
      channel,
      ...s,
      purchases: a.purchases,
      gross: formatAmount(a.gross, currency),
      refunded: formatAmount(a.refunded, currency),
      revenue: formatAmount(a.revenue, currency),
      average_check: formatAmount(averageCheck(a.revenue, a.purchases, currency), currency),
      sale_formula: saleFormula(settings.channels[channel]),
    };
  });

  return {
    report: {
      currency,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      summary: {
        campaigns: stats.size,
        campaigns_with_revenue: money.size,
        purchases: total.purchases,
        gross: formatAmount(total.gross, currency),
        refunded: formatAmount(total.refunded, currency),
        revenue: formatAmount(total.revenue, currency),
        average_check: formatAmount(averageCheck(total.revenue, total.purchases, currency), currency),
        store_revenue: formatAmount(storeRevenue, currency),
      },
      campaigns,
    },
    orders: outcomes.sort((a, b) => compareCodePoints(a.order_id, b.order_id)),
  };
}
