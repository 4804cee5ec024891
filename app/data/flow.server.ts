/**
 * Repositories of the Shopify Flow trigger (docs/decisions/014-admin-extensions-and-flow.md): the shops using it
 * (lifecycle callback), the outbox that statement-level triggers on `attributions` fill when an order's campaign
 * changes, and what Flow was last told per order.
 */
import { pool } from "../db.server";

/** Records Flow's lifecycle callback; a callback older than the stored one is ignored. True when it was applied. */
export async function recordFlowLifecycle(
  shopId: bigint,
  enabled: boolean,
  definitionId: string,
  notifiedAt: Date,
): Promise<boolean> {
  const r = await pool().query(
    `INSERT INTO flow_trigger_shops AS f (shop_id, enabled, definition_id, notified_at, updated_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (shop_id) DO UPDATE SET enabled = EXCLUDED.enabled, definition_id = EXCLUDED.definition_id,
       notified_at = EXCLUDED.notified_at, updated_at = now()
     WHERE f.notified_at <= EXCLUDED.notified_at`,
    [shopId.toString(), enabled, definitionId, notifiedAt.toISOString()],
  );
  const applied = (r.rowCount ?? 0) > 0;
  if (applied && !enabled) await clearFlowOutbox(shopId);
  return applied;
}

export async function flowTriggerEnabled(shopId: bigint): Promise<boolean> {
  const r = await pool().query(`SELECT enabled FROM flow_trigger_shops WHERE shop_id = $1`, [shopId.toString()]);
  return r.rows[0]?.enabled === true;
}

/** Shops with outbox rows ready to claim (for the periodic sweep). */
export async function shopsWithFlowOutbox(leaseSeconds: number): Promise<bigint[]> {
  const r = await pool().query<{ shop_id: string }>(
    `SELECT DISTINCT shop_id::text FROM flow_outbox
      WHERE claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $1)`,
    [leaseSeconds],
  );
  return r.rows.map((row) => BigInt(row.shop_id));
}

export interface FlowCandidate {
  order_id: string;
  order_external_id: string;
  /** The attribution's campaign now (null: no longer attributed). */
  campaign_id: string | null;
  campaign_external_id: string | null;
  campaign_name: string | null;
  channel: string | null;
  gross: string | null;
  refunded: string | null;
  time_of_sale: Date;
  /** The campaign Flow was last told about, null when never. */
  sent_campaign_id: string | null;
}

/**
 * Claims up to `limit` outbox rows of the shop (oldest first) for `leaseSeconds` (a worker that dies leaves them to the
 * next run) and reads each order's current attribution and the campaign last sent.
 */
export async function claimFlowOutbox(shopId: bigint, limit: number, leaseSeconds: number): Promise<FlowCandidate[]> {
  const r = await pool().query<FlowCandidate>(
    `WITH claimed AS (
       UPDATE flow_outbox x SET claimed_at = now()
        WHERE x.order_id IN (
          SELECT order_id FROM flow_outbox
           WHERE shop_id = $1 AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $3))
           ORDER BY created_at, order_id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING x.order_id)
     SELECT o.id::text AS order_id, o.external_id AS order_external_id, a.campaign_id::text AS campaign_id,
            c.external_id AS campaign_external_id, c.name AS campaign_name, a.channel,
            a.gross::text AS gross, a.refunded::text AS refunded, o.time_of_sale,
            s.campaign_id::text AS sent_campaign_id
       FROM claimed k
       JOIN orders o ON o.id = k.order_id
       LEFT JOIN attributions a ON a.order_id = o.id
       LEFT JOIN campaigns c ON c.id = a.campaign_id
       LEFT JOIN flow_trigger_sent s ON s.order_id = o.id
      ORDER BY o.time_of_sale, o.id`,
    [shopId.toString(), limit, leaseSeconds],
  );
  return r.rows;
}

/** Flow was told: remember the campaign and drop the outbox row (unless the campaign changed again meanwhile). */
export async function markFlowSent(shopId: bigint, orderId: string, campaignId: string): Promise<void> {
  await pool().query(
    `WITH sent AS (
       INSERT INTO flow_trigger_sent (order_id, shop_id, campaign_id, sent_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (order_id) DO UPDATE SET campaign_id = EXCLUDED.campaign_id, sent_at = now())
     DELETE FROM flow_outbox x USING attributions a
      WHERE x.order_id = $1 AND a.order_id = x.order_id AND a.campaign_id IS NOT DISTINCT FROM $3::bigint`,
    [orderId, shopId.toString(), campaignId],
  );
  // Changed again while Flow was being called: the row stays, unclaimed, for the next run.
  await pool().query(`UPDATE flow_outbox SET claimed_at = NULL WHERE order_id = $1`, [orderId]);
}

/** Outbox rows that need no call (unchanged, unattributed, too old). */
export async function dropFlowOutbox(orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await pool().query(`DELETE FROM flow_outbox WHERE order_id = ANY($1::bigint[])`, [orderIds]);
}

/** Gives claimed rows back at once (e.g. Flow throttled us), so the next run takes them without waiting the lease. */
export async function releaseFlowOutbox(orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await pool().query(`UPDATE flow_outbox SET claimed_at = NULL WHERE order_id = ANY($1::bigint[])`, [orderIds]);
}

export async function flowOutboxSize(shopId: bigint): Promise<number> {
  const r = await pool().query<{ n: string }>(`SELECT count(*) AS n FROM flow_outbox WHERE shop_id = $1`, [
    shopId.toString(),
  ]);
  return Number(r.rows[0]?.n ?? 0);
}

export async function clearFlowOutbox(shopId: bigint): Promise<void> {
  await pool().query(`DELETE FROM flow_outbox WHERE shop_id = $1`, [shopId.toString()]);
}
