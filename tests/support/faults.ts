/**
 * Helpers for fault tests: a private Redis on its own port (never the machine's shared one), a private server and
 * worker (own process groups, own queue prefix) on the run's database, and an HTTP client for that server.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { BROWSER_UA, shopifyHmac, stackEnv, uniqueShopDomain, type Call } from "./api";
import { createMigratedDatabase, dropDatabase } from "./db";
import type { StackEnv } from "./global-setup";
import { freePort, runCli, startServer, startWorker, type Proc } from "./processes";

const run = promisify(execFile);

export interface OwnRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** Shuts this instance down (and only this one), without saving. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "cr-redis-"));
  const pidfile = path.join(dir, "redis.pid");
  const ping = async () => {
    const r = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on("error", () => {});
    try {
      await r.connect();
      return (await r.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  };
  const self: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      await run("redis-server", [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "yes",
        "--pidfile",
        pidfile,
        "--dir",
        dir,
        "--logfile",
        path.join(dir, "redis.log"),
      ]);
      const deadline = Date.now() + 10_000;
      while (!(await ping())) {
        if (Date.now() > deadline) throw new Error(`own redis on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      let pid: number | null = null;
      try {
        pid = Number(readFileSync(pidfile, "utf8").trim());
      } catch {
        pid = null;
      }
      spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"], { timeout: 5000 });
      const deadline = Date.now() + 10_000;
      while (await ping()) {
        if (Date.now() > deadline) {
          if (pid) process.kill(pid, "SIGKILL");
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async dispose() {
      await self.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

export interface OwnStack {
  env: Record<string, string>;
  baseUrl: string;
  server: Proc;
  worker: Proc | null;
  /** A pool on this stack's database (its own one with `ownDatabase`). */
  db: pg.Pool;
  createShopWithKey(domain?: string): Promise<{ domain: string; key: string; shopId: string }>;
  startWorker(): Promise<Proc>;
  http(
    method: string,
    p: string,
    opts?: { key?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> },
  ): Promise<Call>;
  postShopifyWebhook(
    topic: string,
    shopDomain: string,
    body: string,
    opts?: { webhookId?: string },
  ): Promise<Call & { ms: number }>;
  stop(): Promise<void>;
}

/**
 * A server (and optionally a worker) of its own, with its own queue prefix, on the run's database or, with
 * `ownDatabase`, on a fresh one: the run's shared worker relays every unqueued inbox row and pending attribution of
 * the run's database through the shared Redis, so a test that must see work wait for *its* Redis needs its own data.
 */
export async function ownStack(
  opts: { redisUrl?: string; worker?: boolean; env?: Record<string, string>; ownDatabase?: boolean } = {},
): Promise<OwnStack> {
  const database = opts.ownDatabase ? await createMigratedDatabase("cr_fault") : null;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: StackEnv = {
    ...stackEnv(),
    PORT: String(port),
    SHOPIFY_APP_URL: baseUrl,
    QUEUE_PREFIX: `crfault_${randomBytes(4).toString("hex")}`,
    RELAY_INTERVAL_MS: "300",
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...opts.env,
  };
  let server: Proc;
  try {
    server = await startServer(env);
  } catch (error) {
    if (database) await dropDatabase(database.name);
    throw error;
  }
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 3 });
  // An idle client cut off by the database's own drop at teardown (57P01) is expected; anything else is not.
  pool.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "57P01") throw error;
  });
  const stack: OwnStack = {
    env,
    baseUrl,
    server,
    worker: null,
    db: pool,
    async createShopWithKey(domain = uniqueShopDomain()) {
      const r = await runCli(["api-key", "create", "--shop", domain], env);
      if (r.code !== 0) throw new Error(`cli api-key create failed: ${r.stderr}`);
      const key = r.stdout.trim().split("\n").at(-1)!;
      const row = await pool.query(`SELECT id::text AS id FROM shops WHERE domain = $1`, [domain]);
      return { domain, key, shopId: row.rows[0].id };
    },
    async startWorker() {
      stack.worker = await startWorker(env);
      return stack.worker;
    },
    async http(method, p, o = {}) {
      const headers: Record<string, string> = { "User-Agent": BROWSER_UA, ...o.headers };
      if (o.key) headers.Authorization = `Bearer ${o.key}`;
      let body: string | Buffer | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers["Content-Type"] ??= "application/json";
      }
      const res = await fetch(`${baseUrl}${p}`, {
        method,
        headers,
        body: (typeof body === "string" || body === undefined ? body : new Uint8Array(body)) as BodyInit | undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async postShopifyWebhook(topic, shopDomain, body, o = {}) {
      const started = performance.now();
      const res = await stack.http("POST", `/webhooks/${topic}`, {
        raw: body,
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Shop-Domain": shopDomain,
          "X-Shopify-Webhook-Id": o.webhookId ?? randomBytes(8).toString("hex"),
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Hmac-Sha256": shopifyHmac(body),
        },
      });
      return { ...res, ms: performance.now() - started };
    },
    async stop() {
      await stack.worker?.stop();
      await server.stop();
      await pool.end();
      if (database) await dropDatabase(database.name);
      if (!opts.redisUrl) await dropPrefix(env.REDIS_URL, env.QUEUE_PREFIX);
    },
  };
  if (opts.worker) await stack.startWorker();
  return stack;
}

