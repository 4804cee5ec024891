import { z } from "zod";

/**
 * Every environment variable the app reads, validated once at start. A missing or malformed variable stops the
 * process with a message that names it (API.md, "Operating the app"). Documented in `.env.example`.
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
