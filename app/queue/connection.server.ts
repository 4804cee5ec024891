import { Redis, type RedisOptions } from "ioredis";
import { Queue } from "bullmq";
import { env } from "../env.server";
import { defaultJobOptions, QUEUE_NAME } from "./catalog";

/**
 * Redis connections. The web process must never hang on Redis: its connection fails fast (no offline queue, one
 * retry) so an ingress that cannot enqueue still answers, leaving the work to the relay. The worker's connections
 * wait for Redis forever (BullMQ requires maxRetriesPerRequest: null).
 */
export function redisConnection(kind: "web" | "worker", extra?: RedisOptions): Redis {
  const common: RedisOptions = { lazyConnect: false, connectTimeout: 2000 };
  const options: RedisOptions =
    kind === "web"
      ? {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        }
      : { ...common, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 5000) };
  const redis = new Redis(env().REDIS_URL, { ...options, ...extra });
  redis.on("error", () => {}); // reported through health checks and failed calls, not as unhandled events
  return redis;
}

/** The catalog's queue on this connection, with the bounded retention of finished jobs (catalog.ts). */
export function createQueue(connection: Redis, prefix: string = env().QUEUE_PREFIX): Queue {
  const queue = new Queue(QUEUE_NAME, { connection, prefix, defaultJobOptions });
  queue.on("error", () => {});
  return queue;
}

declare global {
  var __webQueue: { redis: Redis; queue: Queue } | undefined;
}

/** The web process's producer queue (a singleton). */
export function webQueue(): { redis: Redis; queue: Queue } {
  if (!globalThis.__webQueue) {
    const redis = redisConnection("web");
    const queue = createQueue(redis);
    globalThis.__webQueue = { redis, queue };
  }
  return globalThis.__webQueue;
}

export async function closeWebQueue() {
  const q = globalThis.__webQueue;
  globalThis.__webQueue = undefined;
  if (q) {
    await q.queue.close().catch(() => {});
    q.redis.disconnect();
  }
}

/** Resolves once the connection is ready (or rejects after `ms`): a fresh connection refuses commands until then. */
export function whenReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error("redis not ready"));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}
