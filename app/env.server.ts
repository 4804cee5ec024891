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
  /** Orders per transaction of a full re-attribution. */
  REATTRIBUTION_CHUNK_ORDERS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
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
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        const missing = cleaned[name] === undefined;
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
