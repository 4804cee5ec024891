/**
 * `npm run demo`: from a fresh checkout (after `npm ci`) to the running app with a seeded demo shop, in one command.
 *
 *  1. checks PostgreSQL and Redis, creates the demo database (`cr_demo`, or DATABASE_URL) and applies the migrations;
 *  2. seeds the demo shop through the real ingestion path (its previous data, if any, is deleted first);
 *  3. builds the app if build/ is missing, starts the web server and the worker as child processes;
 *  4. waits until attribution has settled and prints `Demo ready: <url>`.
 *
 * The URL opens the report in a normal browser. It authenticates exactly like Shopify admin does: the app runs with
 * the demo's own API key and a secret made for this run, the demo shop has a stored offline session, and the URL
 * carries a session token (HS256 JWT) signed with that secret. There is no switch in the app that skips
 * authentication; see docs/decisions/005-demo-auth.md. Refuses to run with NODE_ENV=production. Ctrl-C stops
 * everything.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Redis } from "ioredis";
import { buildDemoData, DEMO_CURRENCY, DEMO_TIMEZONE, EXCLUDED_TAG } from "./demo/seed";
import { embeddedUrl, signSessionToken } from "./demo/session-token";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = (name: string) => path.join(ROOT, "node_modules/.bin", name);
const DEMO_SHOP = "campaign-revenue-demo.myshopify.com";
const DEMO_API_KEY = "campaign-revenue-demo";
/** The printed link stays valid this long (Shopify's own tokens live 60 s; the demo's secret dies with the run). */
const LINK_TTL_SECONDS = 12 * 60 * 60;

const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`\nDemo could not start: ${message}\n`);
  process.exit(1);
}

if (process.env.NODE_ENV === "production") {
  fail("NODE_ENV is production. The demo signs its own session tokens and must never run as a production deployment.");
}
process.chdir(ROOT);

// ------------------------------------------------------------------ configuration

/** A PostgreSQL URL on this machine: localhost, a loopback address, or a Unix socket (no host, or host=/path). */
function isLocalDatabase(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const socket = parsed.searchParams.get("host");
  if (socket !== null) return socket.startsWith("/");
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "" || host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
  });
}

async function choosePort(): Promise<number> {
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!(await portIsFree(port))) fail(`PORT ${port} is in use. Stop what uses it or choose another PORT.`);
    return port;
  }
  for (let port = 3000; port < 3020; port++) if (await portIsFree(port)) return port;
  fail("no free port between 3000 and 3019; set PORT.");
}

const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/cr_demo";
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
// The demo deletes and reseeds its shop and signs its own session tokens: never against a database elsewhere.
if (!isLocalDatabase(databaseUrl)) {
  fail(
    "DATABASE_URL points at a database that is not on this machine. The demo only runs against a local PostgreSQL " +
      "(localhost, 127.0.0.1, ::1 or a Unix socket); unset DATABASE_URL to use cr_demo on 127.0.0.1.",
  );
}
const port = await choosePort();
const appUrl = `http://localhost:${port}`;
const apiSecret = randomBytes(32).toString("hex");
/**
 * The demo's throw-away key for secrets at rest (ADR 008), derived from the local database URL so that a second run
 * on the same database still reads what the first one stored. A production deployment must set its own key.
 */
const demoEncryptionKey = `demo:${createHash("sha256").update(`campaign-revenue demo key\n${databaseUrl}`).digest("base64")}`;

const childEnv: Record<string, string> = {
  NODE_ENV: "development",
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  SHOPIFY_API_KEY: DEMO_API_KEY,
  SHOPIFY_API_SECRET: apiSecret,
  SHOPIFY_APP_URL: appUrl,
  SCOPES: "read_orders,read_customers,write_pixels,read_customer_events",
  PORT: String(port),
  QUEUE_PREFIX: "crdemo",
  APP_BRIDGE_URL: "/app-bridge-standalone.js",
  SECRETS_ENCRYPTION_KEYS: demoEncryptionKey,
  LOG_LEVEL: process.env.LOG_LEVEL || "warn",
  ACCESS_LOG: "off",
  RELAY_INTERVAL_MS: "500",
};
// The app modules imported below (seeding, session storage) read the same environment.
Object.assign(process.env, childEnv);

// ------------------------------------------------------------------ services

async function checkPostgres() {
  const target = new URL(databaseUrl);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!dbName) fail(`DATABASE_URL names no database: ${databaseUrl}`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    fail(
      `PostgreSQL is not reachable at ${target.host} (${(error as Error).message}).\n` +
        "Start it (e.g. `sudo service postgresql start`) or set DATABASE_URL to a server you can reach.",
    );
  }
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
      say(`Created database ${dbName}.`);
    }
  } finally {
    await client.end();
  }
}

async function checkRedis() {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    fail(
      `Redis is not reachable at ${redisUrl} (${(error as Error).message}).\n` +
        "Start it (e.g. `sudo service redis-server start` or `redis-server --daemonize yes`) or set REDIS_URL.",
    );
  } finally {
    redis.disconnect();
  }
}

function run(command: string, args: string[], label: string) {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...childEnv }, encoding: "utf8" });
  if (result.status !== 0) fail(`${label} failed:\n${result.stdout ?? ""}${result.stderr ?? ""}`);
}

