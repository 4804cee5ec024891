import type { Queue } from "bullmq";
import { pool } from "../db.server";
import { log } from "../logger.server";
import { enqueue } from "./producer.server";

/**
 * The relay: PostgreSQL holds every piece of owed work (inbox rows not yet queued, pending attributions, running
 * re-attributions); this moves it into BullMQ. Fixed job ids make a second relay pass (or a second worker) harmless.
 * It is what makes "answered 2xx, never lost" hold while Redis is down: once Redis is back, the next pass queues it.
 */
export async function relayOnce(queue: Queue): Promise<{ deliveries: number; shops: number; reattributions: number }> {
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
  const pending = await db.query<{ shop_id: string }>(`SELECT DISTINCT shop_id FROM pending_attributions`);
  for (const row of pending.rows) await enqueue(queue, "attribute-shop", { shopId: row.shop_id });
  const running = await db.query<{ shop_id: string; version: number }>(
    `SELECT shop_id, version FROM settings WHERE attribution_state = 'running'`,
  );
  for (const row of running.rows) await enqueue(queue, "reattribute-shop", { shopId: row.shop_id, version: row.version });
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
