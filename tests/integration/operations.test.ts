import { randomBytes } from "node:crypto";
import path from "node:path";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createQueue } from "../../app/queue/connection.server";
import { QUEUE_NAME } from "../../app/queue/catalog";
import { BROWSER_UA, createShopWithKey, http, stackEnv, waitFor } from "../support/api";
import { deletePrefix } from "../support/redis";
import { freePort, ROOT, startProcess, startServer } from "../support/processes";

// The production rules of the environment (SECRETS_ENCRYPTION_KEYS required, App Bridge only from Shopify's CDN) are
// tested on parseEnv in tests/unit/ops/env.test.ts; every entry point stops on its EnvError (processes.test.ts).

/** Items 9-11 of issue 10: bounded Redis, logs that keep stack traces but no tokens, production-only settings. */
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== "0");
  return n;
}

describe("Redis stays bounded", () => {
  it("10,000 jobs through a real queue leave a bounded number of keys (completed trimmed, failed capped)", async () => {
    const prefix = `${stackEnv().QUEUE_PREFIX}_bounded${randomBytes(3).toString("hex")}`;
    const connection = new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: null });
    const workerConnection = new Redis(stackEnv().REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createQueue(connection, prefix);
    let processed = 0;
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => {
        processed += 1;
        // Every fifth job fails for good: 2,000 failures, more than the failed cap.
        if ((job.data as { n: number }).n % 5 === 0) throw new Error("injected failure");
      },
      { connection: workerConnection, prefix, concurrency: 50 },
    );
    worker.on("error", () => {});
    try {
      const total = 10_000;
      for (let i = 0; i < total; i += 1000) {
        await queue.addBulk(
          Array.from({ length: 1000 }, (_, k) => ({ name: "noop", data: { n: i + k }, opts: { attempts: 1 } })),
        );
      }
      const deadline = Date.now() + 120_000;
      while (processed < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(processed).toBe(total);
      // `processed` counts handler calls; each job is finished (and trimmed) by BullMQ just after its handler.
      await waitFor(async () => (await queue.getJobCounts("active")).active === 0, 30_000, "no active jobs");
      const counts = await queue.getJobCounts("completed", "failed", "waiting", "active");
      expect(counts.completed).toBeLessThanOrEqual(1000);
      expect(counts.failed).toBeLessThanOrEqual(1000);
      expect(counts.failed).toBeGreaterThan(0); // failed jobs are kept, for operators
      // One hash per kept job (plus its logs), and a handful of queue structures: far below 10,000.
      expect(await countKeys(connection, prefix)).toBeLessThan(2100);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
      workerConnection.disconnect();
      await deletePrefix(stackEnv().REDIS_URL, prefix);
    }
  }, 180_000);
});

describe("logs", () => {
  it("the access log masks ingest and pixel tokens and never logs query strings", async () => {
    const shop = await createShopWithKey();
    const settings = await http("GET", "/api/v1/settings", { key: shop.key });
    const token = settings.body.ingest.token as string;
    const port = await freePort();
    const server = await startServer({ ...stackEnv(), PORT: String(port), ACCESS_LOG: "on", LOG_LEVEL: "info" });
    try {
      const base = `http://127.0.0.1:${port}`;
      const headers = { "User-Agent": BROWSER_UA, "Content-Type": "application/json" };
      const quick = { signal: AbortSignal.timeout(20_000), redirect: "manual" as const };
      await fetch(`${base}/ingest/sendgrid/${token}?campaign_id=secret-campaign`, {
        method: "POST",
        headers,
        body: "[]",
        ...quick,
      });
      await fetch(`${base}/pixel/123.${"A".repeat(43)}`, { method: "POST", headers, body: "{}", ...quick });
      await fetch(`${base}/app?embedded=1&id_token=eyJsecret-session-token`, { headers, ...quick });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await server.stop();
    }
    const out = server.output();
    expect(out).toContain('"path":"/ingest/sendgrid/***"');
    expect(out).toContain('"path":"/pixel/***"');
    expect(out).not.toContain(token);
    expect(out).not.toContain("A".repeat(43));
    expect(out).not.toContain("secret-campaign");
    expect(out).not.toContain("eyJsecret-session-token");
  }, 120_000);
});

describe("production-only settings", () => {
  it("a production process refuses to start without SECRETS_ENCRYPTION_KEYS, naming it", async () => {
    // Empty counts as unset (and overrides what this test process's environment holds).
    const proc = await startProcess(TSX, ["worker/index.ts"], {
      ...stackEnv(),
      NODE_ENV: "production",
      SECRETS_ENCRYPTION_KEYS: "",
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/SECRETS_ENCRYPTION_KEYS is required in production/);
  }, 60_000);

  it("`npm run demo` refuses a DATABASE_URL that is not on this machine, before touching anything", async () => {
    for (const url of ["postgresql://postgres@db.example.com:5432/cr_demo", "postgres://u:p@10.0.0.5/cr_demo"]) {
      const demo = await startProcess(TSX, ["scripts/demo.ts"], { DATABASE_URL: url, NODE_ENV: "" });
      expect(await demo.exited, url).toBe(1);
      expect(demo.output()).toMatch(/DATABASE_URL points at a database that is not on this machine/);
      expect(demo.output()).not.toMatch(/Created database|Demo ready/);
    }
  }, 120_000);
});
