/**
 * Presenters of the campaign revenue report (docs/openapi.json "GET /api/v1/reports/campaigns", "GET /api/v1/campaigns/{id}",
 * "GET /api/v1/orders/{id}/attribution"), shared by the JSON/CSV API and the Polaris pages.
 *
 * Figures follow the rules exactly (docs/attribution.md; the differential test compares them with the oracle): purchases and money from
 * the attributions of counted orders by time of sale, message statistics from the messages by sent time; with
 * `enabled` off every purchase and money figure is zero and campaigns appear only through messages sent.
 */
import { TZDate, tzOffset, tzScan } from "@date-fns/tz";
import { format } from "date-fns";
import { explain } from "../domain/explanation";
import { buildMessages, compareCodePoints, trackedMessageIds, type AttributionEventInput } from "../domain/messages";
import type { CampaignReport, CampaignRow } from "../domain/report";
import { attributeOrder, type AttributionResult, type UnattributedReason } from "../domain/rule";
import { Money, averageCheck, formatAmount } from "../domain/money";
import { HOLDOUT_FIELDS, holdoutFigures, totalIncremental, type HoldoutFigures } from "../domain/holdout";
import { comparePeriod, changeFraction, type CompareMode } from "../domain/compare";
import { holdoutStats } from "../data/holdouts.server";
import { saleFormula } from "../domain/sale-formula";
import type { AttributionSettings } from "../domain/settings";
import type { Channel, EventSource, StageEvent } from "../domain/types";
import { getSettings } from "../data/settings.server";
import {
  campaignOrders,
  campaignsByIds,
  eventsForOrder,
  findCampaign,
  findOrder,
  messageStatsByCampaign,
  salesByCampaign,
  salesSeries,
  storedAttribution,
  type CampaignInfo,
  type StoredAttribution,
  type StoredEvent,
  type StoredOrder,
  type MessageStatsRow,
  type SalesRow,
} from "../data/reports.server";

export interface ReportRange {
  from: Date;
  /** Excluded. */
  to: Date;
}

/** The earlier period's figures of a campaign (`compare`). */
export interface CampaignPrevious {
  purchases: number;
  revenue: string;
}

/** A report row: the domain's row, its holdout (null without held-out recipients) and, when compared, `previous`. */
export type CampaignRowJson = CampaignRow & { holdout: HoldoutFigures | null; previous?: CampaignPrevious };

export type SummaryJson = CampaignReport["summary"] & {
  /** Incremental revenue of the period's campaigns with a holdout (sum of their figures); null when none has any. */
  incremental_revenue: string | null;
};

export type PreviousJson = CampaignReport["summary"] & { from: string; to: string };

export type ChangeJson = Record<(typeof CHANGE_FIELDS)[number], number | null>;
export const CHANGE_FIELDS = ["purchases", "revenue", "average_check", "store_revenue"] as const;

export type ReportJson = Omit<CampaignReport, "campaigns" | "summary"> & {
  summary: SummaryJson;
  campaigns: CampaignRowJson[];
  previous?: PreviousJson;
  change?: ChangeJson;
};

export interface ReportOptions {
  /** Compare with the previous period of the same length or the same dates a year earlier. */
  compare?: CompareMode | null;
  /** The shop's time zone (the "same dates" of previous_year are calendar dates there). Default UTC. */
  timeZone?: string;
}

async function attributionSettings(shopId: bigint): Promise<AttributionSettings> {
  const { settings } = await getSettings(shopId);
  return settings;
}

const zeroStats = { messages: 0, sent: 0, delivered: 0, opened: 0, clicked: 0 };

function campaignRow(
  info: CampaignInfo,
  stats: Omit<MessageStatsRow, "campaign_id"> | undefined,
  sales: SalesRow | undefined,
  settings: AttributionSettings,
): CampaignRow {
  const currency = settings.currency;
  const s = stats ?? zeroStats;
  const purchases = settings.enabled && sales ? sales.purchases : 0;
  const gross = settings.enabled && sales ? new Money(sales.gross) : new Money(0);
  const refunded = settings.enabled && sales ? new Money(sales.refunded) : new Money(0);
  const revenue = gross.minus(refunded);
  const channel = info.channel as Channel;
  return {
    id: info.external_id,
    name: info.name ?? info.external_id,
    channel,
    sent: s.sent,
    delivered: s.delivered,
    opened: s.opened,
    clicked: s.clicked,
    purchases,
    gross: formatAmount(gross, currency),
    refunded: formatAmount(refunded, currency),
    revenue: formatAmount(revenue, currency),
    average_check: formatAmount(averageCheck(revenue, purchases, currency), currency),
    sale_formula: saleFormula(settings.channels[channel] ?? settings.channels.email),
  };
}

