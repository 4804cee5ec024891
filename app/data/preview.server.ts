/**
 * Reads of a settings preview (ADR 011). They run inside the preview's transaction, after the engine's own
 * `computeAttributions` has written the proposed outcome of every order of the period into its temp table
 * `attr_new` (a temporary work table, emptied at commit; this transaction is rolled back): nothing of the shop's data is written.
 */
import type { PoolClient } from "pg";
import { pool } from "../db.server";

/** Runs `fn` in a transaction that is always rolled back: whatever it computes or writes is never kept. */
export async function inRolledBackTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    return await fn(client);
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    client.release();
  }
}

export interface PreviewSalesRow {
  /** campaigns.id, "0" for counted orders no campaign earns. */
  campaign_id: string;
  purchases: number;
  gross: string;
  refunded: string;
}

/** The proposed counted orders of the period by campaign (from `attr_new`). */
export async function proposedSales(client: PoolClient): Promise<PreviewSalesRow[]> {
  const r = await client.query<PreviewSalesRow>(
    `SELECT COALESCE(campaign_id, 0)::text AS campaign_id, count(*)::int AS purchases, sum(gross)::text AS gross,
            sum(refunded)::text AS refunded
       FROM attr_new WHERE counted GROUP BY 1`,
  );
  return r.rows;
}

export interface OrderMoves {
  gained: number;
  lost: number;
  moved: number;
  unchanged: number;
}

/**
 * Orders of [from, to) that would gain a campaign, lose theirs, move to another, or stay as they are: the stored
 * attributions against `attr_new`. An order "has" a campaign when it is counted, attributed and the setting
 * `enabled` (current or proposed) is on.
 */
export async function orderMoves(
  client: PoolClient,
  shopId: bigint,
  from: Date,
  to: Date,
  enabled: { current: boolean; proposed: boolean },
): Promise<OrderMoves> {
  const r = await client.query<{ gained: number; lost: number; moved: number; unchanged: number }>(
    `WITH x AS (
       SELECT CASE WHEN $4::bool AND a.counted THEN a.campaign_id END AS cur,
              CASE WHEN $5::bool AND n.counted THEN n.campaign_id END AS new
         FROM attr_new n
         FULL JOIN (SELECT order_id, campaign_id, counted FROM attributions
                     WHERE shop_id = $1 AND time_of_sale >= $2 AND time_of_sale < $3) a ON a.order_id = n.order_id
     )
     SELECT count(*) FILTER (WHERE cur IS NULL AND new IS NOT NULL)::int AS gained,
            count(*) FILTER (WHERE cur IS NOT NULL AND new IS NULL)::int AS lost,
            count(*) FILTER (WHERE cur <> new)::int AS moved,
            count(*) FILTER (WHERE cur IS NOT DISTINCT FROM new)::int AS unchanged
       FROM x`,
    [shopId.toString(), from.toISOString(), to.toISOString(), enabled.current, enabled.proposed],
  );
  return r.rows[0] ?? { gained: 0, lost: 0, moved: 0, unchanged: 0 };
}