/** Deletes every key of a queue prefix (own stacks on the shared Redis clean up after themselves). */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A Shopify orders/* REST body. `id` is written as a bare JSON number (as Shopify does), exact even past 2^53. */
export function shopifyOrderBody(o: {
  id: string;
  email?: string;
  total?: string;
  currency?: string;
  createdAt?: string;
  updatedAt?: string;
  customerId?: string;
  refunds?: { id: string; amount: string; createdAt?: string }[];
  cancelledAt?: string | null;
}): string {
  const at = o.createdAt ?? "2026-03-01T10:00:00Z";
  const total = o.total ?? "50.00";
  const currency = o.currency ?? "USD";
  const refunds = (o.refunds ?? []).map(
    (r) =>
      `{"id":${r.id},"order_id":${o.id},"created_at":"${r.createdAt ?? at}","transactions":[{"id":${r.id}1,"kind":"refund","status":"success","amount":"${r.amount}","currency":"${currency}"}]}`,
  );
  return (
    `{"id":${o.id},"name":"#${o.id.slice(-6)}","email":${JSON.stringify(o.email ?? "buyer@example.com")},` +
    `"created_at":"${at}","processed_at":"${at}","updated_at":"${o.updatedAt ?? at}",` +
    `"cancelled_at":${o.cancelledAt ? `"${o.cancelledAt}"` : "null"},` +
    `"currency":"${currency}","presentment_currency":"${currency}","total_price":"${total}",` +
    `"total_price_set":{"shop_money":{"amount":"${total}","currency_code":"${currency}"},"presentment_money":{"amount":"${total}","currency_code":"${currency}"}},` +
    `"test":false,"customer":{"id":${o.customerId ?? "7001"},"email":${JSON.stringify(o.email ?? "buyer@example.com")},"phone":null},` +
    `"line_items":[{"id":1,"title":"Thing","quantity":1,"price":"${total}"}],"refunds":[${refunds.join(",")}]}`
  );
}

/** A Shopify refunds/create REST body with one successful refund transaction. */
export function shopifyRefundBody(r: {
  id: string;
  orderId: string;
  amount: string;
  currency?: string;
  createdAt?: string;
}): string {
  const at = r.createdAt ?? "2026-03-02T10:00:00Z";
  return (
    `{"id":${r.id},"order_id":${r.orderId},"created_at":"${at}","processed_at":"${at}",` +
    `"transactions":[{"id":${r.id}7,"order_id":${r.orderId},"kind":"refund","status":"success","amount":"${r.amount}",` +
    `"currency":"${r.currency ?? "USD"}"}],"refund_line_items":[]}`
  );
}
