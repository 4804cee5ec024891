import type { Queue } from "bullmq";
import { defaultJobOptions, jobCatalog, type JobName, type JobPayload } from "./catalog";
import { webQueue, whenReady } from "./connection.server";

/**
 * Adds a catalog job with its fixed id and options. Throws when the payload does not match the schema. `opts.delay`
 * replaces the catalog's delay (a follow-up that must not wait for the gathering delay again).
 */
export async function enqueue<N extends JobName>(
  queue: Queue,
  name: N,
  payload: JobPayload<N>,
  opts: { delay?: number } = {},
): Promise<void> {
  const entry = jobCatalog[name];
  const data = entry.schema.parse(payload);
  const jobId = (entry.jobId as (p: JobPayload<N>) => string)(data as JobPayload<N>);
  const dedup =
    "deduplicationId" in entry
      ? (entry.deduplicationId as (p: JobPayload<N>) => string)(data as JobPayload<N>)
      : undefined;
  await queue.add(name, data, {
    ...defaultJobOptions,
    ...entry.options,
    ...(opts.delay !== undefined ? { delay: opts.delay } : {}),
    jobId,
    ...(dedup
      ? {
          deduplication: {
            id: dedup,
            ...("keepLastIfActive" in entry && entry.keepLastIfActive ? { keepLastIfActive: true } : {}),
          },
        }
      : {}),
  });
}

/**
 * Best-effort wake-up from a web request: the work is already stored in PostgreSQL, so when Redis is down this
 * gives up within `timeoutMs` and the worker's relay queues it later. Never throws.
 */
export async function tryEnqueue<N extends JobName>(
  name: N,
  payload: JobPayload<N>,
  timeoutMs = 1000,
  opts: { delay?: number } = {},
): Promise<boolean> {
  try {
    const { queue } = webQueue();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("enqueue timed out")), timeoutMs);
    });
    try {
      await Promise.race([
        whenReady(webQueue().redis, timeoutMs).then(() => enqueue(queue, name, payload, opts)),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  } catch {
    return false;
  }
}
