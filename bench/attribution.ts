/**
 * Attribution figures (API.md "Benchmarks"), on a database of its own (created, migrated and dropped here), the built
 * server and a real worker process:
 * - `reattribution_s`: a settings change (PUT /api/v1/settings) until the status is idle again, over 1M orders x 10M
 *   events at scale 1 (the whole history re-attributed by the worker, set-based, in chunks). Baseline: one plain
 *   scan of the same rows (count(*) over the shop's events and orders).
 * - `incremental_orders_per_s`: new orders (with the events stored) attributed by the worker from their pending rows.
 *   Baseline: raw indexed lookups of the same orders' events within the window.
 * - `report_ms_p95`: GET /api/v1/reports/campaigns over about a year (odd edges) on 1M attributed orders and 1,000
 *   campaigns. Baseline: a plain indexed range scan summing the attributions of the same period.
 * - `worker_peak_rss_mb`: the worker's peak RSS (VmHWM) over the whole run. Baseline: the same worker idle.
 */
import { deletePrefix } from "../tests/support/redis";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createMigratedDatabase, dropDatabase } from "../tests/support/db";
import { ROOT, freePort, runCli, startServer, startWorker, type Proc } from "../tests/support/processes";
import { buildMessageRollup, generateAttributionData, insertNewOrders, specFor } from "./data";
import type { Figure } from "./ingest";

export type { Figure };

const note = (m: string) => process.stderr.write(`[bench:attribution] ${m}\n`);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const ratio = (v: number, b: number | null) => (b ? round(v / b, 3) : null);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
}

