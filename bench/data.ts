/**
 * Synthetic attribution data for the benchmarks, generated inside PostgreSQL (INSERT ... SELECT generate_series),
 * with the secondary indexes dropped during the load and rebuilt after (as a restore would).
 *
 * Shape at scale 1: 1,000 campaigns spread over a year (one send each, 10% SMS), 3.33M messages to 200k recipients
 * (each recipient ~17 messages a year), 10M events (sent + delivered for every message, opened + clicked for half),
 * 1M orders: 95% bought within 24 hours after a click of one of their messages, 5% at a random time; 1% EUR, 0.5%
 * test, 0.5% cancelled, 4% half refunded. The messages/campaigns rows are what the engine derives from these events
 * (built here set-based, since the figures measure attribution, not ingestion).
 */
import type pg from "pg";

export interface DataSpec {
  shopId: string;
  orders: number;
  events: number;
  campaigns: number;
  recipients: number;
  /** First instant of the generated year. */
  start: Date;
}

export function specFor(shopId: string, scale: number): DataSpec {
  return {
    shopId,
    orders: Math.max(1000, Math.round(1_000_000 * scale)),
    events: Math.max(3000, Math.round(10_000_000 * scale)),
    campaigns: Math.max(20, Math.min(1000, Math.round(10_000 * scale))),
    recipients: Math.max(500, Math.round(200_000 * scale)),
    start: new Date("2026-01-01T00:00:00Z"),
  };
}

const TABLES = ["message_events", "messages", "orders", "attributions"];

/** Drops the secondary indexes of the big tables; returns their definitions to rebuild them. */
async function dropIndexes(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [TABLES],
  );
  for (const row of r.rows) await client.query(`DROP INDEX "${row.indexname}"`);
  return r.rows.map((x) => x.indexdef);
}

