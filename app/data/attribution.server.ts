/**
 * Set-based SQL of the attribution engine (the rules are in app/domain/attribution.ts; this file is their SQL form,
 * proven equal by tests/integration/attribution-property.test.ts). Every function runs in the caller's transaction,
 * after `lockShop`, so that one shop's attribution work is serialised across workers while reading a snapshot taken
 * after the lock (READ COMMITTED: each statement sees everything committed before it).
 *
 * Shape of one pass over a set of orders (the "scope": a list of ids, or a time-of-sale range):
 *   1. candidates  (attr_cand): (order, message, qualifying event) rows, through
 *        a. the order's keys: events of the same email/phone/customer key within the longest window, using the
 *           (shop_id, <key>, occurred_at) indexes, one index range scan per key;
 *        b. messages the order names (tracked-link events with order_key = the order, the landing site's cr_mid,
 *           messages whose events carry differing keys, matched on the union of their keys): their events within
 *           the window, plus the landing itself as a click at the time of sale;
 *      each filtered by the message's channel (connecting stage, window), machine opens, and flagged when the
 *      message carries an excluded tag;
 *   2. outcomes (attr_new): per order the winner (latest sent, then latest event, then greatest message id in
 *      byte order), or the reason for none; redacted orders keep their stored attribution;
 *   3. apply: rollup deltas (old row out, new row in, so a re-run adds zero) and the attribution upsert.
 */
import type { PoolClient } from "pg";
import { trackedMessageIds } from "../domain/messages";
import { EVENT_PREFERENCE, REASON_PRECEDENCE, TIE_BREAK, type ReasonFact, type TieBreakKey } from "../domain/rule";
import { stageOf } from "../domain/stages";
import { defaultChannels, type AttributionSettings } from "../domain/settings";
import { CHANNELS, type Channel } from "../domain/types";
import { env } from "../env.server";

/** ATTRIBUTION_TIMING=1 logs the time of each statement of a pass (for tuning). */
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (!env().ATTRIBUTION_TIMING) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    process.stderr.write(`[attribution] ${label}: ${Math.round(performance.now() - t0)} ms\n`);
  }
}

/**
 * ATTRIBUTION_EXPLAIN=1 also writes each data statement's plan (EXPLAIN (ANALYZE, BUFFERS)) to stderr: the
 * statement runs twice (the plan, then the real run), so use it for profiling only (docs/decisions/007, "Profiles").
 */
const EXPLAIN = process.env.ATTRIBUTION_EXPLAIN === "1";

type Row = Record<string, unknown>;
async function q<R extends Row = Row>(client: PoolClient, sql: string, params?: unknown[]) {
  const label = sql.trim().replace(/\s+/g, " ").slice(0, 60);
  if (EXPLAIN && /^\s*(CREATE TEMP TABLE|INSERT|UPDATE|DELETE|WITH|SELECT)/i.test(sql) && !/pg_advisory/.test(sql)) {
    await client.query("SAVEPOINT explain_plan");
    const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    await client.query("ROLLBACK TO SAVEPOINT explain_plan");
    process.stderr.write(`[attribution] plan of ${label}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}\n`);
  }
  return timed(label, () => client.query<R>(sql, params));
}

// ---------------------------------------------------------------------------------------------------------- work tables

/**
 * The engine's work tables: temporary, created once per database connection (IF NOT EXISTS, one round trip per
 * pass) and emptied at every commit (ON COMMIT DELETE ROWS), never dropped. A temporary table's rows are not
 * written to the WAL, but creating and dropping one is: its catalog rows (pg_class, pg_attribute, pg_type, ...) took
 * ~32 KB of WAL per table per transaction, ~100 KB per incremental batch, which every durable commit of the web
 * process (a webhook's inbox row) then waited to flush behind (ADR 013, "WAL"). A transaction that rolls back its
 * creation (a settings preview) only makes the next pass create them again.
 */
