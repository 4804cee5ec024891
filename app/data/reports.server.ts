/**
 * Reads of the report path. Sums come from the rollups the engine keeps (rollup_sales, rollup_messages: per UTC day
 * and per hour, per campaign); the parts of a period that are not whole hours come from the rows themselves
 * (attributions, messages) through their (shop_id, time) indexes. A period [from, to) is cut into:
 *   raw [from, h1) + hourly [h1, d1) + daily [d1, d2) + hourly [d2, h2) + raw [h2, to)
 * with h1/h2 the whole hours and d1/d2 the whole UTC days inside it, so a year reads ~365 daily rows per campaign at
 * most, plus at most 2 x 23 hourly rows and 2 partial hours of rows.
 * Every read here goes through `readPool()`: a read replica when DATABASE_READ_URL is set (ADR 012).
 */
import { readPool } from "../db.server";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Segments {
  raw: [Date, Date][];
  hour: [Date, Date][];
  day: [Date, Date][];
}

const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;
const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

export function segments(from: Date, to: Date): Segments {
  const f = from.getTime();
  const t = to.getTime();
  const out: Segments = { raw: [], hour: [], day: [] };
  if (t <= f) return out;
  const h1 = ceilTo(f, HOUR);
  const h2 = floorTo(t, HOUR);
  if (h1 >= h2) {
    out.raw.push([from, to]);
    return out;
  }
  if (f < h1) out.raw.push([from, new Date(h1)]);
  if (h2 < t) out.raw.push([new Date(h2), to]);
  const d1 = ceilTo(h1, DAY);
  const d2 = floorTo(h2, DAY);
  if (d1 < d2) {
    if (h1 < d1) out.hour.push([new Date(h1), new Date(d1)]);
    out.day.push([new Date(d1), new Date(d2)]);
    if (d2 < h2) out.hour.push([new Date(d2), new Date(h2)]);
  } else {
    out.hour.push([new Date(h1), new Date(h2)]);
  }
  return out;
}

/** `(col >= $a AND col < $b) OR ...` for the ranges, pushing the bounds into params; "false" when none. */
function ranges(col: string, rs: [Date, Date][], params: unknown[]): string {
  if (rs.length === 0) return "false";
  return rs
    .map(([a, b]) => {
      params.push(a.toISOString(), b.toISOString());
      return `(${col} >= $${params.length - 1}::timestamptz AND ${col} < $${params.length}::timestamptz)`;
    })
    .join(" OR ");
}

export interface SalesRow {
  /** campaigns.id, "0" for counted orders that no campaign earned. */
  campaign_id: string;
  purchases: number;
  gross: string;
  refunded: string;
}

/** Counted orders of [from, to) by campaign (time of sale). */
export async function salesByCampaign(shopId: bigint, from: Date, to: Date): Promise<SalesRow[]> {
  const s = segments(from, to);
  const params: unknown[] = [shopId.toString()];
  const day = ranges("bucket", s.day, params);
  const hour = ranges("bucket", s.hour, params);
  const raw = ranges("time_of_sale", s.raw, params);
  const r = await readPool().query(
    `SELECT campaign_id::text, sum(purchases)::int AS purchases, sum(gross)::text AS gross, sum(refunded)::text AS refunded
       FROM (
         SELECT campaign_id, purchases, gross, refunded FROM rollup_sales
          WHERE shop_id = $1 AND grain = 'd' AND (${day})
         UNION ALL
         SELECT campaign_id, purchases, gross, refunded FROM rollup_sales
          WHERE shop_id = $1 AND grain = 'h' AND (${hour})
         UNION ALL
         SELECT COALESCE(campaign_id, 0), 1, gross, refunded FROM attributions
          WHERE shop_id = $1 AND counted AND (${raw})
       ) x
      GROUP BY campaign_id`,
    params,
  );
  return r.rows;
}

export interface MessageStatsRow {
  campaign_id: string;
  messages: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
}

