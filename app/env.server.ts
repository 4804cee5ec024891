import { z } from "zod";

/**
 * Every environment variable the app reads, validated once at start. A missing or malformed variable stops the
 * process with a message that names it (README, "Operating the app"). Documented in `.env.example`.
 */
const url = (protocols: string[]) =>
  z
    .string()
    .min(1)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    );

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: url(["postgresql:", "postgres:"]),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: url(["https:", "http:"]),
  SCOPES: z
    .string()
    .min(1)
    .regex(/^[a-z_]+(,[a-z_]+)*$/, "must be a comma-separated list of scopes, e.g. read_orders,write_pixels"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Prefix of every BullMQ key in Redis; lets several deployments (or test runs) share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .default("cr"),
  /** Requests per minute allowed for one API key. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Where the admin pages load App Bridge from. Default: Shopify's CDN (required inside Shopify admin). `npm run demo`
   * points it at /app-bridge-standalone.js, a stand-in for opening the pages in a plain browser: it only forwards the
   * session token the page was opened with, so every request is still authenticated (docs/decisions/005-demo-auth.md).
   */
  APP_BRIDGE_URL: z
    .string()
    .regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "must be an https:// URL or a path starting with /")
    .optional(),
  // Tuning knobs (defaults fit a 2-core machine; README "Configuration").
  /** Pending attribution rows (each one ingested batch) claimed per worker transaction. */
  ATTRIBUTION_PENDING_ROWS: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Shopify order/refund deliveries of one shop applied per worker transaction (ADR 013). */
  WEBHOOK_BATCH_DELIVERIES: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Orders per transaction of a full re-attribution. */
  REATTRIBUTION_CHUNK_ORDERS: z.coerce.number().int().min(100).max(10_000_000).default(200_000),
  /** `1`: log the time of each attribution SQL statement to stderr (for tuning). */
  ATTRIBUTION_TIMING: z
    .enum(["0", "1"], { error: "must be 0 or 1" })
    .default("0")
    .transform((v) => v === "1"),
  /** Jobs one worker process runs at a time. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How often the worker's relay moves owed work from PostgreSQL into the queue, in milliseconds. */
  RELAY_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  /** `off`: no access log lines from the web server (`on` logs method, path without secrets, status, time). */
  ACCESS_LOG: z
    .enum(["on", "off"], { error: "must be on or off" })
    .default("on")
    .transform((v) => v === "on"),
  // --- Limits on the public ways in (docs/security.md) ---
  /** Click pixel posts a minute from one client IP, across shops (the per-shop bucket is 10x API_RATE_LIMIT_PER_MINUTE). */
  PIXEL_RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Pixel links kept for one order (verified or waiting for the order); more are refused with 400. */
  PIXEL_LINKS_PER_ORDER: z.coerce.number().int().min(1).max(1000).default(5),
  /** Pixel links still unverified (their order never came with that checkout) are deleted after this many days. */
  PIXEL_LINK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /**
   * Proxies in front of the app whose X-Forwarded-For is trusted for the client IP (Express "trust proxy" hops).
   * 0 (default): the socket's address. Set it to the number of proxies (e.g. 1 behind one load balancer).
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Provider deliveries a minute for one ingest URL (one shop), all providers together. */
  INGEST_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(12000),
  /** Events in one provider delivery (a SendGrid batch); the public API caps a batch at 5,000 too. */
  INGEST_MAX_EVENTS_PER_DELIVERY: z.coerce.number().int().min(1).default(5000),
  /** Mailgun: a signature whose timestamp is further than this from our clock is refused (401). */
  MAILGUN_TIMESTAMP_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(43_200),
  /** At most this many entries in an error body's `details` (the message gives the total). */
  ERROR_DETAILS_MAX: z.coerce.number().int().min(1).default(100),
  /** Minutes between two scheduled reconciliations of a shop (orders updated since the last watermark). Default 6 h. */
  RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(360),
  /** Minutes a reconciliation reaches back before the last watermark, so an order updated at the edge is not missed. */
  RECONCILE_OVERLAP_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  /** Milliseconds between two polls of a running bulk operation (the bulk_operations/finish webhook is the fast path). */
  BULK_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * Optional read replica for the report presenters' reads (app/data/reports.server.ts); unset: the primary.
   * Replication lag shows as a report a moment behind the worker (docs/decisions/012-ten-thousand-shops.md).
   */
  DATABASE_READ_URL: url(["postgresql:", "postgres:"]).optional(),
  /** Worker only: its process niceness (0-19), so the web process keeps the CPU it needs to answer (ADR 013). */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Worker only: re-attributions one worker process runs at once; more wait, delayed, behind interactive jobs. */
  WORKER_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /** Shopify Flow trigger: only orders sold in the last N days are sent to Flow when their campaign changes. */
  FLOW_TRIGGER_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Shopify Flow trigger: flowTriggerReceive calls per second per shop, at most. */
  FLOW_TRIGGER_PER_SECOND: z.coerce.number().min(0.1).max(50).default(4),
  /** How often the worker looks for orders to send to Flow, in ms; 0 turns the sweep off. */
  FLOW_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  /**
   * Keys that encrypt secrets at rest (provider secrets, ingest tokens): a comma-separated list of
   * `<key id>:<base64 of 32 random bytes>`; the first is current (new values), the others only decrypt. Required in
   * production; elsewhere a key derived from SHOPIFY_API_SECRET (id `dev`) stands in. docs/decisions/008-secrets-at-rest.md.
   */
  SECRETS_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      const problem = encryptionKeysProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});