const WORK_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS eng_new_events (
    id bigint, message_key text, campaign_key text, campaign_name text, channel text, occurred_at timestamptz,
    dedup_key text) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS eng_msg_old (
    id bigint, external_id text, campaign_id bigint, sent_at timestamptz, has_sent boolean, has_delivered boolean,
    has_opened boolean, has_clicked boolean) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS eng_msg_new (
    message_key text, campaign_key text, channel text, sent_at timestamptz, email_key text, phone_key text,
    customer_key text, emails text[], phones text[], customers text[], keys_mixed boolean, has_sent boolean,
    has_delivered boolean, has_opened boolean, has_clicked boolean, first_stage_at timestamptz,
    last_stage_at timestamptz, order_keys text[]) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS attr_cand (
    oid bigint, mid bigint, mkey text, sent_at timestamptz, at timestamptz, stage int, type text, landing boolean,
    excluded boolean, campaign_id bigint, channel text, identity boolean) ON COMMIT DELETE ROWS;
  CREATE TEMP TABLE IF NOT EXISTS attr_new (
    order_id bigint, message_id bigint, campaign_id bigint, channel text, event_type text, event_at timestamptz,
    linked_by text, reason text, time_of_sale timestamptz, counted boolean, gross numeric, refunded numeric,
    settings_version int) ON COMMIT DELETE ROWS;`;

/** Makes sure the work tables exist on this connection and are empty in this transaction. */
async function workTables(client: PoolClient, empty: string[]): Promise<void> {
  await client.query(
    `SET LOCAL client_min_messages = warning; ${WORK_TABLES} ${empty.map((t) => `DELETE FROM ${t};`).join(" ")}`,
  );
}

// ---------------------------------------------------------------------------------------------------------- rollups

type RollupKey = { grain: string; bucket: Date; campaign_id: string };

/**
 * Deletes the rollup rows an upsert just moved to all zeros. A separate statement: the upsert's own data-modifying
 * CTEs share one snapshot, so a DELETE beside them does not see the rows they inserted or updated (it deleted
 * nothing, and rows reaching zero stayed). Checked again here, so a row another transaction moved since stays.
 */
async function deleteEmptyRollupRows(
  client: PoolClient,
  shop: string,
  table: "rollup_sales" | "rollup_messages",
  keys: RollupKey[],
): Promise<void> {
  if (keys.length === 0) return;
  const empty =
    table === "rollup_sales"
      ? "r.purchases = 0 AND r.gross = 0 AND r.refunded = 0"
      : "r.messages = 0 AND r.sent = 0 AND r.delivered = 0 AND r.opened = 0 AND r.clicked = 0";
  await q(
    client,
    `DELETE FROM ${table} r USING unnest($2::char(1)[], $3::timestamptz[], $4::bigint[]) AS k(grain, bucket, campaign_id)
      WHERE r.shop_id = $1 AND r.grain = k.grain AND r.bucket = k.bucket AND r.campaign_id = k.campaign_id AND ${empty}`,
    [shop, keys.map((k) => k.grain), keys.map((k) => k.bucket), keys.map((k) => k.campaign_id)],
  );
}

// ---------------------------------------------------------------------------------------------------------- rule tables

/** The candidate columns (`attr_cand`) the tie-break keys of app/domain/rule.ts read. */
const TIE_COLUMNS: Readonly<Record<TieBreakKey, string>> = {
  sent_at: "sent_at",
  event_at: "at",
  message_id: `mkey COLLATE "C"`,
  stage: "stage",
  landing: "landing",
};

/**
 * `ORDER BY` of the winner per order, built from `TIE_BREAK` then `EVENT_PREFERENCE` (keys already ordered on are
 * skipped): the first row per order is the winning message with its qualifying event.
 */
export function winnerOrderBySql(): string {
  const seen = new Set<TieBreakKey>();
  const parts: string[] = [];
  for (const { key, order } of [...TIE_BREAK, ...EVENT_PREFERENCE]) {
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(`${TIE_COLUMNS[key]} ${order.toUpperCase()}`);
  }
  return parts.join(", ");
}

/**
 * A SQL `CASE` over the entries of `REASON_PRECEDENCE` (first that applies), from the fact expressions given.
 * `until`: stop before that fact (and end with NULL) — the "counted" prefix.
 */
export function reasonCaseSql(facts: Readonly<Partial<Record<ReasonFact, string>>>, until?: ReasonFact): string {
  const whens: string[] = [];
  let otherwise = "NULL";
  for (const r of REASON_PRECEDENCE) {
    if (r.when === until) break;
    const value = r.reason === null ? "NULL" : `'${r.reason}'`;
    if (r.when === "always") {
      otherwise = value;
      break;
    }
    const expr = facts[r.when];
    if (!expr) throw new Error(`no SQL for the reason fact ${r.when}`);
    whens.push(`WHEN ${expr} THEN ${value}`);
  }
  return `CASE ${whens.join(" ")} ELSE ${otherwise} END`;
}

// ---------------------------------------------------------------------------------------------------------- lock

/**
 * Serialises attribution work per shop (incremental batches and re-attribution chunks) until the transaction ends,
 * and takes the shop's row lock (FOR KEY SHARE) before any other row lock of the shop's: shop/redact locks the shop
 * FOR UPDATE first too, then deletes every table's rows, so the two wait for each other in one order (no deadlock
 * over pending_attributions rows a batch has claimed). attributions and the rollups have no foreign key to shops;
 * this lock is what keeps an erased shop's rows from being written after its erasure (see applyAttributions).
 */
export async function lockShop(client: PoolClient, shopId: bigint): Promise<void> {
  await q(client, `SELECT pg_advisory_xact_lock(hashtextextended('attribution:' || $1::text, 0))`, [shopId.toString()]);
  await q(client, `SELECT 1 FROM shops WHERE id = $1 FOR KEY SHARE`, [shopId.toString()]);
}

// ---------------------------------------------------------------------------------------------------------- settings

export interface EngineSettings {
  version: number;
  state: "idle" | "running";
  attributedVersion: number;
  settings: AttributionSettings;
}

export async function readEngineSettings(client: PoolClient, shopId: bigint): Promise<EngineSettings | null> {
  const r = await q<{
    version: number;
    enabled: boolean;
    currency: string;
    channels: Partial<AttributionSettings["channels"]> | null;
    excluded_tags: string[];
    ignore_machine_opens: boolean;
    attribution_state: EngineSettings["state"];
    attributed_version: number;
  }>(
    client,
    `SELECT version, enabled, currency, channels, excluded_tags, ignore_machine_opens, attribution_state,
            attributed_version
       FROM settings WHERE shop_id = $1`,
    [shopId.toString()],
  );
  const row = r.rows[0];
  if (!row) return null;
  const stored = row.channels ?? {};
  const defaults = defaultChannels();
  const channels = Object.fromEntries(CHANNELS.map((c) => [c, stored[c] ?? defaults[c]])) as Record<
    Channel,
    AttributionSettings["channels"][Channel]
  >;
  return {
    version: row.version,
    state: row.attribution_state,
    attributedVersion: row.attributed_version,
    settings: {
      enabled: row.enabled,
      currency: row.currency,
      channels,
      excluded_tags: row.excluded_tags,
      ignore_machine_opens: row.ignore_machine_opens,
    },
  };
}

/** The settings as SQL parameters. */
function settingsParams(s: AttributionSettings) {
  const chs = [...CHANNELS];
  return {
    chs,
    need: chs.map((c) => stageOf(s.channels[c].event)),
    win: chs.map((c) => s.channels[c].window_hours),
    maxWindowHours: Math.max(...chs.map((c) => s.channels[c].window_hours)),
    excluded: [...new Set(s.excluded_tags.map((t) => t.trim().toLowerCase()).filter((t) => t !== ""))],
    ignoreMachineOpens: s.ignore_machine_opens,
    currency: s.currency.toUpperCase(),
  };
}

// ---------------------------------------------------------------------------------------------------------- pending

export interface PendingBatch {
  ids: string[];
  eventIds: string[];
  orderIds: string[];
}

/** Claims up to `limit` pending rows of the shop (oldest first), skipping rows another transaction holds. */
export async function claimPending(client: PoolClient, shopId: bigint, limit: number): Promise<PendingBatch> {
  const r = await q<{ id: string; event_ids: string[]; order_ids: string[] }>(
    client,
    `SELECT id, event_ids, order_ids FROM pending_attributions
      WHERE shop_id = $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [shopId.toString(), limit],
  );
  return {
    ids: r.rows.map((x) => x.id),
    eventIds: [...new Set(r.rows.flatMap((x) => x.event_ids))],
    orderIds: [...new Set(r.rows.flatMap((x) => x.order_ids))],
  };
}

export async function deletePending(client: PoolClient, ids: string[]): Promise<void> {
  if (ids.length) await q(client, `DELETE FROM pending_attributions WHERE id = ANY($1::bigint[])`, [ids]);
}

// ---------------------------------------------------------------------------------------------------------- messages

/**
 * Recomputes the campaigns and messages of the given events from all their events (idempotent: the same events give
 * the same rows), keeps the message-statistics rollup in step, and returns the ids of the orders the changed
 * messages may affect: orders matching a message's keys (or tracked links) whose time of sale lies between its first
 * stage event and its last stage event plus the longest window, and unattributed `no_match` orders of its keys.
 */
