/**
 * `backfill_orders_per_s` and `backfill_peak_rss_mb` (API.md "Benchmarks"): a history import of 1M orders (x scale)
 * from a bulk-operation JSONL file served by a local HTTP server, through the real path: POST /api/v1/imports, the
 * worker's bulk lifecycle against the Shopify fake (tests/msw/shopify-admin.ts, preloaded into the worker), the
 * streamed download, batches through the webhook write path. Baseline: raw COPY of the same order rows into
 * `orders` (another shop), same run. Peak RSS: the worker's process group (VmHWM) during the import; baseline: the
 * same worker idle.
 */
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Figure } from "./ingest";
import { note, startStack } from "./stack";

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

function groupPeakMb(pgid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${d}/status`, "utf8");
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      rss = Math.max(rss, kb("VmRSS") / 1024);
      hwm = Math.max(hwm, kb("VmHWM") / 1024);
    } catch {
      /* gone */
    }
  }
  return { rss, hwm };
}

function order(i: number) {
  const cents = 1000 + (i % 50_000);
  const at = new Date(Date.UTC(2025, 0, 1) + (i % 700) * 86_400_000 + (i % 86_400) * 1000).toISOString();
  return {
    id: `gid://shopify/Order/${1_000_000_000_000 + i}`,
    name: `#${1000 + i}`,
    email: `buyer${i % 200_000}@example.com`,
    phone: null,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    test: false,
    checkoutToken: null,
    currencyCode: "USD",
    presentmentCurrencyCode: "USD",
    totalPriceSet: {
      shopMoney: { amount: (cents / 100).toFixed(2), currencyCode: "USD" },
      presentmentMoney: { amount: (cents / 100).toFixed(2), currencyCode: "USD" },
    },
    customer: null,
    customerJourneySummary: null,
    refunds:
      i % 10 === 0
        ? [
            {
              id: `gid://shopify/Refund/${2_000_000_000_000 + i}`,
              createdAt: at,
              totalRefundedSet: { shopMoney: { amount: "1.00", currencyCode: "USD" } },
            },
          ]
        : [],
  };
}

async function writeFile(file: string, n: number) {
  const out = createWriteStream(file);
  await pipeline(
    Readable.from(
      (function* () {
        let chunk = "";
        for (let i = 0; i < n; i++) {
          chunk += `${JSON.stringify(order(i))}\n`;
          if (chunk.length > 1 << 20) {
            yield chunk;
            chunk = "";
          }
        }
        if (chunk) yield chunk;
      })(),
    ),
    out,
  );
}

const csv = (v: unknown) => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

async function rawCopy(databaseUrl: string, shopId: string, n: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    const copy = client.query(
      copyFrom(
        `COPY orders (shop_id, external_id, name, currency, total_price, time_of_sale, processed_at,
           source_created_at, source_updated_at, test, email_keys) FROM STDIN WITH (FORMAT csv)`,
      ),
    );
    await pipeline(
      Readable.from(
        (function* () {
          let chunk = "";
          for (let i = 0; i < n; i++) {
            const o = order(i);
            chunk += `${[shopId, String(1_000_000_000_000 + i), o.name, "USD", o.totalPriceSet.shopMoney.amount, o.processedAt, o.processedAt, o.createdAt, o.updatedAt, "f", `{${o.email}}`].map(csv).join(",")}\n`;
            if (chunk.length > 1 << 20) {
              yield chunk;
              chunk = "";
            }
          }
          if (chunk) yield chunk;
        })(),
      ),
      copy,
    );
    return (n / (performance.now() - started)) * 1000;
  } finally {
    await client.end();
  }
}

export async function runBackfillBench(opts: { scale: number; emit: (f: Figure) => void }): Promise<void> {
  const { scale, emit } = opts;
  const n = Math.max(1000, Math.round(1_000_000 * scale));
  const dir = mkdtempSync(path.join(tmpdir(), "cr-bench-backfill-"));
  const file = path.join(dir, "orders.jsonl");
  note(`backfill: writing ${n} orders as bulk JSONL`);
  await writeFile(file, n);
  const http = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/jsonl" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const address = http.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/orders.jsonl`;
  const stack = await startStack({ FAKE_SHOPIFY_DIR: dir, BULK_POLL_INTERVAL_MS: "200", LOG_LEVEL: "error" });
  try {
    const shop = await stack.createShop("backfill");
    const copyShop = await stack.createShop("backfill-copy");
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE shops SET installed_at = now() WHERE id = $1`, [shop.shopId]);
      await db.query(
        `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'bench', false, 'read_orders', 'shpat_bench')`,
        [`offline_${shop.domain}`, shop.domain],
      );
      writeFileSync(path.join(dir, `${shop.domain}.json`), JSON.stringify({ bulk: { url, objectCount: n } }));

      note("backfill: raw COPY baseline");
      const copyRate = await rawCopy(stack.databaseUrl, copyShop.shopId, n);

      const worker = await stack.startWorker();
      const pgid = worker.child.pid!;
      await new Promise((r) => setTimeout(r, 2000));
      const idle = groupPeakMb(pgid);
      note(`backfill: importing ${n} orders`);
      const started = performance.now();
      const res = await fetch(`${stack.baseUrl}/api/v1/imports`, {
        method: "POST",
        headers: { Authorization: `Bearer ${shop.key}`, "Content-Type": "application/json" },
        body: "{}",
      });
      if (res.status !== 202) throw new Error(`POST /api/v1/imports answered ${res.status}: ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      let peak = idle.hwm;
      let state = "queued";
      let error: string | null = null;
      while (state === "queued" || state === "running") {
        await new Promise((r) => setTimeout(r, 250));
        peak = Math.max(peak, groupPeakMb(pgid).hwm);
        const row = await db.query<{ state: string; error: string | null }>(
          `SELECT state, error FROM imports WHERE id = $1`,
          [id],
        );
        state = row.rows[0]!.state;
        error = row.rows[0]!.error;
      }
      const seconds = (performance.now() - started) / 1000;
      if (state !== "completed") throw new Error(`the import ended ${state}: ${error}`);
      const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE shop_id = $1`, [
        shop.shopId,
      ]);
      if (count.rows[0]!.n !== n) throw new Error(`imported ${count.rows[0]!.n} of ${n} orders`);
      const rate = n / seconds;
      emit({
        name: "backfill_orders_per_s",
        value: round(rate, 0),
        unit: "orders/s",
        baseline: round(copyRate, 0),
        baseline_name: "raw COPY of the same order rows into orders (one connection, same run)",
        ratio: round(rate / copyRate, 3),
        target: ">= 25% of raw COPY (ratio >= 0.25)",
        params: { orders: n, seconds: round(seconds, 1), batch: 1000 },
      });
      emit({
        name: "backfill_peak_rss_mb",
        value: round(peak, 0),
        unit: "MB",
        baseline: round(idle.rss, 0),
        baseline_name: "the same worker's RSS while idle",
        ratio: round(peak / idle.rss, 2),
        target: "<= 300 MB (streaming, bounded batches)",
        params: { orders: n, file_mb: round(statSync(file).size / 1048576, 1) },
      });
    } finally {
      await db.end();
    }
  } finally {
    await stack.stop();
    await new Promise<void>((r) => http.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