/** Where App Bridge may come from in production: Shopify's CDN only (it runs with the admin's privileges). */
export const SHOPIFY_CDN_PREFIX = "https://cdn.shopify.com/";

/** Parses SECRETS_ENCRYPTION_KEYS; the first entry is the current key. Throws on a malformed list. */
export function parseEncryptionKeys(value: string): { id: string; key: Buffer }[] {
  const problem = encryptionKeysProblem(value);
  if (problem) throw new Error(`SECRETS_ENCRYPTION_KEYS is invalid: ${problem}`);
  return value.split(",").map((entry) => {
    const [id, b64] = entry.trim().split(":") as [string, string];
    return { id, key: Buffer.from(b64, "base64") };
  });
}

function encryptionKeysProblem(value: string): string | null {
  const seen = new Set<string>();
  for (const entry of value.split(",")) {
    const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/.exec(entry.trim());
    if (!m)
      return "must be a comma-separated list of <key id>:<base64 of 32 bytes> (e.g. k1:$(openssl rand -base64 32))";
    if (seen.has(m[1]!)) return `key id ${m[1]} appears twice`;
    seen.add(m[1]!);
  }
  return null;
}

/** Rules that depend on NODE_ENV: production needs real encryption keys and loads App Bridge only from Shopify's CDN. */
const productionRules = envSchema.superRefine((e, ctx) => {
  if (e.NODE_ENV !== "production") return;
  if (!e.SECRETS_ENCRYPTION_KEYS) {
    ctx.addIssue({ code: "custom", path: ["SECRETS_ENCRYPTION_KEYS"], message: "is required in production" });
  }
  if (e.APP_BRIDGE_URL !== undefined && !e.APP_BRIDGE_URL.startsWith(SHOPIFY_CDN_PREFIX)) {
    ctx.addIssue({
      code: "custom",
      path: ["APP_BRIDGE_URL"],
      message: `must be on Shopify's CDN (${SHOPIFY_CDN_PREFIX}…) in production`,
    });
  }
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset, so `FOO=` in a .env file gets the default or the "required" message.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = productionRules.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        const missing = cleaned[name] === undefined;
        if (missing && issue.code === "custom") return `${name} ${issue.message}`;
        return missing ? `${name} is required but not set` : `${name} is invalid: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated environment. Throws `EnvError` naming every bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For entry points: validate now, or print the problem and exit 1. */
export function assertEnvOrExit(): Env {
  try {
    return env();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
