/**
 * Figures of ADR 011, run inside the attribution bench on its data (bench/attribution.ts):
 * - `settings_preview_s`: POST /api/v1/settings/preview over 30 days (a proposed window change), the engine's own
 *   statement into a temp table, rolled back. Baseline: the bare lookup over the same period's orders, one SQL
 *   statement that finds each order's latest qualifying message and writes nothing.
 * - `holdout_s`: GET /api/v1/campaigns/{id} for a campaign of 1M recipients at scale 1 (90% sent, 10% held out, a few
 *   percent buying in the window): the holdout statistics set-based in SQL. Baseline: one plain read of the
 *   campaign's two groups (count(*) of its sent messages and its held_out events).
 */
import type pg from "pg";
import type { HoldoutFigures } from "../app/domain/holdout";
import type { Figure } from "./ingest";

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const ratio = (v: number, b: number | null) => (b ? round(v / b, 3) : null);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runInsightFigures(o: {
  client: pg.Client;
  // bench/attribution.ts's client: the parsed JSON body (shapes: docs/openapi.json).
  api: (method: string, p: string, body?: unknown) => Promise<unknown>;
  shopId: string;
  scale: number;
  emit: (f: Figure) => void;
  note: (m: string) => void;
  dataParams: Record<string, unknown>;
}): Promise<void> {
  const { client, api, shopId, scale, emit, note, dataParams } = o;

  // ---- settings_preview_s: 30 days in the middle of the generated year.
  const from = "2026-06-01T00:00:00.000Z";
  const to = "2026-07-01T00:00:00.000Z";
  note("settings preview (30 days)");
  const previewTimes: number[] = [];
  let preview: { orders?: unknown } | null = null;
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    preview = (await api("POST", `/api/v1/settings/preview?from=${from}&to=${to}`, {
      channels: { email: { event: "clicked", window_hours: 48 } },
    })) as { orders?: unknown };
    previewTimes.push((performance.now() - s) / 1000);
  }
  const lookupTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await client.query(
      `SELECT count(*) FROM (
         SELECT DISTINCT ON (c.oid) c.oid, c.mid FROM (
           SELECT o.id AS oid, m.id AS mid, m.sent_at FROM orders o
             JOIN message_events e ON e.shop_id = o.shop_id AND e.email_key = ANY(o.email_keys) AND e.stage >= 4
              AND e.occurred_at BETWEEN o.time_of_sale - interval '48 hours' AND o.time_of_sale
             JOIN messages m ON m.shop_id = o.shop_id AND m.external_id = e.message_key
            WHERE o.shop_id = $1 AND o.time_of_sale >= $2 AND o.time_of_sale < $3
           UNION ALL
           SELECT o.id, m.id, m.sent_at FROM orders o
             JOIN message_events e ON e.shop_id = o.shop_id AND e.phone_key = ANY(o.phone_keys) AND e.stage >= 4
              AND e.occurred_at BETWEEN o.time_of_sale - interval '48 hours' AND o.time_of_sale
             JOIN messages m ON m.shop_id = o.shop_id AND m.external_id = e.message_key
            WHERE o.shop_id = $1 AND o.time_of_sale >= $2 AND o.time_of_sale < $3) c
          ORDER BY c.oid, c.sent_at DESC) x`,
      [shopId, from, to],
    );
    lookupTimes.push((performance.now() - s) / 1000);
  }
  const ordersInPeriod = Number(
    (
      await client.query(
        `SELECT count(*) AS n FROM orders WHERE shop_id = $1 AND time_of_sale >= $2 AND time_of_sale < $3`,
        [shopId, from, to],
      )
    ).rows[0].n,
  );
  emit({
    name: "settings_preview_s",
    value: round(median(previewTimes), 3),
    unit: "s",
    baseline: round(median(lookupTimes), 3),
    baseline_name: "bare lookup: one SQL statement finding each order's latest qualifying message, writes nothing",
    ratio: ratio(median(previewTimes), median(lookupTimes)),
    target: "a 30-day preview within 3x of the bare lookup over the same orders",
    params: { ...dataParams, from, to, orders_in_period: ordersInPeriod, runs: 3, orders_moves: preview?.orders },
  });

  // ---- holdout_s: one campaign with N recipients (90% sent, 10% held out).
  const n = Math.max(2000, Math.round(1_000_000 * scale));
  note(`holdout: a campaign of ${n} recipients`);
  const t0 = "2026-09-01T10:00:00Z";
  const camp = await client.query<{ id: string }>(
    `INSERT INTO campaigns (shop_id, external_id, name, channel) VALUES ($1, 'holdout-bench', 'Holdout bench', 'email')
     RETURNING id::text`,
    [shopId],
  );
  const cid = camp.rows[0]!.id;
  const step = 250_000;
  for (let lo = 0; lo < n; lo += step) {
    const hi = Math.min(n, lo + step) - 1;
    await client.query(
      `INSERT INTO messages (shop_id, external_id, campaign_id, channel, email_key, sent_at, has_sent, has_delivered,
                             recipient_keys, first_stage_at, last_stage_at)
       SELECT $1, 'hb' || i, $2, 'email', 'h' || i || '@ex.com', $3::timestamptz + make_interval(secs => i % 600), true,
              true, ARRAY['e:h' || i || '@ex.com'], $3::timestamptz, $3::timestamptz
         FROM generate_series(${lo}, ${hi}) i WHERE i % 10 <> 0`,
      [shopId, cid, t0],
    );
    await client.query(
      `INSERT INTO message_events (shop_id, dedup_key, message_key, campaign_key, campaign_name, type, stage, channel,
                                   occurred_at, email_key, source)
       SELECT $1, 'hbh' || i, 'holdout-bench:email:h' || i, 'holdout-bench', 'Holdout bench', 'held_out', 0, 'email',
              $2::timestamptz, 'h' || i || '@ex.com', 'api'
         FROM generate_series(${lo}, ${hi}) i WHERE i % 10 = 0`,
      [shopId, t0],
    );
    // Buyers: 6% of the treated, 5% of the control group, 1 to 30 hours after t0 (the window is 24 h).
    await client.query(
      `WITH b AS (
         SELECT i, $2::timestamptz + make_interval(hours => 1 + (i % 30)) AS t FROM generate_series(${lo}, ${hi}) i
          WHERE (i % 10 <> 0 AND i % 50 IN (1, 2, 3)) OR i % 200 = 0
       ), o AS (
         INSERT INTO orders (shop_id, external_id, currency, total_price, time_of_sale, processed_at, email_keys,
                             content_hash)
         SELECT $1, 'hbo' || i, 'USD', ((i % 9000) + 1000) / 100.0, t, t, ARRAY['h' || i || '@ex.com'], 'bench'
           FROM b RETURNING id, time_of_sale, total_price
       )
       INSERT INTO attributions (order_id, shop_id, time_of_sale, counted, gross, refunded, settings_version, reason)
       SELECT id, $1, time_of_sale, true, total_price, 0, 1, 'no_match' FROM o`,
      [shopId, t0],
    );
  }
  await client.query(`ANALYZE messages`);
  await client.query(`ANALYZE message_events`);
  await client.query(`ANALYZE orders`);
  await client.query(`ANALYZE attributions`);
  const range = `from=2026-08-01T00:00:00Z&to=2026-10-01T00:00:00Z`;
  await api("GET", `/api/v1/campaigns/holdout-bench?${range}`); // warm
  const times: number[] = [];
  let holdout: HoldoutFigures | null = null;
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    holdout = ((await api("GET", `/api/v1/campaigns/holdout-bench?${range}`)) as { holdout: HoldoutFigures | null })
      .holdout;
    times.push((performance.now() - s) / 1000);
  }
  const scanTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await client.query(`SELECT count(*) FROM messages WHERE campaign_id = $1 AND has_sent`, [cid]);
    await client.query(
      `SELECT count(*) FROM message_events WHERE shop_id = $1 AND type = 'held_out' AND campaign_key = 'holdout-bench'`,
      [shopId],
    );
    scanTimes.push((performance.now() - s) / 1000);
  }
  if (!holdout || holdout.treated + holdout.held_out !== n)
    throw new Error(`holdout figures do not cover the ${n} recipients: ${JSON.stringify(holdout)}`);
  emit({
    name: "holdout_s",
    value: round(median(times), 3),
    unit: "s",
    baseline: round(median(scanTimes), 3),
    baseline_name: "one plain read of the campaign's two groups (count of sent messages and held_out events)",
    ratio: ratio(median(times), median(scanTimes)),
    target: "a campaign of 1M recipients in seconds (set-based SQL, no per-recipient JavaScript)",
    params: {
      ...dataParams,
      recipients: n,
      treated: holdout.treated,
      held_out: holdout.held_out,
      incremental_revenue: holdout.incremental_revenue,
      significant: holdout.significant,
      runs: 3,
    },
  });
}
