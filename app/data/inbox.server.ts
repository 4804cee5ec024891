import { pool } from "../db.server";

/** Stores a delivery once (unique on source + delivery id). Returns the row id, or null for a duplicate. */
export async function insertDelivery(d: {
  source: string;
  deliveryId: string;
  topic: string;
  shopDomain: string;
  payload: string;
}): Promise<string | null> {
  const result = await pool().query<{ id: string }>(
    `INSERT INTO webhook_deliveries (source, delivery_id, topic, shop_domain, payload)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source, delivery_id) DO NOTHING
     RETURNING id`,
    [d.source, d.deliveryId, d.topic, d.shopDomain, d.payload],
  );
  return result.rows[0]?.id ?? null;
}

/**
 * Notes that the delivery's job is in the queue. Committed asynchronously: losing this mark in a crash only makes the
 * relay queue the delivery again (a fixed job id, so nothing runs twice), while a synchronous commit here cost the
 * acknowledgement a second WAL flush (~8 ms on the development machines; ADR 013). One round trip: the id is a
 * bigint this module returned, checked again here before it is written into the statement (on an error the pool
 * discards the connection, so no aborted transaction is left behind).
 */
export async function markQueued(id: string): Promise<void> {
  if (!/^\d{1,19}$/.test(id)) throw new Error("markQueued: not a row id");
  await pool().query(
    `BEGIN; SET LOCAL synchronous_commit = off;
     UPDATE webhook_deliveries SET queued_at = now() WHERE id = ${id} AND queued_at IS NULL; COMMIT`,
  );
}

export async function loadDelivery(id: string) {
  const result = await pool().query<{
    id: string;
    source: string;
    topic: string;
    shop_domain: string;
    payload: string;
    processed_at: Date | null;
  }>(`SELECT id, source, topic, shop_domain, payload, processed_at FROM webhook_deliveries WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/**
 * Marks a delivery processed and drops its body: the raw body holds personal data (emails, phones, addresses)
 * that the app has no reason to keep once applied. The row stays for idempotency.
 */
export async function markProcessed(id: string, error?: string): Promise<void> {
  await pool().query(
    `UPDATE webhook_deliveries SET processed_at = now(), payload = '', last_error = $2, attempts = attempts + 1 WHERE id = $1`,
    [id, error ?? null],
  );
}

export async function recordAttempt(id: string, error: string): Promise<void> {
  await pool().query(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
    id,
    error,
  ]);
}

/** The shop's order and refund deliveries received before `beforeId` and not yet applied, oldest first. */
export async function unprocessedOrderDeliveriesBefore(shopDomain: string, beforeId: string): Promise<string[]> {
  const result = await pool().query<{ id: string }>(
    `SELECT id FROM webhook_deliveries
      WHERE shop_domain = $1 AND id < $2 AND processed_at IS NULL
        AND topic IN ('orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create')
      ORDER BY id`,
    [shopDomain, beforeId],
  );
  return result.rows.map((r) => r.id);
}
