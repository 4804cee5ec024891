/**
 * The bench's own stack: a fresh migrated database, its own Redis key prefix, the built server (and a worker when
 * asked) as child processes in their own process groups. Everything is dropped again by `stop()`.
 */
import { deletePrefix } from "../tests/support/redis";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createMigratedDatabase, dropDatabase } from "../tests/support/db";
import pg from "pg";
import { freePort, ROOT, runCli, startProcess, startServer, startWorker, type Proc } from "../tests/support/processes";

export const BENCH_SECRET = "bench-api-secret";

export interface BenchStack {
  env: Record<string, string>;
  baseUrl: string;
  databaseUrl: string;
  /** Creates a shop with an API key (through the app's own data layer). */
  createShop(label: string): Promise<{ shopId: string; domain: string; key: string }>;
  startWorker(): Promise<Proc>;
  stop(): Promise<void>;
}

export function note(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

export function ensureBuild() {
  if (existsSync(path.join(ROOT, "build/index.js"))) return;
  note("no build/ found: running `remix build`");
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/remix"), ["build"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (r.status !== 0) throw new Error("remix build failed");
}

export async function startStack(extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  ensureBuild();
  note("creating a fresh database (prisma migrate deploy)");
  const db = await createMigratedDatabase("cr_bench");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `crbench_${randomBytes(4).toString("hex")}`;
  const env = {
    NODE_ENV: "production",
    DATABASE_URL: db.url,
    // Production requires a key for secrets at rest (ADR 008): a throw-away one per bench run.
    SECRETS_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379",
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_APP_URL: baseUrl,
    SCOPES: "read_orders,read_customers",
    PORT: String(port),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "error",
    ACCESS_LOG: "off",
    API_RATE_LIMIT_PER_MINUTE: "100000000",
    RELAY_INTERVAL_MS: "1000",
    ...extraEnv,
  } satisfies Record<string, string>;
  const procs: Proc[] = [];
  let server: Proc;
  try {
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (flags NODE_OPTIONS refuses).
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
    server = nodeArgs.length
      ? await startProcess(
          path.join(ROOT, "node_modules/.bin/node"),
          [...nodeArgs, "server.mjs"],
          env,
          /"msg":"listening"/,
        )
      : await startServer(env);
    procs.push(server);
  } catch (error) {
    await dropDatabase(db.name);
    throw error;
  }
  return {
    env,
    baseUrl,
    databaseUrl: db.url,
    async createShop(label) {
      // Through the real CLI, so this process never loads the app's env/db singletons (the attribution bench may).
      const domain = `${label}-${randomBytes(4).toString("hex")}.myshopify.com`;
      const r = await runCli(["api-key", "create", "--shop", domain], env);
      if (r.code !== 0) throw new Error(`cli api-key create failed: ${r.stderr}`);
      const key = r.stdout.trim().split("\n").at(-1)!;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const row = await client.query<{ id: string }>(`SELECT id::text AS id FROM shops WHERE domain = $1`, [domain]);
        return { shopId: row.rows[0]!.id, domain, key };
      } finally {
        await client.end();
      }
    },
    async startWorker() {
      // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker the same way (after the
      // Node flags of `npm run worker`).
      const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
      const w = await startWorker(env, undefined, { nodeArgs });
      procs.push(w);
      return w;
    },
    async stop() {
      for (const p of procs.reverse()) await p.stop();
      await dropDatabase(db.name);
      await deletePrefix(env.REDIS_URL, prefix);
    },
  };
}