/** Messages whose sent time falls in [from, to), by campaign, with the recorded event types. */
export async function messageStatsByCampaign(shopId: bigint, from: Date, to: Date): Promise<MessageStatsRow[]> {
  const s = segments(from, to);
  const params: unknown[] = [shopId.toString()];
  const day = ranges("bucket", s.day, params);
  const hour = ranges("bucket", s.hour, params);
  const raw = ranges("sent_at", s.raw, params);
  const r = await readPool().query(
    `SELECT campaign_id::text, sum(messages)::int AS messages, sum(sent)::int AS sent,
            sum(delivered)::int AS delivered, sum(opened)::int AS opened, sum(clicked)::int AS clicked
       FROM (
         SELECT campaign_id, messages, sent, delivered, opened, clicked FROM rollup_messages
          WHERE shop_id = $1 AND grain = 'd' AND (${day})
         UNION ALL
         SELECT campaign_id, messages, sent, delivered, opened, clicked FROM rollup_messages
          WHERE shop_id = $1 AND grain = 'h' AND (${hour})
         UNION ALL
         SELECT campaign_id, 1, has_sent::int, has_delivered::int, has_opened::int, has_clicked::int FROM messages
          WHERE shop_id = $1 AND (${raw})
       ) x
      GROUP BY campaign_id
     HAVING sum(messages) > 0`,
    params,
  );
  return r.rows;
}

export interface CampaignInfo {
  id: string;
  external_id: string;
  name: string | null;
  channel: string;
}

export async function campaignsByIds(shopId: bigint, ids: string[]): Promise<CampaignInfo[]> {
  if (ids.length === 0) return [];
  const r = await readPool().query(
    `SELECT id::text, external_id, name, channel FROM campaigns WHERE shop_id = $1 AND id = ANY($2::bigint[])`,
    [shopId.toString(), ids],
  );
  return r.rows;
}

export async function findCampaign(shopId: bigint, externalId: string): Promise<CampaignInfo | null> {
  const r = await readPool().query(
    `SELECT id::text, external_id, name, channel FROM campaigns WHERE shop_id = $1 AND external_id = $2`,
    [shopId.toString(), externalId],
  );
  return r.rows[0] ?? null;
}

export interface CampaignOrderRow {
  id: string;
  time_of_sale: Date;
  gross: string;
  refunded: string;
  /** The order's name (`#1001`), null when the source gave none. */
  name: string | null;
}

