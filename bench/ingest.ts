/**
 * Ingestion figures (README "Benchmarks"):
 * - `ingest_events_per_s`: events/s through `POST /api/v1/events` (batches of 1000, a few concurrent clients) on the
 *   built server, next to the raw `COPY` rate of the same rows into the same table (message_events) in the same run.
 * - `webhook_ack_ms_p99`: Shopify webhook acknowledgement latency at a steady 200 requests/s (HMAC-signed
 *   orders/create bodies) while the worker applies them, next to the same deliveries at the same rate with the worker
 *   stopped (same server, same run).
 */
import { createHmac, randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import cliProgress from "cli-progress";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { BENCH_SECRET, note, type BenchStack } from "./stack";

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  baseline_name: string;
  ratio: number | null;
  target: string;
  params: Record<string, unknown>;
}

export type Emit = (figure: Figure) => void;

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

function bar(label: string, total: number) {
  const b = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {eta}s left`,
      stream: process.stderr,
      hideCursor: false,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0);
  return b;
}

// ---------------------------------------------------------------------------------------------------------------
// ingest_events_per_s

const TYPES = ["sent", "delivered", "opened", "clicked"] as const;

/** A realistic event: four per message (sent..clicked), 1,000 campaigns, email mostly, some SMS. */
function makeEvent(run: string, i: number) {
  const msg = Math.floor(i / 4);
  const sms = msg % 10 === 0;
  const type = TYPES[i % 4]!;
  return {
    id: `${run}-${i}`,
    type,
    channel: sms ? "sms" : "email",
    occurred_at: new Date(Date.UTC(2026, 0, 1) + msg * 60_000 + (i % 4) * 600_000).toISOString(),
    campaign_id: `cmp-${msg % 1000}`,
    campaign_name: `Campaign ${msg % 1000}`,
    message_id: `${run}-m${msg}`,
    recipient: sms
      ? { phone: `+1415555${String(msg % 10000).padStart(4, "0")}` }
      : { email: `User${msg % 50000}@Example.com`, customer_id: String(7000000000000 + (msg % 50000)) },
    tags: ["newsletter", `week-${msg % 52}`],
    ...(type === "clicked" ? { url: `https://shop.example.com/products/p${msg % 300}?utm_source=cr` } : {}),
    machine: false,
  };
}

/** CSV field (COPY ... FORMAT csv): quoted when needed; empty unquoted = NULL. */
function csv(v: string | number | boolean | null): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) || s === "" ? `"${s.replace(/"/g, '""')}"` : s;
}

function pgArray(items: string[]): string {
  return `{${items.map((t) => `"${t.replace(/(["\\])/g, "\\$1")}"`).join(",")}}`;
}

const COPY_COLUMNS =
  "shop_id, dedup_key, message_key, campaign_key, campaign_name, type, stage, channel, occurred_at, email_key, phone_key, customer_key, tags, url, machine, source";