export async function refreshMessages(
  client: PoolClient,
  shopId: bigint,
  eventIds: string[],
  maxWindowHours: number,
): Promise<string[]> {
  if (eventIds.length === 0) return [];
  const shop = shopId.toString();
  await workTables(client, ["eng_new_events", "eng_msg_old", "eng_msg_new"]);
  await q(
    client,
    `INSERT INTO eng_new_events
       SELECT id, message_key, campaign_key, campaign_name, channel, occurred_at, dedup_key
         FROM message_events WHERE shop_id = $1 AND id = ANY($2::bigint[])`,
    [shop, eventIds],
  );
  // Campaigns: insert unknown ones; the name is the latest non-null campaign_name (max-merge on (time, key)).
  await q(
    client,
    `INSERT INTO campaigns AS c (shop_id, external_id, name, name_at, name_key, channel)
     SELECT $1, campaign_key, campaign_name, name_at, name_key, channel FROM (
       SELECT DISTINCT ON (campaign_key) campaign_key,
              CASE WHEN campaign_name IS NOT NULL THEN campaign_name END AS campaign_name,
              CASE WHEN campaign_name IS NOT NULL THEN occurred_at END AS name_at,
              CASE WHEN campaign_name IS NOT NULL THEN dedup_key END AS name_key,
              channel
         FROM eng_new_events
        ORDER BY campaign_key, (campaign_name IS NOT NULL) DESC, occurred_at DESC, dedup_key COLLATE "C" DESC) x
     ON CONFLICT (shop_id, external_id) DO UPDATE SET
       name = EXCLUDED.name, name_at = EXCLUDED.name_at, name_key = EXCLUDED.name_key
     WHERE EXCLUDED.name_at IS NOT NULL
       AND (c.name_at IS NULL OR (EXCLUDED.name_at, EXCLUDED.name_key COLLATE "C") > (c.name_at, c.name_key COLLATE "C"))`,
    [shop],
  );
  // The affected messages, before and after.
  await q(
    client,
    `INSERT INTO eng_msg_old
       SELECT m.id, m.external_id, m.campaign_id, m.sent_at, m.has_sent, m.has_delivered, m.has_opened, m.has_clicked
         FROM messages m WHERE m.shop_id = $1 AND m.external_id IN (SELECT DISTINCT message_key FROM eng_new_events)`,
    [shop],
  );
  await q(
    client,
    `INSERT INTO eng_msg_new
     WITH ev AS (
       SELECT e.* FROM message_events e
        WHERE e.shop_id = $1 AND e.message_key IN (SELECT DISTINCT message_key FROM eng_new_events)
     )
     SELECT e.message_key,
            (array_agg(e.campaign_key ORDER BY e.occurred_at, e.dedup_key COLLATE "C"))[1] AS campaign_key,
            (array_agg(e.channel ORDER BY e.occurred_at, e.dedup_key COLLATE "C"))[1] AS channel,
            COALESCE(min(e.occurred_at) FILTER (WHERE e.type = 'sent'), min(e.occurred_at) FILTER (WHERE e.stage > 0),
                     min(e.occurred_at)) AS sent_at,
            min(e.email_key) AS email_key, min(e.phone_key) AS phone_key, min(e.customer_key) AS customer_key,
            array_remove(array_agg(DISTINCT e.email_key), NULL) AS emails,
            array_remove(array_agg(DISTINCT e.phone_key), NULL) AS phones,
            array_remove(array_agg(DISTINCT e.customer_key), NULL) AS customers,
            count(DISTINCT (COALESCE(e.email_key, ''), COALESCE(e.phone_key, ''), COALESCE(e.customer_key, ''))) > 1
              AS keys_mixed,
            bool_or(e.type = 'sent') AS has_sent, bool_or(e.type = 'delivered') AS has_delivered,
            bool_or(e.type = 'opened') AS has_opened, bool_or(e.type = 'clicked') AS has_clicked,
            min(e.occurred_at) FILTER (WHERE e.stage > 0) AS first_stage_at,
            max(e.occurred_at) FILTER (WHERE e.stage > 0) AS last_stage_at,
            array_remove(array_agg(DISTINCT e.order_key), NULL) AS order_keys
       FROM ev e GROUP BY e.message_key`,
    [shop],
  );
  // A message's campaign is the campaign of its first event, which may come from an earlier batch.
  await q(
    client,
    `INSERT INTO campaigns (shop_id, external_id, channel)
     SELECT DISTINCT ON (campaign_key) $1, campaign_key, channel FROM eng_msg_new ORDER BY campaign_key
     ON CONFLICT (shop_id, external_id) DO NOTHING`,
    [shop],
  );
  await q(
    client,
    `INSERT INTO messages AS m
       (shop_id, external_id, campaign_id, channel, email_key, phone_key, customer_key, sent_at, tags,
        has_sent, has_delivered, has_opened, has_clicked, recipient_keys, keys_mixed, first_stage_at, last_stage_at)
     SELECT $1, n.message_key, c.id, n.channel, n.email_key, n.phone_key, n.customer_key, n.sent_at,
            COALESCE((SELECT array_agg(DISTINCT t ORDER BY t) FROM (
                        SELECT lower(btrim(x)) AS t FROM message_events e, unnest(e.tags) x
                         WHERE e.shop_id = $1 AND e.message_key = n.message_key) s WHERE t <> ''), '{}'),
            n.has_sent, n.has_delivered, n.has_opened, n.has_clicked,
            ARRAY(SELECT 'e:' || k FROM unnest(n.emails) k ORDER BY 1) || ARRAY(SELECT 'p:' || k FROM unnest(n.phones) k ORDER BY 1)
              || ARRAY(SELECT 'c:' || k FROM unnest(n.customers) k ORDER BY 1),
            n.keys_mixed, n.first_stage_at, n.last_stage_at
       FROM eng_msg_new n JOIN campaigns c ON c.shop_id = $1 AND c.external_id = n.campaign_key
     ON CONFLICT (shop_id, external_id) DO UPDATE SET
       campaign_id = EXCLUDED.campaign_id, channel = EXCLUDED.channel, email_key = EXCLUDED.email_key,
       phone_key = EXCLUDED.phone_key, customer_key = EXCLUDED.customer_key, sent_at = EXCLUDED.sent_at,
       tags = EXCLUDED.tags, has_sent = EXCLUDED.has_sent, has_delivered = EXCLUDED.has_delivered,
       has_opened = EXCLUDED.has_opened, has_clicked = EXCLUDED.has_clicked, recipient_keys = EXCLUDED.recipient_keys,
       keys_mixed = EXCLUDED.keys_mixed, first_stage_at = EXCLUDED.first_stage_at, last_stage_at = EXCLUDED.last_stage_at`,
    [shop],
  );
  // Message statistics rollup: old rows out, new rows in (by sent time, per hour and per UTC day).
  const emptiedMessages = await q<RollupKey>(
    client,
    `WITH contrib AS (
       SELECT o.campaign_id, o.sent_at, -1 AS n, -o.has_sent::int AS s, -o.has_delivered::int AS d,
              -o.has_opened::int AS op, -o.has_clicked::int AS cl
         FROM eng_msg_old o WHERE o.sent_at IS NOT NULL
       UNION ALL
       SELECT m.campaign_id, m.sent_at, 1, m.has_sent::int, m.has_delivered::int, m.has_opened::int, m.has_clicked::int
         FROM messages m WHERE m.shop_id = $1 AND m.external_id IN (SELECT message_key FROM eng_msg_new)
          AND m.sent_at IS NOT NULL
     ),
     delta AS (
       SELECT g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, c.sent_at, 'UTC') AS bucket,
              c.campaign_id, sum(n) AS n, sum(s) AS s, sum(d) AS d, sum(op) AS op, sum(cl) AS cl
         FROM contrib c CROSS JOIN (VALUES ('h'), ('d')) g(grain)
        GROUP BY 1, 2, 3
       HAVING sum(n) <> 0 OR sum(s) <> 0 OR sum(d) <> 0 OR sum(op) <> 0 OR sum(cl) <> 0
     ),
     up AS (
       INSERT INTO rollup_messages AS r (shop_id, grain, bucket, campaign_id, messages, sent, delivered, opened, clicked)
       SELECT $1, grain, bucket, campaign_id, n, s, d, op, cl FROM delta
       ON CONFLICT (shop_id, grain, bucket, campaign_id) DO UPDATE SET
         messages = r.messages + EXCLUDED.messages, sent = r.sent + EXCLUDED.sent,
         delivered = r.delivered + EXCLUDED.delivered, opened = r.opened + EXCLUDED.opened,
         clicked = r.clicked + EXCLUDED.clicked
       RETURNING r.grain, r.bucket, r.campaign_id, r.messages
     )
     SELECT grain, bucket, campaign_id FROM up WHERE messages = 0`,
    [shop],
  );
  await deleteEmptyRollupRows(client, shop, "rollup_messages", emptiedMessages.rows);
  // A campaign's channel: the channel of its earliest-sent message (ties: smallest message id, byte order).
  await q(
    client,
    `UPDATE campaigns c SET channel = x.channel
       FROM (SELECT DISTINCT ON (m.campaign_id) m.campaign_id, m.channel
               FROM messages m
              WHERE m.campaign_id IN (SELECT campaign_id FROM eng_msg_old UNION
                                      SELECT c2.id FROM campaigns c2 JOIN eng_msg_new n
                                          ON c2.shop_id = $1 AND c2.external_id = n.campaign_key)
              ORDER BY m.campaign_id, m.sent_at, m.external_id COLLATE "C") x
      WHERE c.id = x.campaign_id AND c.channel IS DISTINCT FROM x.channel`,
    [shop],
  );
  // Orders the changed messages may affect.
  const affected = await q<{ id: string }>(
    client,
    `WITH mk AS (
       SELECT n.message_key, n.emails, n.phones, n.customers, n.order_keys,
              n.first_stage_at AS lo, n.last_stage_at + make_interval(hours => $2::int) AS hi
         FROM eng_msg_new n
     )
     SELECT o.id FROM mk JOIN orders o ON o.shop_id = $1 AND o.email_keys && mk.emails
        AND o.time_of_sale BETWEEN mk.lo AND mk.hi
     UNION SELECT o.id FROM mk JOIN orders o ON o.shop_id = $1 AND o.phone_keys && mk.phones
        AND o.time_of_sale BETWEEN mk.lo AND mk.hi
     UNION SELECT o.id FROM mk JOIN orders o ON o.shop_id = $1 AND o.customer_key = ANY(mk.customers)
        AND o.time_of_sale BETWEEN mk.lo AND mk.hi
     UNION SELECT o.id FROM mk JOIN orders o ON o.shop_id = $1 AND o.external_id = ANY(mk.order_keys)
     UNION SELECT t.order_id FROM mk JOIN order_tracked_messages t ON t.shop_id = $1 AND t.message_key = mk.message_key
     UNION SELECT a.order_id FROM mk JOIN orders o ON o.shop_id = $1 AND o.email_keys && mk.emails
           JOIN attributions a ON a.order_id = o.id AND a.reason = 'no_match'
     UNION SELECT a.order_id FROM mk JOIN orders o ON o.shop_id = $1 AND o.phone_keys && mk.phones
           JOIN attributions a ON a.order_id = o.id AND a.reason = 'no_match'
     UNION SELECT a.order_id FROM mk JOIN orders o ON o.shop_id = $1 AND o.customer_key = ANY(mk.customers)
           JOIN attributions a ON a.order_id = o.id AND a.reason = 'no_match'`,
    [shop, maxWindowHours],
  );
  return affected.rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------------------- tracked links

/**
 * Keeps order_tracked_messages in step with the orders' landing sites (parsed by the domain's rule). Only orders with a
 * landing site are read: without one the rule names no message (`trackedMessageIds`), so the others only lose their
 * rows (the DELETE below covers every order given).
 */
export async function refreshTrackedLinks(client: PoolClient, shopId: bigint, orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  const r = await q<{ id: string; landing_site: string | null }>(
    client,
    `SELECT id, landing_site FROM orders WHERE shop_id = $1 AND id = ANY($2::bigint[]) AND landing_site <> ''`,
    [shopId.toString(), orderIds],
  );
  const pairs: [string, string][] = [];
  for (const row of r.rows)
    for (const m of trackedMessageIds({ landingSite: row.landing_site })) pairs.push([row.id, m]);
  await q(client, `DELETE FROM order_tracked_messages WHERE order_id = ANY($1::bigint[])`, [orderIds]);
  if (pairs.length) {
    await q(
      client,
      `INSERT INTO order_tracked_messages (order_id, shop_id, message_key)
       SELECT o, $1, m FROM unnest($2::bigint[], $3::text[]) AS x(o, m) ON CONFLICT DO NOTHING`,
      [shopId.toString(), pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
  }
}

// ---------------------------------------------------------------------------------------------------------- attribution

/** Which orders a pass covers. */
export type Scope = { ids: string[] } | { from: Date | null; to: Date | null };

const PKEYS = `(ARRAY(SELECT 'e:' || k FROM unnest(o.email_keys) k) || ARRAY(SELECT 'p:' || k FROM unnest(o.phone_keys) k)
               || CASE WHEN o.customer_key IS NULL THEN '{}'::text[] ELSE ARRAY['c:' || o.customer_key] END)`;

function scopeSql(scope: Scope, params: unknown[]): string {
  if ("ids" in scope) {
    params.push(scope.ids);
    return `o.id = ANY($${params.length}::bigint[])`;
  }
  const parts: string[] = [];
  if (scope.from) {
    params.push(scope.from.toISOString());
    parts.push(`o.time_of_sale >= $${params.length}::timestamptz`);
  }
  if (scope.to) {
    params.push(scope.to.toISOString());
    parts.push(`o.time_of_sale < $${params.length}::timestamptz`);
  }
  return parts.length ? parts.join(" AND ") : "true";
}

/** How an order's key of each kind (orders row `o`) matches an event `e` of the same shop. */
const KEY_MATCH = {
  email: "e.email_key = ANY(o.email_keys)",
  phone: "e.phone_key = ANY(o.phone_keys)",
  customer: "e.customer_key = o.customer_key",
} as const;
const KEY_KINDS = Object.keys(KEY_MATCH) as (keyof typeof KEY_MATCH)[];

/** The order facts of `REASON_PRECEDENCE` (why an order does not count), over the orders row `o`; `$2`: currency. */
const ORDER_FACTS = {
  order_is_test: "o.test",
  order_is_cancelled: "o.cancelled_at IS NOT NULL",
  order_in_other_currency: "o.currency <> $2",
} as const satisfies Partial<Record<ReasonFact, string>>;

/**
 * Computes the outcome of every order of the scope into the temp table `attr_new` (dropped at commit).
 * Returns the number of orders in it.
 */
export async function computeAttributions(
  client: PoolClient,
  shopId: bigint,
  settings: AttributionSettings,
  version: number,
  scope: Scope,
): Promise<number> {
  const p = settingsParams(settings);
  const base: unknown[] = [
    shopId.toString(),
    p.chs,
    p.need,
    p.win,
    p.maxWindowHours,
    p.excluded,
    p.ignoreMachineOpens,
    p.currency,
  ];
  // $1 shop, $2 channels, $3 need, $4 window hours, $5 longest window, $6 excluded tags, $7 ignore machine opens, $8 currency
  const live = `o.shop_id = $1 AND o.redacted_at IS NULL AND NOT o.test AND o.cancelled_at IS NULL AND o.currency = $8`;
  const qualifies = `e.stage >= ($3::int[])[array_position($2::text[], m.channel)]
        AND e.occurred_at >= o.time_of_sale - make_interval(hours => ($4::int[])[array_position($2::text[], m.channel)])
        AND NOT ($7::bool AND e.type = 'opened' AND e.machine)`;

  // 1a. candidates through the order's keys. Two plans for the same rows: a list of orders probes the
  // (shop_id, <key>, occurred_at) indexes per order; a time range (re-attribution chunk) reads the connecting
  // events of the range once (shop_id, occurred_at) and hash-joins them to the orders' keys.
  await workTables(client, ["attr_cand", "attr_new"]);
  // What the shop has at all, read once per pass through the indexes: the key kinds its events carry and the other
  // kinds of link (order ids on events, tracked links, messages with mixed keys). A lookup of a kind the shop has none
  // of finds nothing, so it is left out of the candidates (1a, 1b) and of the "a message matches" reason (2): most
  // shops' events carry no customer id while many of their orders have one. An event committed after this read has
  // its own pending row, whose batch re-attributes the orders it can affect (refreshMessages).
  const has = (
    await q<{
      email: boolean;
      phone: boolean;
      customer: boolean;
      orderKeys: boolean;
      tracked: boolean;
      mixed: boolean;
    }>(
      client,
      `SELECT EXISTS (SELECT 1 FROM message_events WHERE shop_id = $1 AND email_key IS NOT NULL) AS email,
              EXISTS (SELECT 1 FROM message_events WHERE shop_id = $1 AND phone_key IS NOT NULL) AS phone,
              EXISTS (SELECT 1 FROM message_events WHERE shop_id = $1 AND customer_key IS NOT NULL) AS customer,
              EXISTS (SELECT 1 FROM message_events WHERE shop_id = $1 AND order_key IS NOT NULL) AS "orderKeys",
              EXISTS (SELECT 1 FROM order_tracked_messages WHERE shop_id = $1) AS tracked,
              EXISTS (SELECT 1 FROM messages WHERE shop_id = $1 AND keys_mixed) AS mixed`,
      [shopId.toString()],
    )
  ).rows[0]!;
  const keyKinds = KEY_KINDS.filter((k) => has[k]);
  const minNeed = Math.min(...p.need);
  const pa = [...base, minNeed];
  const sa = scopeSql(scope, pa);
  // A candidate found through one of the order's keys is linked by identity: the message's recipient keys are the
  // keys of its events, so they include the key that matched.
  const select = `SELECT o.id AS oid, m.id AS mid, m.external_id AS mkey, m.sent_at, e.occurred_at AS at,
            e.stage::int AS stage, e.type, false AS landing, (m.tags && $6::text[]) AS excluded, m.campaign_id,
            m.channel, true AS identity`;
  if ("ids" in scope) {
    // The orders first (primary key), then index probes only (hash and merge joins off for this statement): the
    // planner otherwise seq-scanned `orders` once per key kind and hashed every message of the shop for a batch of a
    // few thousand orders, a cost that grows with the shop's history instead of the batch (ADR 007, "Profiles").
    const byKey = (cond: string) => `${select}
       FROM o
       JOIN message_events e ON e.shop_id = $1 AND ${cond} AND e.stage >= $9::int
        AND e.occurred_at BETWEEN o.time_of_sale - make_interval(hours => $5::int) AND o.time_of_sale
       JOIN messages m ON m.shop_id = $1 AND m.external_id = e.message_key
      WHERE ${qualifies}`;
    if (keyKinds.length) {
      await q(client, `SET LOCAL enable_hashjoin = off`);
      await q(client, `SET LOCAL enable_mergejoin = off`);
      await q(
        client,
        `INSERT INTO attr_cand
         WITH o AS MATERIALIZED (
           SELECT o.id, o.time_of_sale, o.email_keys, o.phone_keys, o.customer_key FROM orders o WHERE ${live} AND ${sa}
         )
         ${keyKinds.map((k) => byKey(KEY_MATCH[k])).join(" UNION ALL ")}`,
        pa,
      );
      await q(client, `SET LOCAL enable_hashjoin = on`);
      await q(client, `SET LOCAL enable_mergejoin = on`);
    }
  } else {
    // The same range bounds the messages read: a qualifying event has a stage, so it lies between its message's
    // first and last stage events (read through the BRIN index messages_stage_span_brin). Without it the chunk hashed
    // every message of the shop (3.3M rows, ~1.6 s at full scale) to join ~170k events (ADR 007).
    const evRange: string[] = [];
    const msgRange: string[] = [];
    if (scope.from) {
      pa.push(scope.from.toISOString());
      evRange.push(`e.occurred_at >= $${pa.length}::timestamptz - make_interval(hours => $5::int)`);
      msgRange.push(`m.last_stage_at >= $${pa.length}::timestamptz - make_interval(hours => $5::int)`);
    }
    if (scope.to) {
      pa.push(scope.to.toISOString());
      evRange.push(`e.occurred_at < $${pa.length}::timestamptz`);
      msgRange.push(`m.first_stage_at < $${pa.length}::timestamptz`);
    }
    // A new table per chunk (CREATE TABLE AS may run in parallel workers; INSERT ... SELECT into a temporary table
    // never does): the chunk's orders, their keys, the range's connecting events by key and their messages in one
    // parallel hash-join plan (~1.0 s against ~1.5 s for 100,000 orders at full scale, ADR 007). Its catalog rows
    // are WAL, once per chunk; incremental batches keep the connection's work table.
    await q(client, `DROP TABLE attr_cand`);
    // Nested loops off: the per-channel stage condition makes the planner expect ~25x fewer events than there are,
    // and it then joined each event to the orders of its window by time (a nested loop over the time index) before
    // comparing keys, which ran for minutes. Merge joins off: it sorted both sides by key in one process, where a hash
    // of the orders' keys is ~10% faster.
    await q(client, `SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off`);
    await q(
      client,
      `CREATE TEMP TABLE attr_cand ON COMMIT DROP AS
       SELECT ok.id AS oid, m.id AS mid, m.external_id AS mkey, m.sent_at, e.occurred_at AS at, e.stage::int AS stage,
              e.type, false AS landing, (m.tags && $6::text[]) AS excluded, m.campaign_id, m.channel, true AS identity
         FROM (
           -- Keys as set-returning functions in the select lists (not LATERAL joins), so the planner cannot push the
           -- key comparison below a join on time. Two set-returning functions in one select list run in step: each
           -- key with its kind.
           SELECT o.id, o.time_of_sale,
                  unnest(array_fill('e'::"char", ARRAY[COALESCE(cardinality(o.email_keys), 0)])
                         || array_fill('p'::"char", ARRAY[COALESCE(cardinality(o.phone_keys), 0)])
                         || CASE WHEN o.customer_key IS NULL THEN '{}'::"char"[] ELSE '{c}'::"char"[] END) AS kind,
                  unnest(o.email_keys || o.phone_keys
                         || CASE WHEN o.customer_key IS NULL THEN '{}'::text[] ELSE ARRAY[o.customer_key] END) AS key
             FROM orders o WHERE ${live} AND ${sa}
         ) ok
         JOIN (
           SELECT e.message_key, e.occurred_at, e.stage, e.type, e.machine, unnest('{e,p,c}'::"char"[]) AS kind,
                  unnest(ARRAY[e.email_key, e.phone_key, e.customer_key]) AS key
             FROM message_events e
            WHERE e.shop_id = $1 AND e.stage >= $9::int ${evRange.map((c) => `AND ${c}`).join(" ")}
         ) e ON e.key IS NOT NULL AND e.key COLLATE "C" = ok.key COLLATE "C" AND e.kind = ok.kind
          AND e.occurred_at BETWEEN ok.time_of_sale - make_interval(hours => $5::int) AND ok.time_of_sale
         JOIN messages m ON m.shop_id = $1 AND m.external_id = e.message_key ${msgRange.map((c) => `AND ${c}`).join(" ")}
        WHERE ${qualifies.replaceAll("o.time_of_sale", "ok.time_of_sale")}`,
      pa,
    );
    await q(client, `SET LOCAL enable_nestloop = on; SET LOCAL enable_mergejoin = on`);
  }

  // 1b. candidates through messages the order names (only when the shop has any such link)
  if (has.orderKeys || has.tracked || has.mixed) {
    const pb = [...base];
    const sb = scopeSql(scope, pb);
    await q(
      client,
      `INSERT INTO attr_cand
       SELECT o.id, m.id, m.external_id, m.sent_at, e.occurred_at, e.stage, e.type, e.landing, (m.tags && $6::text[]),
              m.campaign_id, m.channel, m.recipient_keys && ${PKEYS}
         FROM orders o
         JOIN LATERAL (
           SELECT e2.message_key, false AS landing FROM message_events e2 WHERE e2.shop_id = $1 AND e2.order_key = o.external_id
           UNION
           SELECT t.message_key, true FROM order_tracked_messages t WHERE t.order_id = o.id
           UNION
           SELECT mm.external_id, false FROM messages mm
            WHERE mm.shop_id = $1 AND mm.keys_mixed AND mm.recipient_keys && ${PKEYS}
         ) mk ON true
         JOIN messages m ON m.shop_id = $1 AND m.external_id = mk.message_key
         JOIN LATERAL (
           SELECT e.occurred_at, e.stage::int AS stage, e.type, e.machine, false AS landing FROM message_events e
            WHERE e.shop_id = $1 AND e.message_key = m.external_id AND e.stage > 0
              AND e.occurred_at BETWEEN o.time_of_sale - make_interval(hours => $5::int) AND o.time_of_sale
           UNION ALL
           SELECT o.time_of_sale, 4, 'clicked', false, true WHERE mk.landing
         ) e ON true
        WHERE ${live} AND ${sb} AND ${qualifies}`,
      pb,
    );
  }
  // No ANALYZE of the candidates: the outcomes read them once, sorted, and are planned well enough from the table's
  // size (a chunk's ANALYZE was ~75 ms of nothing gained; ADR 007, "Re-attribution, third pass").

  // 2. outcomes. One sort of the candidates gives each order its first candidate with the non-excluded ones first:
  // the winner when that one is not excluded; when it is, every candidate is (the "only excluded" reason).
  // A re-attribution chunk creates attr_new per chunk (CREATE TABLE AS, which may run in parallel workers; see the
  // candidates); an incremental batch fills the connection's work table.
  const pc: unknown[] = [shopId.toString(), p.currency, version];
  const sc = scopeSql(scope, pc);
  const perOrder = `SELECT o.id, o.external_id, o.time_of_sale, o.total_price, o.email_keys, o.phone_keys,
              o.customer_key, o.redacted_at, o.test, o.cancelled_at, o.currency,
              ${reasonCaseSql(ORDER_FACTS, "a_message_qualifies")} AS nc_reason,
              GREATEST(0, LEAST(o.total_price,
                CASE WHEN o.refunded_total = 0 THEN 0
                     ELSE (SELECT COALESCE(sum(r.amount), 0) FROM refunds r
                            WHERE r.shop_id = $1 AND r.order_external_id = o.external_id
                              AND (r.currency IS NULL OR r.currency = o.currency)) END)) AS refunded
         FROM orders o WHERE o.shop_id = $1 AND ${sc}`;
  const won = `(f.oid IS NOT NULL AND NOT f.excluded)`;
  const chunk = !("ids" in scope);
  if (chunk) await q(client, `DROP TABLE attr_new`);
  const r = await q(
    client,
    `${chunk ? "CREATE TEMP TABLE attr_new ON COMMIT DROP AS" : "INSERT INTO attr_new"}
     SELECT o.id AS order_id, CASE WHEN ${won} THEN f.mid END AS message_id,
            CASE WHEN ${won} THEN f.campaign_id END AS campaign_id, CASE WHEN ${won} THEN f.channel END AS channel,
            CASE WHEN ${won} THEN f.type END AS event_type, CASE WHEN ${won} THEN f.at END AS event_at,
            CASE WHEN NOT ${won} THEN NULL WHEN f.identity THEN 'identity' ELSE 'click' END AS linked_by,
            ${reasonCaseSql({
              ...ORDER_FACTS,
              a_message_qualifies: won,
              only_excluded_messages_qualify: "f.excluded",
              // (only the kinds of link the shop has at all are looked up)
              a_message_matches: `(${[
                "f.oid IS NOT NULL",
                ...keyKinds.map(
                  (k) => `EXISTS (SELECT 1 FROM message_events e WHERE e.shop_id = $1 AND ${KEY_MATCH[k]})`,
                ),
                has.orderKeys &&
                  "EXISTS (SELECT 1 FROM message_events e WHERE e.shop_id = $1 AND e.order_key = o.external_id)",
                has.tracked &&
                  `EXISTS (SELECT 1 FROM order_tracked_messages t JOIN messages tm
                             ON tm.shop_id = $1 AND tm.external_id = t.message_key WHERE t.order_id = o.id)`,
              ]
                .filter((x) => x !== false)
                .join(" OR ")})`,
            })}::text AS reason,
            o.time_of_sale, (o.nc_reason IS NULL) AS counted, o.total_price AS gross, o.refunded,
            $3::int AS settings_version
       FROM (${perOrder}) o
       LEFT JOIN (
         SELECT DISTINCT ON (oid) oid, mid, at, type, campaign_id, channel, identity, excluded
           FROM attr_cand ORDER BY oid, excluded, ${winnerOrderBySql()}
       ) f ON f.oid = o.id
      WHERE o.redacted_at IS NULL OR NOT EXISTS (SELECT 1 FROM attributions a WHERE a.order_id = o.id)`,
    pc,
  );
  // A redacted order (its customer data erased) keeps its stored winner; only the order's own facts still apply.
  // A separate statement sees a later snapshot: an order redacted since the one above ran is already in attr_new.
  const redacted = await q(
    client,
    `INSERT INTO attr_new
     SELECT a.order_id, a.message_id, a.campaign_id, a.channel, a.event_type, a.event_at, a.linked_by,
            CASE WHEN o.nc_reason IS NOT NULL THEN o.nc_reason
                 WHEN a.message_id IS NOT NULL THEN NULL
                 WHEN a.reason IN ('test', 'cancelled', 'other_currency') THEN 'no_match'
                 ELSE a.reason END,
            o.time_of_sale, (o.nc_reason IS NULL), o.total_price, o.refunded, $3::int
       FROM (${perOrder} AND o.redacted_at IS NOT NULL) o JOIN attributions a ON a.order_id = o.id
      WHERE NOT EXISTS (SELECT 1 FROM attr_new n WHERE n.order_id = o.id)`,
    pc,
  );
  return (r.rowCount ?? 0) + (redacted.rowCount ?? 0);
}

/** Stored attributions with at most this many changed outcomes in a chunk are read by primary key. */
const PROBE_AT_MOST = 10_000;

/**
 * An attribution's outcome as a row value, for comparing a new outcome with the stored one. `settings_version` is not
 * part of it: an unchanged outcome is not rewritten, so a row's version is the settings version that last changed it
 * (every row follows the shop's `attributed_version` once its re-attribution is idle).
 */
function outcomeRow(t: string): string {
  return `(${OUTCOME_COLUMNS.map((c) => `${t}.${c}`).join(", ")})`;
}
const OUTCOME_COLUMNS = [
  "message_id",
  "campaign_id",
  "channel",
  "event_type",
  "event_at",
  "linked_by",
  "reason",
  "time_of_sale",
  "counted",
  "gross",
  "refunded",
];

/** `t`'s time of sale within the chunk range given as $2 (from, or null) and $3 (to, or null). */
function inChunkRange(t: string): string {
  return `($2::timestamptz IS NULL OR ${t}.time_of_sale >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR ${t}.time_of_sale < $3::timestamptz)`;
}

/**
 * Writes `attr_new` into attributions and moves the sales rollup by the difference (old row out, new row in); only
 * changed outcomes are written. Running it twice with the same outcomes changes nothing. `probe`: index probes only
 * for the rollup statement (incremental batches). `range`: the time-of-sale range of a re-attribution chunk.
 */
export async function applyAttributions(
  client: PoolClient,
  shopId: bigint,
  opts: { probe?: boolean; range?: { from: Date | null; to: Date | null } } = {},
): Promise<number> {
  const shop = shopId.toString();
  // attributions has no foreign key to shops (it checked the shop once per inserted row: ~9 µs each, a third of an
  // incremental batch's attribution insert; ADR 007, "Incremental batch, fourth pass"). The same row lock is taken
  // once here (the engine's callers already hold it from lockShop), so shop/redact (which locks the shop FOR UPDATE,
  // then deletes every table's rows) waits for this transaction, or has committed and left nothing to write for.
  const alive = await q(client, `SELECT 1 FROM shops WHERE id = $1 FOR KEY SHARE`, [shop]);
  if (alive.rowCount === 0) return 0;
  const params: unknown[] = [shop];
  let probe = opts.probe ?? false;
  if (opts.range) {
    // A re-attribution chunk first drops the outcomes that equal their stored rows: after a settings change most
    // orders keep their outcome, and rewriting 100,000 unchanged rows per chunk (new tuples, index entries, WAL) was
    // the second largest cost of a re-attribution (~0.9 s per chunk at full scale; ADR 007). Their rows keep the
    // settings version that last changed them. Only stored rows of the chunk's range can be equal (the time of sale
    // is compared), so the range is read through (shop_id, time_of_sale).
    const range = [opts.range.from?.toISOString() ?? null, opts.range.to?.toISOString() ?? null];
    await q(
      client,
      `DELETE FROM attr_new x USING attributions a
        WHERE a.shop_id = $1 AND ${inChunkRange("a")} AND a.order_id = x.order_id
          AND ${outcomeRow("a")} IS NOT DISTINCT FROM ${outcomeRow("x")}`,
      [shop, ...range],
    );
    const left = await q<{ n: number }>(client, `SELECT count(*)::int AS n FROM attr_new`);
    // What is left is usually a few orders: probe their stored rows by primary key. Otherwise read the range's.
    if ((left.rows[0]?.n ?? 0) <= PROBE_AT_MOST) probe = true;
    else params.push(...range);
  }
  // The stored attributions of the orders in attr_new. With a range (many changed outcomes in a chunk): the stored
  // rows of that range are read through (shop_id, time_of_sale) and joined by hash, and only an order whose stored
  // time of sale lies outside it (the order was edited since) is probed by primary key. Without it the chunk hashed
  // the shop's whole attributions table (1M rows, ~0.5 s per chunk at full scale; ADR 007).
  let stored = `attributions a ON a.order_id = x.order_id`;
  if (params.length > 1) {
    stored = `(SELECT s.order_id, s.time_of_sale, s.campaign_id, s.counted, s.gross, s.refunded FROM attributions s
                  WHERE s.shop_id = $1 AND ${inChunkRange("s")}) r ON r.order_id = x.order_id
       LEFT JOIN LATERAL (
         SELECT r.order_id, r.time_of_sale, r.campaign_id, r.counted, r.gross, r.refunded WHERE r.order_id IS NOT NULL
         UNION ALL
         SELECT o.order_id, o.time_of_sale, o.campaign_id, o.counted, o.gross, o.refunded FROM attributions o
          WHERE r.order_id IS NULL AND o.order_id = x.order_id
       ) a ON true`;
  }
  // `probe` (an incremental batch: a few thousand orders): the stored attributions of the batch's orders are read by
  // primary key. attr_new has no statistics, and the planner otherwise sometimes hashed the whole attributions table
  // of the shop (120k rows at bench scale 0.1, ~125 ms) to find 5,000 of them (ADR 007, "Profiles").
  if (probe) {
    await q(client, `SET LOCAL enable_hashjoin = off`);
    await q(client, `SET LOCAL enable_mergejoin = off`);
  }
  const emptiedSales = await q<RollupKey>(
    client,
    `WITH moved AS MATERIALIZED (
       -- Only orders whose rollup inputs changed can move a rollup row (an unchanged order's old-out and new-in
       -- cancel): after a settings change that keeps most outcomes, this skips most of the aggregation.
       SELECT x.time_of_sale, x.campaign_id, x.counted, x.gross, x.refunded, a.order_id IS NOT NULL AS had,
              a.time_of_sale AS a_time_of_sale, a.campaign_id AS a_campaign_id, a.counted AS a_counted,
              a.gross AS a_gross, a.refunded AS a_refunded
         FROM attr_new x LEFT JOIN ${stored}
        WHERE a.order_id IS NULL
           OR (a.time_of_sale, a.campaign_id, a.counted, a.gross, a.refunded)
              IS DISTINCT FROM (x.time_of_sale, x.campaign_id, x.counted, x.gross, x.refunded)
     ),
     contrib AS (
       SELECT m.a_time_of_sale AS t, COALESCE(m.a_campaign_id, 0) AS cid, -1 AS n, -m.a_gross AS g, -m.a_refunded AS r
         FROM moved m WHERE m.had AND m.a_counted
       UNION ALL
       SELECT m.time_of_sale, COALESCE(m.campaign_id, 0), 1, m.gross, m.refunded FROM moved m WHERE m.counted
     ),
     delta AS (
       SELECT g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, c.t, 'UTC') AS bucket, c.cid,
              sum(n)::int AS n, sum(c.g) AS g, sum(c.r) AS r
         FROM contrib c CROSS JOIN (VALUES ('h'), ('d')) g(grain)
        GROUP BY 1, 2, 3
       HAVING sum(n) <> 0 OR sum(c.g) <> 0 OR sum(c.r) <> 0
     ),
     up AS (
       INSERT INTO rollup_sales AS s (shop_id, grain, bucket, campaign_id, purchases, gross, refunded)
       SELECT $1, grain, bucket, cid, n, g, r FROM delta
       ON CONFLICT (shop_id, grain, bucket, campaign_id) DO UPDATE SET
         purchases = s.purchases + EXCLUDED.purchases, gross = s.gross + EXCLUDED.gross,
         refunded = s.refunded + EXCLUDED.refunded
       RETURNING s.grain, s.bucket, s.campaign_id, s.purchases, s.gross, s.refunded
     )
     SELECT grain, bucket, campaign_id FROM up WHERE purchases = 0 AND gross = 0 AND refunded = 0`,
    params,
  );
  await deleteEmptyRollupRows(client, shop, "rollup_sales", emptiedSales.rows);
  if (probe) {
    await q(client, `SET LOCAL enable_hashjoin = on`);
    await q(client, `SET LOCAL enable_mergejoin = on`);
  }
  // With `probe` (an incremental batch, or a chunk with few changed outcomes) the rows go in in time-of-sale order:
  // each leaf page of the (shop_id, time_of_sale) index is then read once for its run of new entries instead of once
  // per entry (imported or edited orders have times all over the history); ~18% of the insert for 20,000 orders at
  // full scale (ADR 007, "Incremental batch, fifth pass").
  const r = await q(
    client,
    `INSERT INTO attributions AS a
       (order_id, shop_id, message_id, campaign_id, channel, event_type, event_at, linked_by, reason, time_of_sale,
        counted, gross, refunded, settings_version, computed_at)
     SELECT order_id, $1, message_id, campaign_id, channel, event_type, event_at, linked_by, reason, time_of_sale,
            counted, gross, refunded, settings_version, now()
       FROM attr_new ${probe ? "ORDER BY time_of_sale" : ""}
     ON CONFLICT (order_id) DO UPDATE SET
       message_id = EXCLUDED.message_id, campaign_id = EXCLUDED.campaign_id, channel = EXCLUDED.channel,
       event_type = EXCLUDED.event_type, event_at = EXCLUDED.event_at, linked_by = EXCLUDED.linked_by,
       reason = EXCLUDED.reason, time_of_sale = EXCLUDED.time_of_sale, counted = EXCLUDED.counted,
       gross = EXCLUDED.gross, refunded = EXCLUDED.refunded, settings_version = EXCLUDED.settings_version,
       computed_at = EXCLUDED.computed_at
     WHERE ${outcomeRow("a")} IS DISTINCT FROM ${outcomeRow("EXCLUDED")}`,
    [shop],
  );
  return r.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------------------- re-attribution

export async function countOrders(client: PoolClient, shopId: bigint): Promise<number> {
  const r = await q<{ n: string }>(client, `SELECT count(*) AS n FROM orders WHERE shop_id = $1`, [shopId.toString()]);
  return Number(r.rows[0]!.n);
}

/** The time of sale `size` orders after `from` (the end of a chunk), or null when fewer remain. */
export async function chunkEnd(
  client: PoolClient,
  shopId: bigint,
  from: Date | null,
  size: number,
): Promise<Date | null> {
  const r = await q<{ t: Date }>(
    client,
    `SELECT time_of_sale AS t FROM orders
      WHERE shop_id = $1 AND ($2::timestamptz IS NULL OR time_of_sale >= $2)
      ORDER BY time_of_sale OFFSET $3 LIMIT 1`,
    [shopId.toString(), from?.toISOString() ?? null, size],
  );
  const t = r.rows[0]?.t ?? null;
  // All orders of the chunk may share one time: then the chunk takes them all and ends just after.
  if (t && from && t.getTime() === from.getTime()) return new Date(t.getTime() + 1);
  return t;
}

export async function startProgress(
  client: PoolClient,
  shopId: bigint,
  version: number,
  total: number,
): Promise<boolean> {
  const r = await q(
    client,
    `UPDATE settings SET progress_done = 0, progress_total = $3 WHERE shop_id = $1 AND version = $2`,
    [shopId.toString(), version, total],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function addProgress(client: PoolClient, shopId: bigint, version: number, done: number): Promise<void> {
  await q(
    client,
    `UPDATE settings SET progress_done = LEAST(progress_total, progress_done + $3) WHERE shop_id = $1 AND version = $2`,
    [shopId.toString(), version, done],
  );
}

/** Marks the version attributed, only when it is still the current one. */
export async function finishReattribution(client: PoolClient, shopId: bigint, version: number): Promise<boolean> {
  const r = await q(
    client,
    `UPDATE settings SET attribution_state = 'idle', attributed_version = $2, progress_done = progress_total
      WHERE shop_id = $1 AND version = $2`,
    [shopId.toString(), version],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Session knobs for an incremental batch (this transaction only). JIT off: the planner's cost of the outcome
 * statement (correlated EXISTS sub-plans) crosses jit_above_cost for a few thousand orders, and compiling it took
 * ~3.5 s of a 3.6 s statement (ADR 007, "Profiles"); these statements never run long enough to repay it.
 */
export async function tuneForIncremental(client: PoolClient): Promise<void> {
  // No parallel workers either: a batch is small, and two more busy processes on a 2-core machine are taken from the
  // web process's acknowledgements (ADR 013).
  await q(client, `SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0`);
}

/**
 * Session knobs for the big set-based statements of a re-attribution chunk (this transaction only). `shared`:
 * other shops have work waiting, so the chunk runs without parallel workers (one core, leaving the rest to them;
 * docs/decisions/013-queueing-fairness.md).
 */
export async function tuneForBulk(client: PoolClient, opts: { shared?: boolean } = {}): Promise<void> {
  await q(client, `SET LOCAL work_mem = '256MB'`);
  await q(client, `SET LOCAL max_parallel_workers_per_gather = ${opts.shared ? 0 : 2}`);
  // The candidates' hash joins pass ~170,000 rows per chunk up through Gather: at the default cost per row passed
  // (0.1) the planner kept them in one process, 1.5-2x slower on two cores (ADR 007, "Re-attribution, third pass").
  if (!opts.shared) await q(client, `SET LOCAL parallel_tuple_cost = 0.01`);
  await q(client, `SET LOCAL jit = off`);
}

/**
 * Whether any other shop has work waiting right now: pending attribution rows, or webhook deliveries not applied yet
 * (both read through their indexes; a re-attribution asks once per chunk).
 */
export async function othersWaiting(client: PoolClient, shopId: bigint): Promise<boolean> {
  const r = await q<{ waiting: boolean }>(
    client,
    `SELECT EXISTS (SELECT 1 FROM pending_attributions WHERE shop_id <> $1)
         OR EXISTS (SELECT 1 FROM webhook_deliveries WHERE processed_at IS NULL) AS waiting`,
    [shopId.toString()],
  );
  return r.rows[0]?.waiting ?? false;
}
