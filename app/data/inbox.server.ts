import type { PoolClient } from "pg";
import { pool } from "../db.server";

/**
 * Stores a delivery once (unique on source + delivery id), in ONE round trip and one durable commit (the promise
 * behind the 200; ADR 013). `requireInstalledShop`: stored only when `shops` has the domain with the app installed
 * (order and refund topics), checked in the same statement. The row is written as queued (`queued_at`): the caller
 * queues its job right after and calls `markUnqueued` when that fails, so the relay queues it instead.
 * Returns the row id (null for a duplicate) and the id of the shop when it has the app installed.
 */
export async function insertDelivery(d: {
  source: string;
  deliveryId: string;
  topic: string;
  shopDomain: string;
  payload: string;
  requireInstalledShop?: boolean;
}): Promise<{ id: string | null; installedShopId: string | null }> {
  const result = await pool().query<{ id: string | null; shop_id: string | null }>(
    `WITH s AS (
       SELECT id FROM shops WHERE domain = $4 AND uninstalled_at IS NULL
     ), ins AS (
       INSERT INTO webhook_deliveries (source, delivery_id, topic, shop_domain, payload, queued_at)
       SELECT $1, $2, $3, $4, $5, now() WHERE EXISTS (SELECT 1 FROM s) OR NOT $6::bool
       ON CONFLICT (source, delivery_id) DO NOTHING
       RETURNING id
     )
     SELECT (SELECT id FROM ins) AS id, (SELECT id FROM s) AS shop_id`,
    [d.source, d.deliveryId, d.topic, d.shopDomain, d.payload, d.requireInstalledShop ?? false],
  );
  const row = result.rows[0];
  return { id: row?.id ?? null, installedShopId: row?.shop_id ?? null };
}

/**
 * The delivery's job could not be queued (Redis down or slow): clear `queued_at`, so the relay's next pass queues it.
 * A process that dies between the insert and this leaves a row marked queued without a job: the relay revives it
 * after RETRY_FAILED_AFTER_MS (stale deliveries), so it is late, never lost.
 */
export async function markUnqueued(id: string): Promise<void> {
  await pool().query(`UPDATE webhook_deliveries SET queued_at = NULL WHERE id = $1 AND processed_at IS NULL`, [id]);
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

/** The Shopify topics whose deliveries are applied in batches per shop (app/webhooks/process.server.ts). */
export const ORDER_DELIVERY_TOPICS = ["orders/create", "orders/updated", "orders/cancelled", "refunds/create"] as const;

export interface LockedDelivery {
  id: string;
  topic: string;
  payload: string;
}

/**
 * Locks one delivery row for the caller's transaction (waiting while another batch holds it) and returns it, or
 * null when it is gone or already processed (that batch committed it).
 */
export async function lockUnprocessedDelivery(client: PoolClient, id: string): Promise<LockedDelivery | null> {
  const r = await client.query<LockedDelivery & { processed_at: Date | null }>(
    `SELECT id, topic, payload, processed_at FROM webhook_deliveries WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = r.rows[0];
  return row && !row.processed_at ? { id: row.id, topic: row.topic, payload: row.payload } : null;
}

/**
 * Up to `limit` unprocessed Shopify order/refund deliveries of the shop (oldest first, ids up to `upTo` when given,
 * none of `except`), locked for the caller's transaction; rows another batch holds are skipped.
 */
export async function claimOrderDeliveries(
  client: PoolClient,
  shopDomain: string,
  except: string[],
  limit: number,
  upTo: string | null,
): Promise<LockedDelivery[]> {
  if (limit <= 0) return [];
  const r = await client.query<LockedDelivery>(
    `SELECT id, topic, payload FROM webhook_deliveries
      WHERE processed_at IS NULL AND source = 'shopify' AND shop_domain = $1 AND topic = ANY($2::text[])
        AND NOT (id = ANY($3::bigint[])) AND ($5::bigint IS NULL OR id <= $5)
      ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED`,
    [shopDomain, [...ORDER_DELIVERY_TOPICS], except, limit, upTo],
  );
  return r.rows;
}

/** Marks deliveries processed in the caller's transaction (bodies dropped, like `markProcessed`). */
export async function markProcessedIn(client: PoolClient, done: { id: string; error: string | null }[]): Promise<void> {
  if (done.length === 0) return;
  await client.query(
    `UPDATE webhook_deliveries d SET processed_at = now(), payload = '', last_error = x.error, attempts = d.attempts + 1
       FROM unnest($1::bigint[], $2::text[]) AS x(id, error) WHERE d.id = x.id`,
    [done.map((d) => d.id), done.map((d) => d.error)],
  );
}
