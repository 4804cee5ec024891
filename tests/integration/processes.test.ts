import { describe, expect, it } from "vitest";
import { stackEnv, waitFor } from "../support/api";
import { createMigratedDatabase, dropDatabase } from "../support/db";
import { freePort, startProcess, startServer, startWorker } from "../support/processes";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");

describe("processes", () => {
  // A database of its own: the worker's relay would otherwise queue the shared database's owed work into this
  // worker's private queue. Starting a process takes long on a loaded 2-core machine: more time than the default.
  it("a worker stops on SIGTERM and exits 0", { timeout: 90_000 }, async () => {
    const database = await createMigratedDatabase("cr_sigterm");
    try {
      const worker = await startWorker({
        ...stackEnv(),
        DATABASE_URL: database.url,
        LOG_LEVEL: "info",
        QUEUE_PREFIX: `${stackEnv().QUEUE_PREFIX}_sigterm`,
      });
      const code = await worker.stop("SIGTERM");
      expect(code).toBe(0);
      expect(worker.output()).toMatch(/worker stopped/);
    } finally {
      await dropDatabase(database.name);
    }
  });

  // Starting a server takes long on a loaded 2-core machine: more time than the default, never a speed assertion.
  it("the server stops on SIGTERM and exits 0", { timeout: 90_000 }, async () => {
    const port = await freePort();
    const server = await startServer({ ...stackEnv(), PORT: String(port) });
    // Healthy once its first database query and Redis connection are up (each given 2 s by /healthz).
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, 30_000, "/healthz");
    expect(await server.stop("SIGTERM")).toBe(0);
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "" }, /DATABASE_URL is required/],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x" }, /DATABASE_URL is invalid/],
    ["SHOPIFY_API_SECRET", { SHOPIFY_API_SECRET: "" }, /SHOPIFY_API_SECRET is required/],
    ["PORT", { PORT: "eighty" }, /PORT is invalid/],
    ["SCOPES", { SCOPES: "read orders" }, /SCOPES is invalid/],
  ])("the server refuses to start with a bad %s, naming it", async (_name, override, message) => {
    const proc = await startProcess(NODE, ["server.mjs"], { ...stackEnv(), ...override });
    const code = await proc.exited;
    expect(code).toBe(1);
    expect(proc.output()).toMatch(message);
  });

  it.each([
    ["REDIS_URL", { REDIS_URL: "http://nope" }, /REDIS_URL is invalid/],
    ["WORKER_CONCURRENCY", { WORKER_CONCURRENCY: "0" }, /WORKER_CONCURRENCY is invalid/],
    ["RELAY_INTERVAL_MS", { RELAY_INTERVAL_MS: "soon" }, /RELAY_INTERVAL_MS is invalid/],
  ])("the compiled worker refuses to start with a bad %s, naming it", async (_name, override, message) => {
    const proc = await startProcess(NODE, ["build/worker.js"], { ...stackEnv(), ...override });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(message);
  });
});