async function rawCopyRate(
  databaseUrl: string,
  shopId: string,
  bodies: string[],
  total: number,
): Promise<{ rowsPerS: number; ms: number }> {
  // The same rows the API stores, turned into stored form by the app's own parser and row mapping (not timed).
  const { parseApiEvents } = await import("../app/ingest/api");
  const { toEventRow } = await import("../app/data/events.server");
  const chunks: string[] = [];
  for (const body of bodies) {
    const parsed = parseApiEvents(body);
    if (!parsed.ok) throw new Error(`bench events do not parse: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
    let out = "";
    for (const e of parsed.events) {
      const r = toEventRow(e);
      out += `${[shopId, r.dedupKey, r.messageKey, r.campaignKey, r.campaignName, r.type, r.stage, r.channel, r.occurredAt.toISOString(), r.emailKey, r.phoneKey, r.customerKey, pgArray(r.tags), r.url, r.machine, r.source].map(csv).join(",")}\n`;
    }
    chunks.push(out);
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const b = bar("raw COPY message_events", total);
  try {
    const started = performance.now();
    const copy = client.query(copyFrom(`COPY message_events (${COPY_COLUMNS}) FROM STDIN WITH (FORMAT csv)`));
    let done = 0;
    const source = Readable.from(
      (function* () {
        for (const c of chunks) {
          done += 1000;
          b.update(Math.min(done, total));
          yield c;
        }
      })(),
    );
    await pipeline(source, copy);
    const ms = performance.now() - started;
    b.update(total);
    return { rowsPerS: (total / ms) * 1000, ms };
  } finally {
    b.stop();
    await client.end();
  }
}

async function apiRate(baseUrl: string, key: string, bodies: string[], clients: number, total: number) {
  const b = bar("POST /api/v1/events", total);
  let next = 0;
  let accepted = 0;
  const post = async (body: string) => {
    const res = await fetch(`${baseUrl}/api/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}`, "User-Agent": UA },
      body,
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`POST /api/v1/events answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as { accepted: number };
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const r = await post(body);
        accepted += r.accepted;
        b.increment(1000);
      }
    }),
  );
  const ms = performance.now() - started;
  b.stop();
  if (accepted !== total) throw new Error(`the API accepted ${accepted} of ${total} events`);
  return { eventsPerS: (total / ms) * 1000, ms };
}

export async function benchIngestEvents(stack: BenchStack, scale: number, emit: Emit): Promise<void> {
  // At least 50 batches: a shorter API phase (under ~2 s) measures noise more than throughput.
  const batches = Math.max(50, Math.round(200 * scale));
  const clients = 4;
  const total = batches * 1000;
  note(`ingest_events_per_s: ${total} events in batches of 1000, ${clients} clients`);
  const run = randomBytes(3).toString("hex");
  const bodies: string[] = [];
  for (let b = 0; b < batches; b++) {
    const events = [];
    for (let i = 0; i < 1000; i++) events.push(makeEvent(run, b * 1000 + i));
    bodies.push(JSON.stringify({ events }));
  }
  const apiShop = await stack.createShop("bench-api");
  const copyShop = await stack.createShop("bench-copy");

  // Warm-up (JIT, connection pools): one batch of other events, not counted.
  const warm = Array.from({ length: 1000 }, (_, i) => makeEvent(`${run}w`, i));
  await fetch(`${stack.baseUrl}/api/v1/events`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiShop.key}`, "User-Agent": UA },
    body: JSON.stringify({ events: warm }),
  }).then((r) => r.text());

  const copy = await rawCopyRate(stack.databaseUrl, copyShop.shopId, bodies, total);
  const api = await apiRate(stack.baseUrl, apiShop.key, bodies, clients, total);
  emit({
    name: "ingest_events_per_s",
    value: Math.round(api.eventsPerS),
    unit: "events/s",
    baseline: Math.round(copy.rowsPerS),
    baseline_name: "raw COPY of the same rows into message_events (pg-copy-streams, one connection, same run)",
    ratio: round(api.eventsPerS / copy.rowsPerS, 3),
    target: ">= 0.5x raw COPY of the same rows (ratio >= 0.5)",
    params: {
      events: total,
      batch_size: 1000,
      clients,
      api_ms: Math.round(api.ms),
      copy_ms: Math.round(copy.ms),
      includes:
        "HTTP + auth + rate limit + JSON parse/validation + dedup insert + pending_attributions + queue wake-up",
      worker_running: false,
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// webhook_ack_ms_p99

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function orderBody(i: number, run: string): string {
  const id = (5_000_000_000_000n + BigInt(i)).toString();
  const at = new Date(Date.UTC(2026, 0, 2) + i * 1000).toISOString();
  return JSON.stringify({
    id: Number(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#B${run}${i}`,
    email: `buyer${i % 5000}@example.com`,
    created_at: at,
    processed_at: at,
    updated_at: at,
    currency: "USD",
    presentment_currency: "USD",
    total_price: "49.90",
    total_price_set: {
      shop_money: { amount: "49.90", currency_code: "USD" },
      presentment_money: { amount: "49.90", currency_code: "USD" },
    },
    test: false,
    landing_site: "/products/p1?utm_source=cr",
    customer: { id: 8_000_000_000 + (i % 5000), email: `buyer${i % 5000}@example.com`, phone: null },
    line_items: [{ id: 1, title: "Thing", quantity: 1, price: "49.90" }],
    refunds: [],
  });
}

