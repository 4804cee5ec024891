/**
 * Holdout statistics, set-based (ATTRIBUTION.md, "Holdouts"; ADR 011). One statement per call, whatever the number
 * of recipients: per recipient identity its t0 and outcome, then per campaign and group the sufficient statistics
 * (n, converted, sum, sum of squares) that app/domain/holdout.ts turns into the published figures.
 *
 *   treated T: distinct identities of the campaign's messages with a `sent` event (t0 = the message's sent time,
 *              which is its earliest `sent`), via messages (campaign_id, sent_at);
 *   control H: distinct identities of the campaign's `held_out` events (t0 = the earliest), via the partial index;
 *   identity:  the recipient's email key, else phone key, else customer key (normalised at ingestion);
 *   overlap:   identities in both groups, dropped from both (one aggregation of both groups by identity);
 *   outcome:   revenue (gross - capped refunded, from the attributions rows the engine keeps) of every counted order
 *              matching any of the recipient's keys with time of sale in [t0, t0 + W], W = the window of the
 *              campaign's channel; an order counts once per recipient. Orders and recipients meet in a hash join on
 *              their prefixed keys, the orders read once by time of sale.
 */
import { pool } from "../db.server";
import type { AttributionSettings } from "../domain/settings";
import { CHANNELS } from "../domain/types";

export interface HoldoutGroupRow {
  n: number;
  converted: number;
  sum: string;
  sum_squares: string;
}

export interface HoldoutStatsRow {
  /** campaigns.id */
  campaign_id: string;
  /** The campaign's earliest t0 (sent or held out), which decides the report period it belongs to. */
  first_at: Date;
  overlap: number;
  treated: HoldoutGroupRow;
  held_out: HoldoutGroupRow;
}

const emptyGroup = (): HoldoutGroupRow => ({ n: 0, converted: 0, sum: "0", sum_squares: "0" });

/**
 * Holdout statistics of the given campaigns (campaigns.id) that have at least one held-out recipient; campaigns
 * without one are absent from the result.
 */
