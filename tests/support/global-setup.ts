import { deletePrefix } from "./redis";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createMigratedDatabase, dropDatabase } from "./db";
import { freePort, ROOT, startServer, startWorker, type Proc } from "./processes";

export const TEST_SECRET = "test-api-secret";
/**
 * Keys for secrets at rest (ADR 008), fixed so tests can reason about them: `t2` is current, `t1` is an older key
 * still listed (the rotation test makes `t1` current for the CLI only; the server and worker can read both).
 */
export const TEST_ENCRYPTION_KEYS = {
  t1: Buffer.alloc(32, 1).toString("base64"),
  t2: Buffer.alloc(32, 2).toString("base64"),
};

/** The stack's environment: the variables every stack sets are always there. */
export type StackEnv = Record<string, string> &
  Record<
    "DATABASE_URL" | "REDIS_URL" | "SHOPIFY_API_KEY" | "SHOPIFY_API_SECRET" | "SHOPIFY_APP_URL" | "QUEUE_PREFIX",
    string
  >;

declare module "vitest" {
  export interface ProvidedContext {
    stackEnv: StackEnv;
    baseUrl: string;
    /** Where the stack's server and worker write their output (tests/setup/processes.ts checks it). */
    stackLogs: { dir: string; files: string[] };
  }
}

/**
 * One run, one fresh database (migrated by the real Prisma CLI, dropped afterwards), one Redis key prefix, and the
 * built server plus a worker started as real processes. Tests reach them over HTTP at `inject("baseUrl")`.
 */
interface Stack {
  env: StackEnv;
  baseUrl: string;
  logs: { dir: string; files: string[] };
  users: number;
  teardown: () => Promise<void>;
}

/** The stack is shared by the projects that need it (stack, browser): started once, stopped after the last. */
const shared = globalThis as typeof globalThis & { __crStack?: Promise<Stack> };

export default async function setup(project: TestProject) {
  shared.__crStack ??= startStack();
  const stack = await shared.__crStack;
  stack.users += 1;
  project.provide("stackEnv", stack.env);
  project.provide("baseUrl", stack.baseUrl);
  project.provide("stackLogs", stack.logs);
  return async () => {
    stack.users -= 1;
    if (stack.users === 0) {
      shared.__crStack = undefined;
      await stack.teardown();
    }
  };
}

async function startStack(): Promise<Stack> {
  if (!["build/index.js", "build/worker.js", "build/cli.js"].every((f) => existsSync(path.join(ROOT, f)))) {
    throw new Error("No production build: run `npm run build` first (`npm test` does).");
  }
  const db = await createMigratedDatabase("cr_test", true);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `crtest_${randomBytes(4).toString("hex")}`;
  // Scenario files of the fake Shopify Admin API (tests/msw/shopify-admin.ts), shared by tests, server and worker.
  const fakeShopifyDir = mkdtempSync(path.join(tmpdir(), "cr-fake-shopify-"));
  const env: StackEnv = {
    NODE_ENV: "test",
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    SHOPIFY_API_KEY: "test-api-key",
    SHOPIFY_API_SECRET: TEST_SECRET,
    SHOPIFY_APP_URL: baseUrl,
    SCOPES: "read_orders,read_customers,write_pixels,read_customer_events",
    PORT: String(port),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    API_RATE_LIMIT_PER_MINUTE: "100000",
    // Every test posts from 127.0.0.1; the per-IP limit itself is tested on a stack of its own (isolation.test.ts).
    PIXEL_RATE_LIMIT_PER_IP_PER_MINUTE: "100000",
    RELAY_INTERVAL_MS: "500",
    SECRETS_ENCRYPTION_KEYS: `t2:${TEST_ENCRYPTION_KEYS.t2},t1:${TEST_ENCRYPTION_KEYS.t1}`,
    FAKE_SHOPIFY_DIR: fakeShopifyDir,
    BULK_POLL_INTERVAL_MS: "500",
    // The worker has no msw: tests drain the Flow outbox in-process against their own Flow fake.
    FLOW_SWEEP_INTERVAL_MS: "0",
  };
  const dir = mkdtempSync(path.join(tmpdir(), "cr-stack-"));
  mkdirSync(path.join(dir, "expected"));
  const logs = { dir, files: [path.join(dir, "server.log"), path.join(dir, "worker.log")] };
  for (const f of logs.files) writeFileSync(f, "");
  let server: Proc | undefined;
  let worker: Proc | undefined;
  try {
    server = await startServer(env, logs.files[0]);
    worker = await startWorker(env, logs.files[1]);
  } catch (error) {
    await server?.stop();
    await dropDatabase(db.name);
    throw error;
  }
  return {
    env,
    baseUrl,
    logs,
    users: 0,
    teardown: async () => {
      await worker?.stop();
      await server?.stop();
      await dropDatabase(db.name);
      await deletePrefix(env.REDIS_URL!, prefix);
      rmSync(dir, { recursive: true, force: true });
      rmSync(fakeShopifyDir, { recursive: true, force: true });
    },
  };
}