/** The campaign report for [from, to): summary and one row per campaign (sorted by campaign id, byte order). */
async function baseReport(
  shopId: bigint,
  range: ReportRange,
  settings: AttributionSettings,
): Promise<CampaignReport & { campaignIds: Map<string, string> }> {
  const currency = settings.currency;
  const [stats, salesAll] = await Promise.all([
    messageStatsByCampaign(shopId, range.from, range.to),
    salesByCampaign(shopId, range.from, range.to),
  ]);
  const sales = settings.enabled ? salesAll : [];
  const attributed = sales.filter((r) => r.campaign_id !== "0" && r.purchases > 0);
  const ids = [...new Set([...stats.map((r) => r.campaign_id), ...attributed.map((r) => r.campaign_id)])];
  const infos = await campaignsByIds(shopId, ids);
  const statsBy = new Map(stats.map((r) => [r.campaign_id, r]));
  const salesBy = new Map(attributed.map((r) => [r.campaign_id, r]));
  const campaigns = infos
    .map((info) => campaignRow(info, statsBy.get(info.id), salesBy.get(info.id), settings))
    .sort((a, b) => compareCodePoints(a.id, b.id));
  const campaignIds = new Map(infos.map((i) => [i.external_id, i.id]));

  let purchases = 0;
  let gross = new Money(0);
  let refunded = new Money(0);
  for (const r of attributed) {
    purchases += r.purchases;
    gross = gross.plus(r.gross);
    refunded = refunded.plus(r.refunded);
  }
  let store = new Money(0);
  for (const r of sales) store = store.plus(r.gross).minus(r.refunded);
  const revenue = gross.minus(refunded);
  return {
    currency,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    summary: {
      campaigns: stats.length,
      campaigns_with_revenue: attributed.length,
      purchases,
      gross: formatAmount(gross, currency),
      refunded: formatAmount(refunded, currency),
      revenue: formatAmount(revenue, currency),
      average_check: formatAmount(averageCheck(revenue, purchases, currency), currency),
      store_revenue: formatAmount(store, currency),
    },
    campaigns,
    campaignIds,
  };
}

/**
 * The holdout figures of the given campaigns (external id -> campaigns.id) that belong to [from, to) (their
 * earliest t0 falls in it), by external id. None with `enabled` off (no revenue is shown then).
 */
async function holdoutsFor(
  shopId: bigint,
  ids: Map<string, string>,
  range: ReportRange,
  settings: AttributionSettings,
): Promise<Map<string, HoldoutFigures>> {
  const out = new Map<string, HoldoutFigures>();
  if (!settings.enabled || ids.size === 0) return out;
  const stats = await holdoutStats(shopId, [...ids.values()], settings);
  const external = new Map([...ids].map(([ext, id]) => [id, ext]));
  for (const s of stats) {
    const t = s.first_at.getTime();
    if (t < range.from.getTime() || t >= range.to.getTime()) continue;
    const ext = external.get(s.campaign_id);
    if (ext === undefined) continue;
    out.set(
      ext,
      holdoutFigures(
        {
          treated: {
            n: s.treated.n,
            converted: s.treated.converted,
            sum: s.treated.sum,
            sumSquares: s.treated.sum_squares,
          },
          heldOut: {
            n: s.held_out.n,
            converted: s.held_out.converted,
            sum: s.held_out.sum,
            sumSquares: s.held_out.sum_squares,
          },
          overlap: s.overlap,
        },
        settings.currency,
      ),
    );
  }
  return out;
}

/**
 * The campaign report for [from, to) (API.md): summary, one row per campaign (sorted by campaign id, byte order)
 * with its holdout, and with `compare` the earlier period's summary, the changes and each campaign's earlier figures.
 */