/**
 * Open-loop load at `rate` requests/s for `seconds`: each request is due at t0 + i/rate and its latency counts from
 * that due time (so a stalled server is not hidden by a stalled client: no coordinated omission).
 */
async function steadyLoad(
  label: string,
  rate: number,
  seconds: number,
  request: (i: number) => Promise<number>,
): Promise<{ latencies: number[]; errors: number; statuses: Record<string, number> }> {
  const total = Math.round(rate * seconds);
  const b = bar(label, total);
  const latencies: number[] = [];
  const dueSecond: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) * rate) / 1000) + 1);
    while (sent < due) {
      const i = sent++;
      const dueAt = t0 + (i * 1000) / rate;
      inflight.push(
        request(i).then(
          (status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status !== 200) errors++;
            latencies.push(performance.now() - dueAt);
            dueSecond.push((dueAt - t0) / 1000);
            b.increment();
          },
          () => {
            errors++;
            statuses.error = (statuses.error ?? 0) + 1;
            b.increment();
          },
        ),
      );
    }
    const nextDue = t0 + (sent * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(inflight);
  b.stop();
  if (process.env.BENCH_TIMELINE === "1") {
    // Per second of due time: p50 and max latency (where a stall starts and ends).
    const bySecond = new Map<number, number[]>();
    latencies.forEach((l, k) => {
      const s = Math.floor(dueSecond[k]!);
      bySecond.set(s, [...(bySecond.get(s) ?? []), l]);
    });
    for (const [s, xs] of [...bySecond].sort((x, y) => x[0] - y[0])) {
      xs.sort((x, y) => x - y);
      note(
        `${label} second ${s}: p50 ${Math.round(xs[Math.floor(xs.length / 2)]!)} ms, max ${Math.round(xs.at(-1)!)} ms`,
      );
    }
  }
  latencies.sort((a, c) => a - c);
  return { latencies, errors, statuses };
}

/** Deliveries of this bench's shop still waiting in the inbox, and its pending attribution rows. */
async function backlog(databaseUrl: string, domain: string | null): Promise<{ inbox: number; pending: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ inbox: number; pending: number }>(
      `SELECT (SELECT count(*) FROM webhook_deliveries WHERE processed_at IS NULL
                 AND ($1::text IS NULL OR shop_domain = $1))::int AS inbox,
              (SELECT count(*) FROM pending_attributions)::int AS pending`,
      [domain],
    );
    return r.rows[0]!;
  } finally {
    await client.end();
  }
}

