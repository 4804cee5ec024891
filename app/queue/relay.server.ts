import type { Queue } from "bullmq";
import { deleteStaleUnverifiedLinks } from "../data/pixel.server";
import { pool } from "../db.server";
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
 */
async function revive(queue: Queue, jobId: string, add: () => Promise<void>, retryAfterMs: number): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) {
    await add();
    return true;
  }
  if ((await job.getState()) === "failed" && Date.now() - (job.finishedOn ?? 0) >= retryAfterMs) {
    await job.retry("failed");
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
): Promise<{ deliveries: number; shops: number; reattributions: number }> {
  const retryAfterMs = options.retryFailedAfterMs ?? RETRY_FAILED_AFTER_MS;
  const db = pool();
  let deliveries = 0;
  const inbox = await db.query<{ id: string }>(
    `SELECT id FROM webhook_deliveries WHERE queued_at IS NULL AND processed_at IS NULL ORDER BY id LIMIT 1000`,
  );
  for (const row of inbox.rows) {
    await enqueue(queue, "process-delivery", { deliveryId: row.id });
    deliveries += 1;
  }
  if (inbox.rows.length) {
    await db.query(`UPDATE webhook_deliveries SET queued_at = now() WHERE id = ANY($1::bigint[])`, [
      inbox.rows.map((r) => r.id),
    ]);
  }
  // Deliveries queued long ago and still not processed: their job vanished or failed for good.
  const stale = await db.query<{ id: string }>(
    `SELECT id FROM webhook_deliveries
      WHERE processed_at IS NULL AND queued_at < now() - make_interval(secs => $1) ORDER BY id LIMIT 200`,
    [retryAfterMs / 1000],
  );
  for (const row of stale.rows) {
    const payload = { deliveryId: row.id };
    await revive(
      queue,
      jobCatalog["process-delivery"].jobId(payload),
      () => enqueue(queue, "process-delivery", payload),
      retryAfterMs,
    );
  }
  if (stale.rows.length) {
    await db.query(`UPDATE webhook_deliveries SET queued_at = now() WHERE id = ANY($1::bigint[])`, [
      stale.rows.map((r) => r.id),
    ]);
  }
  await db.query(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE processed_at < now() - make_interval(days => $1) LIMIT 1000)`,
    [INBOX_RETENTION_DAYS],
  );
  // Click pixel links whose order never came with their checkout token (docs/decisions/006-click-pixel.md).
  await deleteStaleUnverifiedLinks(env().PIXEL_LINK_RETENTION_DAYS);
  const pending = await db.query<{ shop_id: string }>(`SELECT DISTINCT shop_id FROM pending_attributions`);
  for (const row of pending.rows) await enqueue(queue, "attribute-shop", { shopId: row.shop_id });
  const running = await db.query<{ shop_id: string; version: number }>(
    `SELECT shop_id, version FROM settings WHERE attribution_state = 'running'`,
  );
  for (const row of running.rows) {
    const payload = { shopId: row.shop_id, version: row.version };
    await revive(
      queue,
      jobCatalog["reattribute-shop"].jobId(payload),
      () => enqueue(queue, "reattribute-shop", payload),
      retryAfterMs,
    );
  }
  return { deliveries, shops: pending.rows.length, reattributions: running.rows.length };
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