/** The processes of a process group, with their RSS and peak RSS in MB. */
function groupMemory(pgid: number): { rss: number; hwm: number }[] {
  const out: { rss: number; hwm: number }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${d}/status`, "utf8");
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      out.push({ rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 });
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function runAttributionBench(opts: {
  scale: number;
  emit: (figure: Figure) => void;
  only?: Set<string> | null;
}): Promise<void> {
  const { scale, emit } = opts;
  if (!existsSync(path.join(ROOT, "build/index.js"))) throw new Error("no build/: run `npm run build` first");
  note(`scale ${scale}: creating a database`);
  const db = await createMigratedDatabase("cr_bench_attr");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `crbenchattr_${randomBytes(4).toString("hex")}`;
  const env: Record<string, string> = {
    NODE_ENV: "production",
    DATABASE_URL: db.url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: "bench-api-secret",
    SHOPIFY_APP_URL: baseUrl,
    SCOPES: "read_orders",
    PORT: String(port),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    ACCESS_LOG: "off",
    API_RATE_LIMIT_PER_MINUTE: "100000000",
    RELAY_INTERVAL_MS: "100",
  };
  const procs: Proc[] = [];
  const client = new pg.Client({ connectionString: db.url });
  try {
    procs.push(await startServer(env));
    await client.connect();
    const domain = `bench-${randomBytes(4).toString("hex")}.myshopify.com`;
    const cli = await runCli(["api-key", "create", "--shop", domain], env);
    if (cli.code !== 0) throw new Error(`cli api-key create failed: ${cli.stderr}`);
    const key = cli.stdout.trim().split("\n").at(-1)!;
    const shopId = (await client.query(`SELECT id::text AS id FROM shops WHERE domain = $1`, [domain])).rows[0]
      .id as string;
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${baseUrl}${p}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return JSON.parse(text);
    };

    const spec = specFor(shopId, scale);
    const t0 = Date.now();
    const counts = await generateAttributionData(client, spec, note);
    await buildMessageRollup(client, shopId);
    note(`generated ${JSON.stringify(counts)} in ${round((Date.now() - t0) / 1000)} s`);
    const dataParams = { ...counts, campaigns: spec.campaigns, recipients: spec.recipients };

    // The worker, idle.
    const worker = await startWorker(env);
    procs.push(worker);
    await sleep(3000);
    const idle = groupMemory(worker.child.pid!);
    const idleRss = Math.max(...idle.map((m) => m.rss));
    let peak = 0;
    const sampler = setInterval(() => {
      for (const m of groupMemory(worker.child.pid!)) peak = Math.max(peak, m.hwm);
    }, 250);

    const reattribute = async (patch: unknown) => {
      const started = performance.now();
      const put = await api("PUT", "/api/v1/settings", patch);
      const version = put.attribution.version as number;
      for (;;) {
        const r = await client.query(`SELECT attribution_state, attributed_version FROM settings WHERE shop_id = $1`, [
          shopId,
        ]);
        if (r.rows[0].attribution_state === "idle" && r.rows[0].attributed_version >= version) break;
        if (performance.now() - started > 3_600_000) throw new Error("re-attribution did not finish within an hour");
        await sleep(50);
      }
      return (performance.now() - started) / 1000;
    };

    // BENCH_FLOW_TRIGGER measures the Flow outbox triggers' cost (docs/decisions/014-admin-extensions-and-flow.md):
    // "on" = the shop uses the Flow trigger, "off" = the triggers dropped; unset = installed, no shop uses them.
    const flowMode = process.env.BENCH_FLOW_TRIGGER ?? "idle";
    if (flowMode === "on") {
      await client.query(
        `INSERT INTO flow_trigger_shops (shop_id, enabled, definition_id, notified_at) VALUES ($1, true, 'bench', now())`,
        [shopId],
      );
    } else if (flowMode === "off") {
      await client.query(`DROP TRIGGER attributions_flow_outbox_insert ON attributions`);
      await client.query(`DROP TRIGGER attributions_flow_outbox_update ON attributions`);
    }
    if (flowMode !== "idle") note(`Flow outbox triggers: ${flowMode}`);

    // 1. The first attribution of the history (inserts every attribution row), then a settings change (updates).
    note("first full attribution");
    const initial = await reattribute({ excluded_tags: ["password-reset"] });
    note(`  ${round(initial)} s`);
    note("re-attribution after a settings change");
    const reatt = await reattribute({ excluded_tags: [], channels: { email: { event: "clicked", window_hours: 24 } } });
    note(`  ${round(reatt)} s`);
    const scanStart = performance.now();
    await client.query(`SELECT count(*) FROM message_events WHERE shop_id = $1`, [shopId]);
    await client.query(`SELECT count(*) FROM orders WHERE shop_id = $1`, [shopId]);
    const scan = (performance.now() - scanStart) / 1000;
    const attributed = Number(
      (
        await client.query(`SELECT count(*) AS n FROM attributions WHERE shop_id = $1 AND campaign_id IS NOT NULL`, [
          shopId,
        ])
      ).rows[0].n,
    );
    emit({
      name: "reattribution_s",
      value: round(reatt, 2),
      unit: "s",
      baseline: round(scan, 4),
      baseline_name: "one plain scan (count(*)) of the shop's events and orders",
      ratio: ratio(reatt, scan),
      target: "<= 60 s for 1M orders x 10M events on 2 cores",
      params: {
        ...dataParams,
        attributed,
        first_attribution_s: round(initial, 2),
        flow_trigger: flowMode,
        flow_outbox_rows: Number(
          (await client.query(`SELECT count(*) AS n FROM flow_outbox WHERE shop_id = $1`, [shopId])).rows[0].n,
        ),
      },
    });

    // 2. Incremental: new orders with the events stored.
    const n = Math.max(500, Math.round(50_000 * scale));
    note(`incremental: ${n} new orders`);
    const incStart = performance.now();
    const ids = await insertNewOrders(client, spec, n, `n${randomBytes(3).toString("hex")}-`);
    for (;;) {
      const r = await client.query(`SELECT count(*) AS n FROM pending_attributions WHERE shop_id = $1`, [shopId]);
      if (Number(r.rows[0].n) === 0) break;
      await sleep(20);
    }
    const incS = (performance.now() - incStart) / 1000;
    const lookStart = performance.now();
    await client.query(
      `SELECT count(*) FROM orders o
         JOIN LATERAL (
           SELECT 1 FROM message_events e WHERE e.shop_id = o.shop_id AND e.email_key = ANY(o.email_keys)
              AND e.occurred_at BETWEEN o.time_of_sale - interval '24 hours' AND o.time_of_sale
           UNION ALL
           SELECT 1 FROM message_events e WHERE e.shop_id = o.shop_id AND e.phone_key = ANY(o.phone_keys)
              AND e.occurred_at BETWEEN o.time_of_sale - interval '24 hours' AND o.time_of_sale
         ) x ON true
        WHERE o.id = ANY($1::bigint[])`,
      [ids],
    );
    const lookS = (performance.now() - lookStart) / 1000;
    emit({
      name: "incremental_orders_per_s",
      value: round(n / incS, 0),
      unit: "orders/s",
      baseline: round(n / lookS, 0),
      baseline_name: "raw indexed lookups of the same orders' events within the window (orders/s)",
      ratio: ratio(n / incS, n / lookS),
      target: "keeps up with ingestion: thousands of orders/s",
      params: { ...dataParams, new_orders: n, batch_orders: 1000 },
    });

    // 3. Report over about a year.
    note("report p95");
    const year = Date.parse("2026-01-01T00:00:00Z");
    const ranges = Array.from({ length: 40 }, (_, i) => {
      const from = new Date(year + ((i * 7919) % 1440) * 60_000 + (i % 7) * 1000);
      const to = new Date(year + 365 * 86_400_000 - ((i * 104729) % 1440) * 60_000);
      return { from: from.toISOString(), to: to.toISOString() };
    });
    for (const r of ranges.slice(0, 3)) await api("GET", `/api/v1/reports/campaigns?from=${r.from}&to=${r.to}`);
    const times: number[] = [];
    let campaignsShown = 0;
    let purchases = 0;
    for (const r of ranges) {
      const s = performance.now();
      const rep = await api("GET", `/api/v1/reports/campaigns?from=${r.from}&to=${r.to}`);
      times.push(performance.now() - s);
      campaignsShown = rep.campaigns.length;
      purchases = rep.summary.purchases;
    }
    const scanTimes: number[] = [];
    for (const r of ranges.slice(0, 10)) {
      const s = performance.now();
      await client.query(
        `SELECT campaign_id, count(*), sum(gross), sum(refunded) FROM attributions
          WHERE shop_id = $1 AND time_of_sale >= $2 AND time_of_sale < $3 GROUP BY campaign_id`,
        [shopId, r.from, r.to],
      );
      scanTimes.push(performance.now() - s);
    }
    emit({
      name: "report_ms_p95",
      value: round(p95(times), 1),
      unit: "ms",
      baseline: round(p95(scanTimes), 1),
      baseline_name: "plain indexed range scan summing the period's attributions by campaign (SQL only)",
      ratio: ratio(p95(times), p95(scanTimes)),
      target: "<= 100 ms for a year over 1M attributed orders and 1,000 campaigns",
      params: {
        ...dataParams,
        requests: times.length,
        campaigns_shown: campaignsShown,
        purchases_in_period: purchases,
      },
    });

    // 4. The report page in headless Chromium on the same data (bench/admin-vitals.ts).
    if (!opts.only || ["admin_lcp_ms_p75", "admin_cls_p75", "admin_inp_ms_p75"].some((n) => opts.only!.has(n))) {
      const { runAdminVitalsBench } = await import("./admin-vitals");
      await runAdminVitalsBench({ baseUrl, env, client, shopId, domain, emit, params: dataParams });
    }

    clearInterval(sampler);
    for (const m of groupMemory(worker.child.pid!)) peak = Math.max(peak, m.hwm);
    emit({
      name: "worker_peak_rss_mb",
      value: round(peak, 0),
      unit: "MB",
      baseline: round(idleRss, 0),
      baseline_name: "the same worker's RSS while idle",
      ratio: ratio(peak, idleRss),
      target: "bounded: set-based SQL, no per-order data in the worker",
      params: { ...dataParams },
    });
  } finally {
    await client.end().catch(() => {});
    for (const p of procs.reverse()) await p.stop();
    await dropDatabase(db.name);
    await deletePrefix(env.REDIS_URL, prefix);
  }
}

// Run alone: `npx tsx bench/attribution.ts [--scale 0.01]`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(ROOT, "bench/attribution.ts")) {
  const i = process.argv.indexOf("--scale");
  const scale = i > 0 ? Number(process.argv[i + 1]) : 1;
  runAttributionBench({
    scale,
    emit: (f) => process.stdout.write(`${JSON.stringify({ ...f, params: { scale, ...f.params } })}\n`),
  })
    .then(() => process.exit(0))
    .catch((e) => {
      note(String(e?.stack ?? e));
      process.exit(1);
    });
}
