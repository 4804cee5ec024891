import { env } from "../env.server";
import { ApiError } from "../http/errors";
import { webQueue, whenReady } from "../queue/connection.server";

/**
 * One-time tokens (Mailgun's signature token) claimed atomically in Redis: `SET key NX EX ttl` before the delivery
 * is stored, so two deliveries of one token racing each other cannot both pass. When Redis cannot answer, the
 * delivery is refused with 503 (the provider retries later) rather than stored unchecked.
 */
const STARTING = new Set(["wait", "connecting", "connect", "reconnecting"]);

export interface Claim {
  /** Gives the token back (the delivery failed on our side, so the provider's retry must pass). */
  release(): Promise<void>;
}

export async function claimOnce(kind: string, token: string, ttlSeconds: number): Promise<Claim | "replay"> {
  const key = `${env().QUEUE_PREFIX}:${kind}:${token}`;
  const { redis } = webQueue();
  let result: string | null;
  try {
    if (STARTING.has(redis.status)) await whenReady(redis, 500);
    if (redis.status !== "ready") throw new Error(`redis ${redis.status}`);
    result = await redis.set(key, "1", "EX", ttlSeconds, "NX");
  } catch {
    throw new ApiError(
      "service_unavailable",
      "The replay check is unavailable right now; nothing was stored. Retry later.",
      [],
      { "Retry-After": "60" },
    );
  }
  if (result !== "OK") return "replay";
  return {
    async release() {
      await redis.del(key).catch(() => {});
    },
  };
}
