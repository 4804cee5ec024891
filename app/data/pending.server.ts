import type { PoolClient } from "pg";

/** Records owed attribution work in the caller's transaction (see the PendingAttribution model). */
export async function addPendingAttribution(
  client: PoolClient,
  shopId: bigint,
  work: { eventIds?: string[]; orderIds?: string[] },
): Promise<void> {
  const eventIds = work.eventIds ?? [];
  const orderIds = work.orderIds ?? [];
  if (eventIds.length === 0 && orderIds.length === 0) return;
  await client.query(
    `INSERT INTO pending_attributions (shop_id, event_ids, order_ids) VALUES ($1, $2::bigint[], $3::bigint[])`,
    [shopId.toString(), eventIds, orderIds],
  );
}
