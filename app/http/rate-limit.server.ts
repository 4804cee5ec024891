import { env } from "../env.server";
import { webQueue, whenReady } from "../queue/connection.server";
import { ApiError } from "./errors";

const STARTING = new Set(["wait", "connecting", "connect"]);

/**
 * Fixed one-minute window per API key, counted in Redis so every web instance shares it. When Redis is unreachable
 * the limit is not enforced (fail open): ingestion must keep working while Redis is down.
 * `keyId` names the bucket: an API key's id, or another prefixed key (`pixel:<shop id>`) with its own `limit`.
 */
export async function checkRateLimit(
  keyId: bigint | string,
  bucket: { limit?: number; what?: string } = {},
): Promise<void> {
  const limit = bucket.limit ?? env().API_RATE_LIMIT_PER_MINUTE;
  const windowStart = Math.floor(Date.now() / 60_000);
  const key = `${env().QUEUE_PREFIX}:ratelimit:${keyId}:${windowStart}`;
  let count: number;
  try {
    const { redis } = webQueue();
    // A connection still being set up (a fresh process) is waited for briefly, or the first requests of every
    // process would pass uncounted; a connection that is down is not waited for.
    if (STARTING.has(redis.status)) await whenReady(redis, 300);
    if (redis.status !== "ready") return;
    const result = await redis.multi().incr(key).expire(key, 61).exec();
    count = Number(result?.[0]?.[1] ?? 0);
  } catch {
    return;
  }
  if (count > limit) {
    const retryAfter = 60 - Math.floor((Date.now() / 1000) % 60);
    throw new ApiError(
      "rate_limited",
      `Too many requests: at most ${limit} a minute per ${bucket.what ?? "API key"}.`,
      [],
      {
        "Retry-After": String(retryAfter),
      },
    );
  }
}