/** The counted orders a campaign earned in [from, to), by time of sale. */
export async function campaignOrders(
  shopId: bigint,
  campaignId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<CampaignOrderRow[]> {
  const r = await readPool().query(
    `SELECT o.external_id AS id, a.time_of_sale, a.gross::text, a.refunded::text, o.name
       FROM attributions a JOIN orders o ON o.id = a.order_id
      WHERE a.shop_id = $1 AND a.campaign_id = $2 AND a.counted AND a.time_of_sale >= $3 AND a.time_of_sale < $4
      ORDER BY a.time_of_sale, o.external_id
      LIMIT $5`,
    [shopId.toString(), campaignId, from.toISOString(), to.toISOString(), limit],
  );
  return r.rows;
}

export interface StoredOrder {
  id: string;
  external_id: string;
  currency: string;
  total_price: string;
  refunded_total: string;
  time_of_sale: Date;
  processed_at: Date | null;
  source_created_at: Date | null;
  test: boolean;
  cancelled_at: Date | null;
  email_keys: string[];
  phone_keys: string[];
  customer_key: string | null;
  landing_site: string | null;
  redacted_at: Date | null;
  /** The order's name as merchants know it (`#1001`); null when the source gave none. */
  name: string | null;
}

export async function findOrder(shopId: bigint, externalId: string): Promise<StoredOrder | null> {
  const r = await readPool().query(
    `SELECT id::text, external_id, currency, total_price::text, refunded_total::text, time_of_sale, processed_at,
            source_created_at, test, cancelled_at, email_keys, phone_keys, customer_key, landing_site, redacted_at,
            name
       FROM orders WHERE shop_id = $1 AND external_id = $2`,
    [shopId.toString(), externalId],
  );
  return r.rows[0] ?? null;
}

export interface StoredAttribution {
  message_external_id: string | null;
  campaign_external_id: string | null;
  campaign_name: string | null;
  channel: string | null;
  event_type: string | null;
  event_at: Date | null;
  linked_by: string | null;
  reason: string | null;
  settings_version: number;
  /** The order's figures as the report counts them (decimal strings), and whether it counts at all. */
  counted: boolean;
  gross: string;
  refunded: string;
}

export async function storedAttribution(orderId: string): Promise<StoredAttribution | null> {
  const r = await readPool().query(
    `SELECT m.external_id AS message_external_id, c.external_id AS campaign_external_id, c.name AS campaign_name,
            a.channel, a.event_type, a.event_at, a.linked_by, a.reason, a.settings_version,
            a.counted, a.gross::text AS gross, a.refunded::text AS refunded
       FROM attributions a LEFT JOIN messages m ON m.id = a.message_id LEFT JOIN campaigns c ON c.id = a.campaign_id
      WHERE a.order_id = $1`,
    [orderId],
  );
  return r.rows[0] ?? null;
}

export interface StoredEvent {
  dedup_key: string;
  message_key: string;
  campaign_key: string;
  campaign_name: string | null;
  type: string;
  channel: string;
  occurred_at: Date;
  email_key: string | null;
  phone_key: string | null;
  customer_key: string | null;
  tags: string[];
  url: string | null;
  machine: boolean;
  source: string;
  order_key: string | null;
}

/** Every event of every message that could match the order (by a key, a tracked-link event, or a landing's id). */
export async function eventsForOrder(
  shopId: bigint,
  order: Pick<StoredOrder, "email_keys" | "phone_keys" | "customer_key" | "external_id">,
  trackedMessageIds: string[],
): Promise<StoredEvent[]> {
  const r = await readPool().query(
    `WITH mk AS (
       SELECT message_key FROM message_events WHERE shop_id = $1 AND email_key = ANY($2::text[])
       UNION SELECT message_key FROM message_events WHERE shop_id = $1 AND phone_key = ANY($3::text[])
       UNION SELECT message_key FROM message_events WHERE shop_id = $1 AND customer_key = $4
       UNION SELECT message_key FROM message_events WHERE shop_id = $1 AND order_key = $5
       UNION SELECT unnest($6::text[])
     )
     SELECT e.dedup_key, e.message_key, e.campaign_key, e.campaign_name, e.type, e.channel, e.occurred_at, e.email_key,
            e.phone_key, e.customer_key, e.tags, e.url, e.machine, e.source, e.order_key
       FROM message_events e JOIN mk ON e.shop_id = $1 AND e.message_key = mk.message_key`,
    [shopId.toString(), order.email_keys, order.phone_keys, order.customer_key, order.external_id, trackedMessageIds],
  );
  return r.rows;
}

export interface SeriesRow {
  date: string;
  purchases: number;
  gross: string;
  refunded: string;
  store_gross: string;
  store_refunded: string;
}

/**
 * Sales of [from, to) grouped by date in `timeZone` (bucket "day" or ISO "week", dated by its Monday). `exact`
 * reads rows only (time zones whose offset is not whole hours); otherwise whole hours come from the hourly rollup.
 */
export async function salesSeries(
  shopId: bigint,
  from: Date,
  to: Date,
  timeZone: string,
  bucket: "day" | "week",
  exact: boolean,
): Promise<SeriesRow[]> {
  const params: unknown[] = [shopId.toString(), timeZone];
  let hourRanges: [Date, Date][] = [];
  let rawRanges: [Date, Date][] = [[from, to]];
  if (!exact) {
    const s = segments(from, to);
    hourRanges = [...s.hour, ...s.day];
    rawRanges = s.raw;
  }
  const hour = ranges("bucket", hourRanges, params);
  const raw = ranges("time_of_sale", rawRanges, params);
  const dateExpr = bucket === "day" ? `(x.t AT TIME ZONE $2)::date` : `date_trunc('week', x.t AT TIME ZONE $2)::date`;
  const r = await readPool().query(
    `SELECT to_char(${dateExpr}, 'YYYY-MM-DD') AS date,
            COALESCE(sum(x.purchases) FILTER (WHERE x.campaign_id <> 0), 0)::int AS purchases,
            COALESCE(sum(x.gross) FILTER (WHERE x.campaign_id <> 0), 0)::text AS gross,
            COALESCE(sum(x.refunded) FILTER (WHERE x.campaign_id <> 0), 0)::text AS refunded,
            sum(x.gross)::text AS store_gross, sum(x.refunded)::text AS store_refunded
       FROM (
         SELECT bucket AS t, campaign_id, purchases, gross, refunded FROM rollup_sales
          WHERE shop_id = $1 AND grain = 'h' AND (${hour})
         UNION ALL
         SELECT time_of_sale, COALESCE(campaign_id, 0), 1, gross, refunded FROM attributions
          WHERE shop_id = $1 AND counted AND (${raw})
       ) x
      GROUP BY 1 ORDER BY 1`,
    params,
  );
  return r.rows;
}