export async function campaignReport(
  shopId: bigint,
  range: ReportRange,
  opts: ReportOptions = {},
): Promise<ReportJson> {
  const settings = await attributionSettings(shopId);
  const { campaignIds, ...base } = await baseReport(shopId, range, settings);
  const holdouts = await holdoutsFor(shopId, campaignIds, range, settings);
  const campaigns: CampaignRowJson[] = base.campaigns.map((c) => ({ ...c, holdout: holdouts.get(c.id) ?? null }));
  const report: ReportJson = {
    ...base,
    summary: { ...base.summary, incremental_revenue: totalIncremental([...holdouts.values()], settings.currency) },
    campaigns,
  };
  if (!opts.compare) return report;
  const prevRange = comparePeriod(range, opts.compare, opts.timeZone ?? "UTC");
  const { campaignIds: _ids, ...prev } = await baseReport(shopId, prevRange, settings);
  const prevBy = new Map(prev.campaigns.map((c) => [c.id, c]));
  const zero = formatAmount(0, settings.currency);
  for (const c of campaigns) {
    const p = prevBy.get(c.id);
    c.previous = { purchases: p?.purchases ?? 0, revenue: p?.revenue ?? zero };
  }
  report.previous = { from: prev.from, to: prev.to, ...prev.summary };
  report.change = Object.fromEntries(
    CHANGE_FIELDS.map((f) => [f, changeFraction(report.summary[f], prev.summary[f])]),
  ) as ChangeJson;
  return report;
}

/** The field names (and order) of a campaign row: the CSV header. */
export const CAMPAIGN_ROW_FIELDS: readonly (keyof CampaignRow)[] = [
  "id",
  "name",
  "channel",
  "sent",
  "delivered",
  "opened",
  "clicked",
  "purchases",
  "gross",
  "refunded",
  "revenue",
  "average_check",
  "sale_formula",
];

/**
 * The CSV form of report rows: the row fields (CAMPAIGN_ROW_FIELDS), then the holdout flattened as
 * `holdout_<field>` (empty cells where the campaign has no holdout or a figure is null), then, when compared,
 * `previous_purchases` and `previous_revenue`.
 */
export function reportCsvRows(report: ReportJson, compared: boolean): { columns: string[]; rows: unknown[][] } {
  const columns: string[] = [
    ...CAMPAIGN_ROW_FIELDS,
    ...HOLDOUT_FIELDS.map((f) => `holdout_${f}`),
    ...(compared ? ["previous_purchases", "previous_revenue"] : []),
  ];
  const rows = report.campaigns.map((c) => [
    ...CAMPAIGN_ROW_FIELDS.map((f) => c[f]),
    ...HOLDOUT_FIELDS.map((f) => {
      const v = c.holdout?.[f] ?? "";
      return typeof v === "boolean" ? String(v) : v;
    }),
    ...(compared ? [c.previous?.purchases ?? "", c.previous?.revenue ?? ""] : []),
  ]);
  return { columns, rows };
}

export interface CampaignOrderJson {
  id: string;
  time_of_sale: string;
  gross: string;
  refunded: string;
  revenue: string;
  /** The order's name as merchants know it (`#1001`); null when the source gave none. */
  name: string | null;
}

/** The CSV columns of a campaign's orders (GET /api/v1/campaigns/{id}?format=csv): the JSON fields plus the link. */
export const CAMPAIGN_ORDER_FIELDS = [
  "id",
  "name",
  "time_of_sale",
  "gross",
  "refunded",
  "revenue",
  "admin_url",
] as const;

export type CampaignDetailJson = CampaignRowJson & {
  currency: string;
  from: string;
  to: string;
  orders: CampaignOrderJson[];
  /** True when the campaign has more orders in the period than `orders` lists (at most 10,000). */
  orders_truncated: boolean;
};

const MAX_DETAIL_ORDERS = 10_000;

/** One campaign's row for [from, to) and its attributed orders; null for a campaign unknown to the shop. */
export async function campaignDetail(
  shopId: bigint,
  campaignExternalId: string,
  range: ReportRange,
): Promise<CampaignDetailJson | null> {
  const info = await findCampaign(shopId, campaignExternalId);
  if (!info) return null;
  const settings = await attributionSettings(shopId);
  const currency = settings.currency;
  // The same sums as the report (one code path), restricted to this campaign.
  const [stats, sales, orders] = await Promise.all([
    messageStatsByCampaign(shopId, range.from, range.to),
    salesByCampaign(shopId, range.from, range.to),
    settings.enabled
      ? campaignOrders(shopId, info.id, range.from, range.to, MAX_DETAIL_ORDERS + 1)
      : Promise.resolve([]),
  ]);
  const row = campaignRow(
    info,
    stats.find((r) => r.campaign_id === info.id),
    sales.find((r) => r.campaign_id === info.id),
    settings,
  );
  const holdouts = await holdoutsFor(shopId, new Map([[info.external_id, info.id]]), range, settings);
  return {
    ...row,
    holdout: holdouts.get(info.external_id) ?? null,
    currency,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    orders: orders.slice(0, MAX_DETAIL_ORDERS).map((o) => {
      const refunded = new Money(o.refunded);
      return {
        id: o.id,
        time_of_sale: o.time_of_sale.toISOString(),
        gross: formatAmount(o.gross, currency),
        refunded: formatAmount(refunded, currency),
        revenue: formatAmount(new Money(o.gross).minus(refunded), currency),
        name: o.name,
      };
    }),
    orders_truncated: orders.length > MAX_DETAIL_ORDERS,
  };
}

