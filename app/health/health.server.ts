import { pingDatabase } from "../data/health.server";
import { webQueue, whenReady } from "../queue/connection.server";

export interface Health {
  db: "ok" | "down";
  redis: "ok" | "down";
  queue: { waiting: number; failed: number } | null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Checks PostgreSQL and Redis in parallel, each within 2 s, and reads the queue's waiting and failed counts. */
export async function checkHealth(): Promise<Health> {
  const db = withTimeout(pingDatabase(), 2000).then(
    () => "ok" as const,
    () => "down" as const,
  );
  const redisAndQueue = (async () => {
    try {
      const { redis, queue } = webQueue();
      await whenReady(redis, 2000);
      await withTimeout(redis.ping(), 2000);
      const counts = await withTimeout(queue.getJobCounts("waiting", "delayed", "prioritized", "failed"), 2000);
      return {
        redis: "ok" as const,
        queue: {
          waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
          failed: counts.failed ?? 0,
        },
      };
    } catch {
      return { redis: "down" as const, queue: null };
    }
  })();
  const [dbState, rq] = await Promise.all([db, redisAndQueue]);
  return { db: dbState, redis: rq.redis, queue: rq.queue };
}