export async function holdoutStats(
  shopId: bigint,
  campaignIds: string[],
  settings: Pick<AttributionSettings, "channels">,
): Promise<HoldoutStatsRow[]> {
  if (campaignIds.length === 0) return [];
  // Most reports have no holdout at all: find the campaigns with a held-out recipient first (the partial index).
  const withHoldout = await pool().query<{ id: string }>(
    `SELECT c.id::text FROM campaigns c
      WHERE c.shop_id = $1 AND c.id = ANY($2::bigint[])
        AND EXISTS (SELECT 1 FROM message_events e
                     WHERE e.shop_id = $1 AND e.type = 'held_out' AND e.campaign_key = c.external_id)`,
    [shopId.toString(), campaignIds],
  );
  if (withHoldout.rows.length === 0) return [];
  const chs = [...CHANNELS];
  const win = chs.map((c) => settings.channels[c].window_hours);
  const client = await pool().connect();
  let r;
  try {
    await client.query("BEGIN");
    // One big statement: JIT compilation would cost more than it saves (seconds on small machines); sorts and
    // hashes of a 1M-recipient campaign fit in memory.
    await client.query("SET LOCAL jit = off");
    await client.query("SET LOCAL work_mem = '128MB'");
    // The planner underestimates the CTEs' rows and sorts 1M recipient keys for a merge join; hashing the window's
    // orders (few) and probing with the recipients' keys is linear.
    await client.query("SET LOCAL enable_mergejoin = off");
    r = await client.query<{
      cid: string;
      /** 1 treated, 2 held out, 3 overlap */
      grp: number;
      n: string;
      converted: string;
      s: string;
      ss: string;
      first_at: Date;
    }>(
      `WITH c AS MATERIALIZED (
       SELECT c.id, c.external_id, COALESCE(($4::int[])[array_position($3::text[], c.channel)], 24) AS w
         FROM campaigns c
        WHERE c.shop_id = $1 AND c.id = ANY($2::bigint[])
          AND EXISTS (SELECT 1 FROM message_events e
                       WHERE e.shop_id = $1 AND e.type = 'held_out' AND e.campaign_key = c.external_id)
     ), base AS (
       SELECT c.id AS cid, c.w, 1 AS g, m.sent_at AS t, m.email_key AS email, m.phone_key AS phone,
              m.customer_key AS cust
         FROM c JOIN messages m ON m.campaign_id = c.id AND m.has_sent AND m.sent_at IS NOT NULL
       UNION ALL
       SELECT c.id, c.w, 2, e.occurred_at, e.email_key, e.phone_key, e.customer_key
         FROM c JOIN message_events e ON e.shop_id = $1 AND e.type = 'held_out' AND e.campaign_key = c.external_id
     ), r AS MATERIALIZED (
       -- One row per (campaign, identity): grp 1 treated, 2 held out, 3 both (overlap); t0 its group's earliest time.
       SELECT cid, bit_or(g) AS grp, min(w) AS w,
              CASE WHEN bit_or(g) = 2 THEN min(t) FILTER (WHERE g = 2) ELSE min(t) FILTER (WHERE g = 1) END AS t0,
              min(email) AS email, min(phone) AS phone, min(cust) AS cust, min(t) AS first_at, ident
         FROM (SELECT base.*, COALESCE('e:' || email, 'p:' || phone, 'c:' || cust) COLLATE "C" AS ident FROM base) b
        GROUP BY cid, ident
     ), rk AS (
       SELECT grp, cid, ident, t0, t0 + make_interval(hours => w) AS t1, ('e:' || email) COLLATE "C" AS key FROM r
        WHERE grp <> 3 AND email IS NOT NULL
       UNION ALL SELECT grp, cid, ident, t0, t0 + make_interval(hours => w), 'p:' || phone FROM r
        WHERE grp <> 3 AND phone IS NOT NULL
       UNION ALL SELECT grp, cid, ident, t0, t0 + make_interval(hours => w), 'c:' || cust FROM r
        WHERE grp <> 3 AND cust IS NOT NULL
     ), span AS (
       SELECT min(t0) AS lo, max(t0 + make_interval(hours => w)) AS hi FROM r WHERE grp <> 3
     ), o AS MATERIALIZED (
       SELECT o.id, o.time_of_sale, o.email_keys, o.phone_keys, o.customer_key
         FROM orders o, span WHERE o.shop_id = $1 AND o.time_of_sale BETWEEN span.lo AND span.hi
     ), ok AS (
       SELECT o.id, o.time_of_sale, ('e:' || k) COLLATE "C" AS key FROM o, unnest(o.email_keys) k
       UNION ALL SELECT o.id, o.time_of_sale, 'p:' || k FROM o, unnest(o.phone_keys) k
       UNION ALL SELECT o.id, o.time_of_sale, 'c:' || o.customer_key FROM o WHERE o.customer_key IS NOT NULL
     ), hit AS (
       SELECT DISTINCT rk.grp, rk.cid, rk.ident, ok.id AS oid
         FROM rk JOIN ok ON ok.key = rk.key AND ok.time_of_sale BETWEEN rk.t0 AND rk.t1
     ), y AS (
       SELECT hit.grp, hit.cid, hit.ident, sum(a.gross - a.refunded) AS y
         FROM hit JOIN attributions a ON a.order_id = hit.oid AND a.counted
        GROUP BY 1, 2, 3
     )
     SELECT r.cid::text, r.grp::int, count(*)::text AS n, count(y.y)::text AS converted,
            COALESCE(sum(y.y), 0)::text AS s, COALESCE(sum(y.y * y.y), 0)::text AS ss,
            min(r.first_at) AS first_at
       FROM r LEFT JOIN y ON y.grp = r.grp AND y.cid = r.cid AND y.ident = r.ident
      GROUP BY r.cid, r.grp`,
      [shopId.toString(), withHoldout.rows.map((x) => x.id), chs, win],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  const by = new Map<string, HoldoutStatsRow>();
  for (const row of r.rows) {
    let s = by.get(row.cid);
    if (!s) {
      s = { campaign_id: row.cid, first_at: row.first_at, overlap: 0, treated: emptyGroup(), held_out: emptyGroup() };
      by.set(row.cid, s);
    }
    if (row.first_at < s.first_at) s.first_at = row.first_at;
    if (row.grp === 3) s.overlap = Number(row.n);
    else {
      const g: HoldoutGroupRow = {
        n: Number(row.n),
        converted: Number(row.converted),
        sum: row.s,
        sum_squares: row.ss,
      };
      if (row.grp === 1) s.treated = g;
      else s.held_out = g;
    }
  }
  return [...by.values()];
}
