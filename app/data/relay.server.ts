/** The relay's reads and writes (app/queue/relay.server.ts): owed work held in PostgreSQL. */
import { pool } from "../db.server";

/** Inbox deliveries never queued (oldest first); the caller marks them queued once they are in the queue. */
export async function unqueuedDeliveries(limit = 1000): Promise<string[]> {
  const r = await pool().query<{ id: string }>(
    `SELECT id FROM webhook_deliveries WHERE queued_at IS NULL AND processed_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
  return r.rows.map((row) => row.id);
}

/** Deliveries queued longer than `olderThanMs` ago and still not processed: their job vanished or failed for good. */
export async function staleDeliveries(olderThanMs: number, limit = 200): Promise<string[]> {
  const r = await pool().query<{ id: string }>(
    `SELECT id FROM webhook_deliveries
      WHERE processed_at IS NULL AND queued_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
    [olderThanMs / 1000, limit],
  );
  return r.rows.map((row) => row.id);
}

export async function markDeliveriesQueued(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool().query(`UPDATE webhook_deliveries SET queued_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Deletes up to 1000 processed deliveries older than the retention. */
export async function deleteOldDeliveries(retentionDays: number): Promise<void> {
  await pool().query(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE processed_at < now() - make_interval(days => $1) LIMIT 1000)`,
    [retentionDays],
  );
}

/** Shops with pending attribution work. */
export async function shopsWithPendingAttribution(): Promise<string[]> {
  const r = await pool().query<{ shop_id: string }>(`SELECT DISTINCT shop_id FROM pending_attributions`);
  return r.rows.map((row) => row.shop_id);
}

/** Settings versions whose re-attribution is running. */
export async function runningReattributions(): Promise<{ shop_id: string; version: number }[]> {
  const r = await pool().query<{ shop_id: string; version: number }>(
    `SELECT shop_id, version FROM settings WHERE attribution_state = 'running'`,
  );
  return r.rows;
}
