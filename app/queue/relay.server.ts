import type { Queue } from "bullmq";
import {
  deleteOldDeliveries,
  markDeliveriesQueued,
  runningReattributions,
  shopsWithPendingAttribution,
  staleDeliveries,
  unqueuedDeliveries,
} from "../data/relay.server";
import { relayImports } from "../imports/relay.server";
import { deleteStaleUnverifiedLinks } from "../data/pixel.server";
import { env } from "../env.server";
import { log } from "../logger.server";
import { jobCatalog } from "./catalog";
import { enqueue } from "./producer.server";

/**
 * Processed inbox rows (bodies already dropped) are kept this long for idempotency — Shopify retries a delivery for
 * up to 48 hours — then deleted.
 */
export const INBOX_RETENTION_DAYS = 30;

/** A job that failed for good is given another chance after this long (the cause may have been fixed or passed). */
export const RETRY_FAILED_AFTER_MS = 5 * 60_000;

/**
 * Makes sure a fixed-id job can still run: absent -> added; failed for longer than RETRY_FAILED_AFTER_MS -> retried.
 * Without this, owed work whose job exhausted its attempts would wait forever behind its own failed job id.
 * Completed that long ago while PostgreSQL still says the work is owed -> removed and added again: the worker
 * commits asynchronously (ADR 013), so a PostgreSQL crash can undo a job's last commit after BullMQ recorded it done.
 */
async function revive(queue: Queue, jobId: string, add: () => Promise<void>, retryAfterMs: number): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) {
    await add();
    return true;
  }
  const state = await job.getState();
  const longAgo = Date.now() - (job.finishedOn ?? 0) >= retryAfterMs;
  if (state === "failed" && longAgo) {
    await job.retry("failed");
    return true;
  }
  if (state === "completed" && longAgo) {
    await job.remove();
    await add();
    return true;
  }
  return false;
}

/**
 * The relay: PostgreSQL holds every piece of owed work (inbox rows not yet queued, pending attributions, running
 * re-attributions); this moves it into BullMQ. Fixed job ids make a second relay pass (or a second worker) harmless.
 * It is what makes "answered 2xx, never lost" hold while Redis is down: once Redis is back, the next pass queues it.
 */
export async function relayOnce(
  queue: Queue,
  options: { retryFailedAfterMs?: number } = {},
): Promise<{ deliveries: number; shops: number; reattributions: number; imports: number }> {
  const retryAfterMs = options.retryFailedAfterMs ?? RETRY_FAILED_AFTER_MS;
  const unqueued = await unqueuedDeliveries();
  for (const id of unqueued) await enqueue(queue, "process-delivery", { deliveryId: id });
  await markDeliveriesQueued(unqueued);
  const deliveries = unqueued.length;
  const stale = await staleDeliveries(retryAfterMs);
  for (const id of stale) {
    const payload = { deliveryId: id };
    await revive(
      queue,
      jobCatalog["process-delivery"].jobId(payload),
      () => enqueue(queue, "process-delivery", payload),
      retryAfterMs,
    );
  }
  await markDeliveriesQueued(stale);
  await deleteOldDeliveries(INBOX_RETENTION_DAYS);
  // Click pixel links whose order never came with their checkout token (docs/decisions/006-click-pixel.md).
  await deleteStaleUnverifiedLinks(env().PIXEL_LINK_RETENTION_DAYS);
  const pending = await shopsWithPendingAttribution();
  for (const shopId of pending) await enqueue(queue, "attribute-shop", { shopId });
  const running = await runningReattributions();
  for (const row of running) {
    const payload = { shopId: row.shop_id, version: row.version };
    await revive(
      queue,
      jobCatalog["reattribute-shop"].jobId(payload),
      () => enqueue(queue, "reattribute-shop", payload),
      retryAfterMs,
    );
  }
  const imports = await relayImports(queue);
  return { deliveries, shops: pending.length, reattributions: running.length, imports };
}

/** Runs the relay every `intervalMs` until stopped. Errors (Redis or PostgreSQL down) are logged and retried. */
export function startRelay(queue: Queue, intervalMs = 2000) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let lastError = "";
  const tick = () => {
    running = relayOnce(queue)
      .then((n) => {
        lastError = "";
        if (n.deliveries) log.info("relay queued deliveries", { count: n.deliveries });
      })
      .catch((error: Error) => {
        if (error.message !== lastError) log.warn("relay pass failed; will retry", { error });
        lastError = error.message;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