export interface OrderAttributionJson {
  order_id: string;
  attributed: boolean;
  campaign_id: string | null;
  message_id: string | null;
  channel: Channel | null;
  event_type: string | null;
  event_at: string | null;
  explanation: string;
  /** Why unattributed: no_match, outside_window, excluded_tag, other_currency, cancelled, test; null when attributed. */
  reason: string | null;
  /** "identity" (recipient keys) or "click" (tracked link); null when unattributed. */
  linked_by: "identity" | "click" | null;
  time_of_sale: string;
  /** The order's name as merchants know it (`#1001`), null when unknown. */
  name: string | null;
  /** The campaign's name as the report shows it; null when unattributed. */
  campaign_name: string | null;
}

/**
 * Why an order went to a campaign, or to none. The answer is the stored attribution (the row the reports read:
 * winner, event, reason); the domain's rule, run on the order and every message that could match it, only adds the
 * facts around it for the sentence (how many messages qualified, which excluded tags, which channels matched). An
 * order the worker has not attributed yet is answered by the rule alone. A redacted order (its customer data erased)
 * keeps its stored attribution; its explanation says so. Null for an unknown order.
 */
export async function orderAttribution(shopId: bigint, orderExternalId: string): Promise<OrderAttributionJson | null> {
  const order = await findOrder(shopId, orderExternalId);
  if (!order) return null;
  const settings = await attributionSettings(shopId);
  const stored = await storedAttribution(order.id);
  if (order.redacted_at) {
    const a = stored;
    const attributed = !!a?.message_external_id && !!a.campaign_external_id;
    return {
      order_id: order.external_id,
      attributed,
      campaign_id: attributed ? a!.campaign_external_id : null,
      message_id: attributed ? a!.message_external_id : null,
      channel: attributed ? (a!.channel as Channel) : null,
      event_type: attributed ? a!.event_type : null,
      event_at: attributed && a!.event_at ? a!.event_at.toISOString() : null,
      explanation: attributed
        ? `The buyer's personal data was erased (customer redaction); the order keeps the attribution made before: campaign “${a!.campaign_name ?? a!.campaign_external_id}” (${a!.channel}).`
        : "The buyer's personal data was erased (customer redaction); the order was not attributed before and cannot be matched now.",
      reason: attributed ? null : (a?.reason ?? "no_match"),
      linked_by: attributed ? ((a!.linked_by as "identity" | "click") ?? null) : null,
      time_of_sale: order.time_of_sale.toISOString(),
      name: order.name,
      campaign_name: attributed ? (a!.campaign_name ?? a!.campaign_external_id) : null,
    };
  }
  const live = ruleOnStoredRows(order, await eventsForOrder(shopId, order, trackedIdsOf(order)), settings);
  const result = stored ? storedResult(order, stored, live) : live;
  if (!stored && result.attributed) result.campaignName = (await findCampaign(shopId, result.campaignId))?.name ?? null;
  return {
    order_id: order.external_id,
    attributed: result.attributed,
    campaign_id: result.attributed ? result.campaignId : null,
    message_id: result.attributed ? result.messageId : null,
    channel: result.attributed ? result.channel : null,
    event_type: result.attributed ? result.eventType : null,
    event_at: result.attributed ? result.eventAt.toISOString() : null,
    explanation: explain(result, settings),
    reason: result.attributed ? null : result.reason,
    linked_by: result.attributed ? (result.via === "tracked_link" ? "click" : "identity") : null,
    time_of_sale: order.time_of_sale.toISOString(),
    name: order.name,
    campaign_name: result.attributed ? (result.campaignName ?? result.campaignId) : null,
  };
}

function trackedIdsOf(order: StoredOrder): string[] {
  return trackedMessageIds({ landingSite: order.landing_site });
}