export async function generateAttributionData(
  client: pg.Client,
  spec: DataSpec,
  progress: (msg: string) => void = () => {},
): Promise<{ messages: number; events: number; orders: number }> {
  const C = spec.campaigns;
  // Messages per campaign; generated campaign by campaign, so events are stored in (roughly) time order.
  const per = Math.max(1, Math.floor(spec.events / 3 / C));
  const M = per * C;
  const R = spec.recipients;
  const yearS = 365 * 86400;
  const p = { shop: spec.shopId, start: spec.start.toISOString() };
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SET max_parallel_maintenance_workers = 2`);
  await client.query(`SET synchronous_commit = off`);
  const defs = await dropIndexes(client);

  // Helpers as SQL expressions of the message index j.
  const camp = (j: string) => `(${j} % ${C})`;
  const rcpt = (j: string) => `((hashint8(${j}::bigint)::bigint & 2147483647) % ${R})`;
  const sms = (j: string) => `(${camp(j)} % 10 = 9)`;
  const sentAt = (j: string) =>
    `($2::timestamptz + make_interval(secs => (${camp(j)}::bigint * ${Math.floor(yearS / C)} + (${j} / ${C}) % 7200)::double precision))`;
  const email = (r: string) => `('u' || ${r} || '@ex.com')`;
  const phone = (r: string) => `('+1555' || lpad(${r}::text, 7, '0'))`;

  progress(`campaigns: ${C}`);
  await client.query(
    `INSERT INTO campaigns (shop_id, external_id, name, name_at, name_key, channel)
     SELECT $1, 'c' || c, 'Campaign ' || c, $2::timestamptz, 'k', CASE WHEN c % 10 = 9 THEN 'sms' ELSE 'email' END
       FROM generate_series(0, ${C - 1}) c`,
    [p.shop, p.start],
  );
  await client.query(
    `CREATE TEMP TABLE cmap AS SELECT substr(external_id, 2)::int AS c, id FROM campaigns WHERE shop_id = $1`,
    [p.shop],
  );
  await client.query(`CREATE UNIQUE INDEX ON cmap (c)`);

  progress(`events: ${M} messages, ~${M * 3} events`);
  const step = 500_000;
  for (let lo = 0; lo < M; lo += step) {
    const hi = Math.min(M, lo + step) - 1;
    await client.query(
      `INSERT INTO message_events (shop_id, dedup_key, message_key, campaign_key, campaign_name, type, stage, channel,
                                   occurred_at, email_key, phone_key, customer_key, tags, machine, source)
       SELECT $1, 'e' || j || '-' || s, 'm' || j, 'c' || ${camp("j")}, 'Campaign ' || ${camp("j")},
              (ARRAY['sent','delivered','opened','clicked'])[s], s,
              CASE WHEN ${sms("j")} THEN 'sms' ELSE 'email' END,
              ${sentAt("j")} + make_interval(mins => (s - 1) * 10),
              CASE WHEN ${sms("j")} THEN NULL ELSE ${email(rcpt("j"))} END,
              CASE WHEN ${sms("j")} THEN ${phone(rcpt("j"))} END, NULL,
              CASE WHEN ${camp("j")} % 100 = 0 THEN '{password-reset}'::text[] ELSE '{}'::text[] END, false, 'api'
         FROM (SELECT (q / ${per}) + ${C} * (q % ${per}) AS j FROM generate_series(${lo}, ${hi}) q) jj
              CROSS JOIN generate_series(1, 4) s
        WHERE s <= 2 OR j % 2 = 0`,
      [p.shop, p.start],
    );
    await client.query(
      `INSERT INTO messages (shop_id, external_id, campaign_id, channel, email_key, phone_key, sent_at, tags,
                             has_sent, has_delivered, has_opened, has_clicked, recipient_keys, keys_mixed,
                             first_stage_at, last_stage_at)
       SELECT $1, 'm' || j, cm.id, CASE WHEN ${sms("j")} THEN 'sms' ELSE 'email' END,
              CASE WHEN ${sms("j")} THEN NULL ELSE ${email(rcpt("j"))} END,
              CASE WHEN ${sms("j")} THEN ${phone(rcpt("j"))} END,
              ${sentAt("j")},
              CASE WHEN ${camp("j")} % 100 = 0 THEN '{password-reset}'::text[] ELSE '{}'::text[] END,
              true, true, j % 2 = 0, j % 2 = 0,
              ARRAY[CASE WHEN ${sms("j")} THEN 'p:' || ${phone(rcpt("j"))} ELSE 'e:' || ${email(rcpt("j"))} END],
              false, ${sentAt("j")}, ${sentAt("j")} + make_interval(mins => CASE WHEN j % 2 = 0 THEN 30 ELSE 10 END)
         FROM (SELECT (q / ${per}) + ${C} * (q % ${per}) AS j FROM generate_series(${lo}, ${hi}) q) jj
              JOIN cmap cm ON cm.c = ${camp("j")}`,
      [p.shop, p.start],
    );
    progress(`  messages ${hi + 1}/${M}`);
  }

  progress(`orders: ${spec.orders}`);
  const half = Math.floor(M / 2);
  const oStep = 250_000;
  for (let lo = 0; lo < spec.orders; lo += oStep) {
    const hi = Math.min(spec.orders, lo + oStep) - 1;
    await client.query(
      `WITH k AS (
         SELECT k, 2 * ((k::bigint * 7919) % ${half}) AS j, k % 20 <> 0 AS bought FROM generate_series(${lo}, ${hi}) k
       ), x AS (
         SELECT k, j, bought,
                CASE WHEN bought THEN ${rcpt("j")} ELSE (k::bigint * 104729) % ${R} END AS r,
                bought AND ${sms("j")} AS by_phone,
                CASE WHEN bought THEN ${sentAt("j")} + make_interval(mins => 30 + (k % 1380)::int)
                     ELSE $2::timestamptz + make_interval(secs => ((k::bigint * 7919) % ${yearS})::double precision) END AS t
           FROM k
       )
       INSERT INTO orders (shop_id, external_id, currency, total_price, refunded_total, time_of_sale, processed_at,
                           test, cancelled_at, email_keys, phone_keys, customer_key, content_hash)
       SELECT $1, 'o' || k, CASE WHEN k % 100 = 7 THEN 'EUR' ELSE 'USD' END,
              ((k % 19000) + 1000) / 100.0, CASE WHEN k % 25 = 3 THEN ((k % 19000) + 1000) / 200.0 ELSE 0 END,
              t, t, k % 200 = 11, CASE WHEN k % 200 = 13 THEN t + interval '1 hour' END,
              CASE WHEN by_phone THEN '{}'::text[] ELSE ARRAY[${email("r")}] END,
              CASE WHEN by_phone OR k % 3 = 0 THEN ARRAY[${phone("r")}] ELSE '{}'::text[] END,
              CASE WHEN k % 2 = 0 THEN 'c' || r END, 'bench'
         FROM x`,
      [p.shop, p.start],
    );
  }
  await client.query(
    `INSERT INTO refunds (shop_id, external_id, order_external_id, amount, currency, created_at)
     SELECT shop_id, 'r' || external_id, external_id, refunded_total, currency, time_of_sale + interval '2 days'
       FROM orders WHERE shop_id = $1 AND refunded_total > 0`,
    [p.shop],
  );

  progress(`rebuilding ${defs.length} indexes`);
  for (const def of defs) await client.query(def);
  await client.query(`VACUUM ANALYZE message_events`);
  await client.query(`VACUUM ANALYZE messages`);
  await client.query(`VACUUM ANALYZE orders`);
  await client.query(`VACUUM ANALYZE campaigns`);
  await client.query(`VACUUM ANALYZE refunds`);
  const counts = await client.query(
    `SELECT (SELECT count(*) FROM messages WHERE shop_id = $1)::int AS messages,
            (SELECT count(*) FROM message_events WHERE shop_id = $1)::int AS events,
            (SELECT count(*) FROM orders WHERE shop_id = $1)::int AS orders`,
    [p.shop],
  );
  return counts.rows[0];
}

/** Message-statistics rollup for the generated messages (what the engine keeps while ingesting). */
export async function buildMessageRollup(client: pg.Client, shopId: string): Promise<void> {
  await client.query(
    `INSERT INTO rollup_messages (shop_id, grain, bucket, campaign_id, messages, sent, delivered, opened, clicked)
     SELECT $1::bigint, g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, m.sent_at, 'UTC'), m.campaign_id,
            count(*), count(*) FILTER (WHERE has_sent), count(*) FILTER (WHERE has_delivered),
            count(*) FILTER (WHERE has_opened), count(*) FILTER (WHERE has_clicked)
       FROM messages m CROSS JOIN (VALUES ('h'), ('d')) g(grain)
      WHERE m.shop_id = $1::bigint
      GROUP BY 1, 2, 3, 4`,
    [shopId],
  );
}

/**
 * New orders of the same shape as `generateAttributionData`'s (95% bought after a click), stored as the ingest path
 * stores them: the rows plus pending_attributions rows of 1,000 order ids each, in one transaction. Returns their ids.
 */
export async function insertNewOrders(
  client: pg.Client,
  spec: DataSpec,
  count: number,
  prefix: string,
): Promise<string[]> {
  const C = spec.campaigns;
  const per = Math.max(1, Math.floor(spec.events / 3 / C));
  const M = per * C;
  const half = Math.floor(M / 2);
  const R = spec.recipients;
  const yearS = 365 * 86400;
  const rcpt = (j: string) => `((hashint8(${j}::bigint)::bigint & 2147483647) % ${R})`;
  const camp = (j: string) => `(${j} % ${C})`;
  const sentAt = (j: string) =>
    `($2::timestamptz + make_interval(secs => (${camp(j)}::bigint * ${Math.floor(yearS / C)} + (${j} / ${C}) % 7200)::double precision))`;
  await client.query("BEGIN");
  const r = await client.query<{ id: string }>(
    `WITH k AS (
       SELECT k, 2 * ((k::bigint * 104723) % ${half}) AS j, k % 20 <> 0 AS bought FROM generate_series(1, ${count}) k
     ), x AS (
       SELECT k, j, bought, CASE WHEN bought THEN ${rcpt("j")} ELSE (k::bigint * 7907) % ${R} END AS r,
              bought AND ${camp("j")} % 10 = 9 AS by_phone,
              CASE WHEN bought THEN ${sentAt("j")} + make_interval(mins => 30 + (k % 1380)::int)
                   ELSE $2::timestamptz + make_interval(secs => ((k::bigint * 7919) % ${yearS})::double precision) END AS t
         FROM k
     )
     INSERT INTO orders (shop_id, external_id, currency, total_price, time_of_sale, processed_at, email_keys, phone_keys,
                         customer_key, content_hash)
     SELECT $1, $3 || k, 'USD', ((k % 19000) + 1000) / 100.0, t, t,
            CASE WHEN by_phone THEN '{}'::text[] ELSE ARRAY['u' || r || '@ex.com'] END,
            CASE WHEN by_phone THEN ARRAY['+1555' || lpad(r::text, 7, '0')] ELSE '{}'::text[] END,
            CASE WHEN k % 2 = 0 THEN 'c' || r END, 'bench'
       FROM x
     RETURNING id::text`,
    [spec.shopId, spec.start.toISOString(), prefix],
  );
  const ids = r.rows.map((x) => x.id);
  for (let i = 0; i < ids.length; i += 1000) {
    await client.query(`INSERT INTO pending_attributions (shop_id, order_ids) VALUES ($1, $2::bigint[])`, [
      spec.shopId,
      ids.slice(i, i + 1000),
    ]);
  }
  await client.query("COMMIT");
  return ids;
}
