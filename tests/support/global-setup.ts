import { deletePrefix } from "./redis";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createMigratedDatabase, dropDatabase } from "./db";
import { freePort, ROOT, startServer, startWorker, type Proc } from "./processes";

export const TEST_SECRET = "test-api-secret";

declare module "vitest" {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    baseUrl: string;
  }
}

/**
 * One run, one fresh database (migrated by the real Prisma CLI, dropped afterwards), one Redis key prefix, and the
 * built server plus a worker started as real processes. Tests reach them over HTTP at `inject("baseUrl")`.
 */
export default async function setup(project: TestProject) {
  if (!existsSync(path.join(ROOT, "build/index.js"))) {
    throw new Error("No production build: run `npm run build` first (`npm test` does).");
  }
  const db = await createMigratedDatabase("cr_test", true);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `crtest_${randomBytes(4).toString("hex")}`;
  const env: Record<string, string> = {
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
    RELAY_INTERVAL_MS: "500",
    // The worker has no msw: tests drain the Flow outbox in-process against their own Flow fake.
    FLOW_SWEEP_INTERVAL_MS: "0",
  };
  let server: Proc | undefined;
  let worker: Proc | undefined;
  try {
    server = await startServer(env);
    worker = await startWorker(env);
  } catch (error) {
    await server?.stop();
    await dropDatabase(db.name);
    throw error;
  }
  project.provide("stackEnv", env);
  project.provide("baseUrl", baseUrl);

  return async () => {
    await worker?.stop();
    await server?.stop();
    await dropDatabase(db.name);
    await deletePrefix(env.REDIS_URL, prefix);
  };
}