async function drained(databaseUrl: string, domain: string | null, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const b = await backlog(databaseUrl, domain);
    if (b.inbox === 0 && b.pending === 0) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`the worker did not drain its backlog: ${JSON.stringify(b)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `webhook_ack_ms_p99`: signed orders/create deliveries at a steady 200/s while the worker applies them (and
 * attributes the orders), next to the same deliveries (same bodies, new delivery ids) at the same rate with the
 * worker stopped, same server, same run: the ratio is what the background work costs the acknowledgement.
 */
export async function benchWebhookAck(stack: BenchStack, scale: number, emit: Emit): Promise<void> {
  const rate = 200;
  const seconds = Math.max(5, Math.round(30 * scale));
  const run = randomBytes(3).toString("hex");
  // Order webhooks are taken only for a shop that has the app installed: create it first.
  const { domain } = await stack.createShop(`bench-hooks-${run}`);
  const total = rate * seconds;
  note(
    `webhook_ack_ms_p99: ${total} signed orders/create webhooks at ${rate}/s for ${seconds} s with the worker running, then the same deliveries with the worker stopped`,
  );
  const warmCount = 2 * rate;
  const signed = Array.from({ length: total + warmCount }, (_, i) => {
    const body = orderBody(i, run);
    return { body, hmac: createHmac("sha256", BENCH_SECRET).update(body).digest("base64") };
  });
  const hook = (phase: string) => (i: number) => {
    const s = signed[i]!;
    return fetch(`${stack.baseUrl}/webhooks/orders/create`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": domain,
        "X-Shopify-Webhook-Id": `${run}-${phase}-${i}`,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Hmac-Sha256": s.hmac,
        "X-Shopify-Triggered-At": new Date().toISOString(),
      },
      body: s.body,
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });
  };
  const worker = await stack.startWorker();
  // Warm-up, not counted: two seconds of the same load (the web's connection pool grown, code paths compiled, the
  // worker's first batches planned), so the measured phase does not pay the cold start that the worker-stopped
  // phase after it never sees; then whatever is left for the worker (this warm-up's and the ingest bench's pending
  // attributions) is drained, so the measured background work is these deliveries' own.
  await steadyLoad("warm-up", rate, warmCount / rate, (i) => hook("warm")(total + i));
  await drained(stack.databaseUrl, null, 600_000);

  const hooks = await steadyLoad("webhooks, worker running", rate, seconds, hook("w"));
  const applyMs = await drained(stack.databaseUrl, domain, 600_000);
  await worker.stop();
  const idle = await steadyLoad("webhooks, worker stopped", rate, seconds, hook("s"));
  const health = await steadyLoad("GET /healthz", rate, seconds, () =>
    fetch(`${stack.baseUrl}/healthz`, { headers: { "User-Agent": UA } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    }),
  );
  const p99 = percentile(hooks.latencies, 99);
  const base = percentile(idle.latencies, 99);
  emit({
    name: "webhook_ack_ms_p99",
    value: round(p99),
    unit: "ms",
    baseline: round(base),
    baseline_name: "p99 of the same deliveries at the same rate with the worker stopped (same server, same run)",
    ratio: round(p99 / base, 3),
    target: "<= 1.5x the same deliveries with the worker stopped; every delivery answered 200",
    params: {
      rate_per_s: rate,
      seconds,
      requests: total,
      p50_ms: round(percentile(hooks.latencies, 50)),
      p90_ms: round(percentile(hooks.latencies, 90)),
      max_ms: round(hooks.latencies.at(-1) ?? NaN),
      non_200: hooks.errors,
      statuses: hooks.statuses,
      baseline_p50_ms: round(percentile(idle.latencies, 50)),
      baseline_non_200: idle.errors,
      worker_drain_after_load_ms: Math.round(applyMs),
      healthz_p99_ms: round(percentile(health.latencies, 99)),
      latency_from: "scheduled send time (open loop, no coordinated omission)",
      worker_running: true,
    },
  });
}

export const INGEST_FIGURES = ["ingest_events_per_s", "webhook_ack_ms_p99"] as const;

/** Runs the ingest figures selected by `only` (all when null) on a stack of its own. */
export async function runIngestBench(opts: {
  scale: number;
  emit: Emit;
  only: Set<string> | null;
  startStack: () => Promise<BenchStack>;
}): Promise<void> {
  const want = (n: string) => !opts.only || opts.only.has(n);
  if (!INGEST_FIGURES.some(want)) return;
  const stack = await opts.startStack();
  try {
    if (want("ingest_events_per_s")) await benchIngestEvents(stack, opts.scale, opts.emit);
    if (want("webhook_ack_ms_p99")) await benchWebhookAck(stack, opts.scale, opts.emit);
  } finally {
    await stack.stop();
  }
}
