import type { PoolClient } from "pg";
import { pool } from "../db.server";
import { CHANNELS, type Channel } from "../domain/types";
import type { KnownMessage, PixelLink } from "../ingest/pixel";

type Queryable = Pick<PoolClient, "query">;

/**
 * The campaign and channel of a message as its own stored events name them (its earliest event not from the
 * pixel, like the engine's rule: a message's campaign comes from its earliest event). Null: no such event yet.
 */
export async function findKnownMessage(shopId: bigint, messageKey: string): Promise<KnownMessage | null> {
  return (await findKnownMessages(pool(), shopId, [messageKey])).get(messageKey) ?? null;
}

/** `findKnownMessage` for several messages at once (inside the caller's transaction when given a client). */
export async function findKnownMessages(
  db: Queryable,
  shopId: bigint,
  messageKeys: string[],
): Promise<Map<string, KnownMessage>> {
  const out = new Map<string, KnownMessage>();
  if (messageKeys.length === 0) return out;
  const r = await db.query<{
    message_key: string;
    campaign_key: string;
    campaign_name: string | null;
    channel: string;
  }>(
    `SELECT DISTINCT ON (message_key) message_key, campaign_key, campaign_name, channel
       FROM message_events
      WHERE shop_id = $1 AND message_key = ANY($2::text[]) AND source <> 'pixel'
      ORDER BY message_key, occurred_at, dedup_key`,
    [shopId.toString(), messageKeys],
  );
  for (const row of r.rows) {
    if (!(CHANNELS as readonly string[]).includes(row.channel)) continue;
    out.set(row.message_key, {
      campaignId: row.campaign_key,
      campaignName: row.campaign_name,
      channel: row.channel as Channel,
    });
  }
  return out;
}

export type AddLinkOutcome = "inserted" | "duplicate" | "full";

/**
 * Stores a pixel link (unverified) unless the same link is already stored ("duplicate") or the order already has
 * `perOrder` links ("full"). The caller holds the shop's order lock exclusively, so the count cannot race.
 */
export async function addPixelLink(
  client: PoolClient,
  shopId: bigint,
  link: PixelLink,
  perOrder: number,
): Promise<AddLinkOutcome> {
  const params = [shopId.toString(), link.orderId, link.messageId, link.checkoutToken];
  const state = await client.query<{ n: number; dup: boolean }>(
    `SELECT count(*)::int AS n,
            coalesce(bool_or(message_key = $3 AND checkout_token = $4), false) AS dup
       FROM pixel_links WHERE shop_id = $1 AND order_key = $2`,
    params,
  );
  const row = state.rows[0];
  if (row?.dup) return "duplicate";
  if ((row?.n ?? 0) >= perOrder) return "full";
  const inserted = await client.query(
    `INSERT INTO pixel_links (shop_id, order_key, message_key, checkout_token, landed_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (shop_id, order_key, message_key, checkout_token) DO NOTHING`,
    [...params, link.landedAt.toISOString()],
  );
  return inserted.rowCount ? "inserted" : "duplicate";
}

/**
 * Marks verified the unverified links of these orders whose checkout token equals the stored order's, and returns
 * them. A link of an order not stored yet, or naming another checkout, stays unverified.
 */
export async function claimVerifiedLinks(
  client: PoolClient,
  shopId: bigint,
  orderKeys: string[],
): Promise<Pick<PixelLink, "orderId" | "messageId" | "landedAt">[]> {
  if (orderKeys.length === 0) return [];
  const r = await client.query<{ order_key: string; message_key: string; landed_at: Date }>(
    `UPDATE pixel_links l SET verified_at = now()
       FROM orders o
      WHERE l.shop_id = $1 AND l.order_key = ANY($2::text[]) AND l.verified_at IS NULL
        AND o.shop_id = l.shop_id AND o.external_id = l.order_key
        AND o.checkout_token IS NOT NULL AND o.checkout_token = l.checkout_token
      RETURNING l.order_key, l.message_key, l.landed_at`,
    [shopId.toString(), orderKeys],
  );
  return r.rows.map((x) => ({ orderId: x.order_key, messageId: x.message_key, landedAt: new Date(x.landed_at) }));
}

/** Deletes up to `limit` links still unverified after `days` days (the relay's sweep); returns how many. */
export async function deleteStaleUnverifiedLinks(days: number, limit = 1000): Promise<number> {
  const r = await pool().query(
    `DELETE FROM pixel_links WHERE id IN (
       SELECT id FROM pixel_links
        WHERE received_at < now() - make_interval(days => $1) AND verified_at IS NULL
        LIMIT $2)`,
    [days, limit],
  );
  return r.rowCount ?? 0;
}