// ------------------------------------------------------------------ child processes

const children: { name: string; child: ChildProcess; output: () => string }[] = [];
let stopping = false;

function startChild(name: string, command: string, args: string[], ready: RegExp): Promise<void> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...childEnv },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const onData = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", (chunk: Buffer) => {
    onData(chunk);
    if (!stopping) process.stderr.write(`[${name}] ${chunk.toString()}`);
  });
  children.push({ name, child, output: () => out });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (!stopping) {
        process.stderr.write(`\n${name} exited (${code ?? signal}). Its last output:\n${out}\n`);
        void shutdown(1);
      }
      reject(new Error(`${name} exited`));
    });
  });
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say("\nStopping the demo…");
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* gone */
            }
          }, 15_000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          try {
            process.kill(-child.pid!, "SIGTERM");
          } catch {
            resolve();
          }
        }),
    ),
  );
  try {
    const { closeWebQueue } = await import("../app/queue/connection.server");
    const { disconnectDb } = await import("../app/db.server");
    await closeWebQueue();
    await disconnectDb();
  } catch {
    /* nothing left to close */
  }
  say("Demo stopped.");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

// ------------------------------------------------------------------ main

say(`Campaign revenue demo — database ${new URL(databaseUrl).pathname.slice(1)}, Redis ${redisUrl}, port ${port}`);
await checkPostgres();
await checkRedis();
say("Applying migrations…");
run(BIN("prisma"), ["migrate", "deploy"], "prisma migrate deploy");
if (!existsSync(path.join(ROOT, "build/index.js"))) {
  say("Building the app (build/ is missing)…");
  run(BIN("remix"), ["build"], "remix build");
}

const { deleteShopData } = await import("../app/data/compliance.server");
const { ensureShop } = await import("../app/data/shops.server");
const { changeSettings } = await import("../app/settings/settings.server");
const { ingestEvents, ingestOrders, ingestRefund } = await import("../app/ingest/store.server");
const { prisma } = await import("../app/db.server");
const { sessionStorage } = await import("../app/shopify.server");
const { Session } = await import("@shopify/shopify-app-remix/server");

// Start the worker first, so attribution runs while the data goes in.
say("Starting the worker…");
await startChild("worker", BIN("tsx"), ["worker/index.ts"], /Worker ready/);

say(`Seeding the demo shop ${DEMO_SHOP}…`);
await deleteShopData(DEMO_SHOP);
const shop = await ensureShop(DEMO_SHOP, {
  currency: DEMO_CURRENCY,
  timezone: DEMO_TIMEZONE,
  name: "Linen & Loom (demo)",
});
await prisma.shop.update({ where: { id: shop.id }, data: { installedAt: new Date() } });
await changeSettings(shop.id, {
  excluded_tags: [EXCLUDED_TAG],
  channels: { email: { event: "clicked", window_hours: 24 }, sms: { event: "clicked", window_hours: 12 } },
});

const data = buildDemoData(new Date());
for (let i = 0; i < data.events.length; i += 5000) await ingestEvents(shop.id, data.events.slice(i, i + 5000));
for (let i = 0; i < data.orders.length; i += 1000) await ingestOrders(shop.id, data.orders.slice(i, i + 1000));
for (const refund of data.refunds) await ingestRefund(shop.id, refund);
say(
  `  ${data.campaigns} campaigns, ${data.events.length.toLocaleString("en-US")} events, ${data.orders.length.toLocaleString("en-US")} orders, ${data.refunds.length} refunds`,
);

// The stored offline session Shopify's token exchange would have created at install.
await sessionStorage.storeSession(
  new Session({
    id: `offline_${DEMO_SHOP}`,
    shop: DEMO_SHOP,
    state: "demo",
    isOnline: false,
    scope: childEnv.SCOPES,
    accessToken: `demo-offline-token-${randomBytes(8).toString("hex")}`,
  }),
);

say("Starting the web server…");
await startChild("web", BIN("node"), ["server.mjs"], /"msg":"listening"/);

say("Attributing orders…");
const deadline = Date.now() + 5 * 60_000;
let lastLine = "";
for (;;) {
  const [pending, settings] = await Promise.all([
    prisma.pendingAttribution.count({ where: { shopId: shop.id } }),
    prisma.settings.findUniqueOrThrow({ where: { shopId: shop.id } }),
  ]);
  if (pending === 0 && settings.attributionState === "idle") break;
  const line =
    settings.attributionState === "running" && settings.progressTotal > 0
      ? `  re-attributing: ${settings.progressDone} of ${settings.progressTotal} orders`
      : `  ${pending} batch${pending === 1 ? "" : "es"} waiting for the worker`;
  if (line !== lastLine) say(line);
  lastLine = line;
  if (Date.now() > deadline) {
    say("  Attribution has not settled after 5 minutes; the worker keeps going. Figures may still change.");
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}

const token = signSessionToken({ shop: DEMO_SHOP, apiKey: DEMO_API_KEY, apiSecret, ttlSeconds: LINK_TTL_SECONDS });
say("");
say(`Demo ready: ${embeddedUrl(appUrl, "/app", token, DEMO_SHOP)}`);
say("");
say("The link opens the campaign revenue report in any browser and stays valid for 12 hours. Press Ctrl-C to stop.");