/** The stored attribution as a rule result, with the surrounding facts taken from the rule's own run (`live`). */
function storedResult(order: StoredOrder, a: StoredAttribution, live: AttributionResult): AttributionResult {
  const timeOfSale = order.time_of_sale;
  if (a.message_external_id && a.campaign_external_id && a.reason === null && a.event_type && a.event_at) {
    const same = live.attributed && live.messageId === a.message_external_id ? live : null;
    return {
      attributed: true,
      orderId: order.external_id,
      timeOfSale,
      messageId: a.message_external_id,
      campaignId: a.campaign_external_id,
      campaignName: a.campaign_name,
      channel: a.channel as Channel,
      eventType: a.event_type as StageEvent,
      eventAt: a.event_at,
      sentAt: same?.sentAt ?? a.event_at,
      via: a.linked_by === "click" ? "tracked_link" : "keys",
      eventVia: same?.eventVia ?? "event",
      qualifyingMessages: live.attributed ? live.qualifyingMessages : 1,
    };
  }
  const reason = (a.reason ?? "no_match") as UnattributedReason;
  const facts = !live.attributed ? live : null;
  return {
    attributed: false,
    orderId: order.external_id,
    timeOfSale,
    reason,
    orderCurrency: order.currency,
    matchedChannels: facts?.matchedChannels ?? [],
    excludedTags: reason === "excluded_tag" ? (facts?.excludedTags ?? []) : [],
  };
}

/** The domain's rule on the stored order and the stored events of every message that could match it. */
function ruleOnStoredRows(order: StoredOrder, events: StoredEvent[], settings: AttributionSettings): AttributionResult {
  const inputs: AttributionEventInput[] = events.map((e) => ({
    externalId: e.dedup_key,
    type: e.type,
    channel: e.channel as Channel,
    occurredAt: e.occurred_at,
    campaignId: e.campaign_key,
    campaignName: e.campaign_name,
    messageId: e.message_key,
    recipient: { email: e.email_key, phone: e.phone_key, customerId: e.customer_key },
    tags: e.tags,
    url: e.url,
    machine: e.machine,
    source: e.source as EventSource,
    orderExternalId: e.order_key,
  }));
  return attributeOrder(
    {
      externalId: order.external_id,
      name: null,
      processedAt: order.time_of_sale,
      createdAt: order.source_created_at,
      updatedAt: null,
      currency: order.currency,
      totalPrice: order.total_price,
      email: order.email_keys[0] ?? null,
      phone: order.phone_keys[0] ?? null,
      customer: {
        id: order.customer_key,
        email: order.email_keys[1] ?? null,
        phone: order.phone_keys[1] ?? null,
      },
      test: order.test,
      cancelledAt: order.cancelled_at,
      landingSite: order.landing_site,
      refunds: [],
    },
    buildMessages(inputs),
    settings,
  );
}

export interface RevenuePoint {
  /** The bucket's first date in the shop's time zone (a Monday for weeks), YYYY-MM-DD. */
  date: string;
  /** Revenue of the attributed orders. */
  revenue: string;
  /** Revenue of every counted order. */
  store_revenue: string;
  /** Attributed orders. */
  purchases: number;
}

function isWholeHourZone(timeZone: string, range: ReportRange): boolean {
  if (tzOffset(timeZone, range.from) % 60 !== 0) return false;
  return tzScan(timeZone, { start: range.from, end: range.to }).every((c) => c.offset % 60 === 0);
}

function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function mondayOf(date: string): string {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday
  return addDaysIso(date, -((dow + 6) % 7));
}

/**
 * Revenue over [from, to) by day or ISO week in `timeZone` (every bucket of the range, zeros included), for charts.
 * Throws a RangeError for an unknown time zone.
 */
export async function revenueSeries(
  shopId: bigint,
  range: ReportRange,
  timeZone: string,
  bucket: "day" | "week",
): Promise<RevenuePoint[]> {
  new Intl.DateTimeFormat("en-US", { timeZone }); // RangeError for an unknown zone
  if (range.to.getTime() <= range.from.getTime()) return [];
  const settings = await attributionSettings(shopId);
  const currency = settings.currency;
  const rows = settings.enabled
    ? await salesSeries(shopId, range.from, range.to, timeZone, bucket, !isWholeHourZone(timeZone, range))
    : [];
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const first = format(new TZDate(range.from, timeZone), "yyyy-MM-dd");
  const last = format(new TZDate(new Date(range.to.getTime() - 1), timeZone), "yyyy-MM-dd");
  const out: RevenuePoint[] = [];
  const step = bucket === "day" ? 1 : 7;
  for (let d = bucket === "day" ? first : mondayOf(first); d <= last; d = addDaysIso(d, step)) {
    const r = byDate.get(d);
    out.push({
      date: d,
      revenue: formatAmount(r ? new Money(r.gross).minus(r.refunded) : 0, currency),
      store_revenue: formatAmount(r ? new Money(r.store_gross).minus(r.store_refunded) : 0, currency),
      purchases: r ? r.purchases : 0,
    });
  }
  return out;
}
