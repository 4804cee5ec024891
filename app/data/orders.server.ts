import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import { orderKeys } from "../domain/identity";
import type { OrderInput, RefundInput } from "../domain/types";

function contentHash(o: OrderInput): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        o.name,
        o.processedAt?.toISOString() ?? null,
        o.createdAt?.toISOString() ?? null,
        o.updatedAt?.toISOString() ?? null,
        o.currency,
        o.totalPrice,
        o.email,
        o.phone,
        o.customer,
        o.test,
        o.cancelledAt?.toISOString() ?? null,
        o.landingSite,
        // Only when present, so orders without one keep the hash they had before the column existed.
        ...(o.checkoutToken ? [o.checkoutToken] : []),
      ]),
    )
    .digest("base64url");
}

/** Within one batch the same id can appear twice: keep the newest (by updated_at, then the later one). */
function latestPerId(orders: OrderInput[]): OrderInput[] {
  const byId = new Map<string, OrderInput>();
  for (const o of orders) {
    const prev = byId.get(o.externalId);
    if (!prev || (o.updatedAt?.getTime() ?? 0) >= (prev.updatedAt?.getTime() ?? 0)) byId.set(o.externalId, o);
  }
  return [...byId.values()];
}

export interface UpsertOrdersResult {
  /** Orders inserted or changed. */
  changedIds: string[];
  accepted: number;
  duplicates: number;
}

/**
 * Inserts or updates orders in one statement. An order older than the stored one (`updated_at`) or identical to
 * it changes nothing and counts as a duplicate. Refunds carried by the orders are stored too. Runs in the caller's
 * transaction; the caller records the pending attribution.
 */
export async function upsertOrders(
  client: PoolClient,
  shopId: bigint,
  input: OrderInput[],
): Promise<UpsertOrdersResult> {
  const orders = latestPerId(input);
  const keys = orders.map((o) => orderKeys(o));
  const result = await client.query<{ id: string; external_id: string }>(
    `INSERT INTO orders AS o
       (shop_id, external_id, name, currency, total_price, time_of_sale, processed_at, source_created_at,
        source_updated_at, test, cancelled_at, email_keys, phone_keys, customer_key, landing_site, content_hash,
        updated_at, checkout_token)
     SELECT $1, x.eid, x.nm, x.cur, x.tp, COALESCE(x.pa, x.ca), x.pa, x.ca, x.ua, x.te, x.cx,
            ARRAY(SELECT jsonb_array_elements_text(x.ek::jsonb)), ARRAY(SELECT jsonb_array_elements_text(x.pk::jsonb)),
            x.ck, x.ls, x.h, now(), x.ct
       FROM unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[], $7::timestamptz[],
                   $8::timestamptz[], $9::bool[], $10::timestamptz[], $11::text[], $12::text[], $13::text[],
                   $14::text[], $15::text[], $16::text[])
         AS x(eid, nm, cur, tp, pa, ca, ua, te, cx, ek, pk, ck, ls, h, ct)
     ON CONFLICT (shop_id, external_id) DO UPDATE SET
       name = EXCLUDED.name, currency = EXCLUDED.currency, total_price = EXCLUDED.total_price,
       time_of_sale = EXCLUDED.time_of_sale, processed_at = EXCLUDED.processed_at,
       source_created_at = EXCLUDED.source_created_at, source_updated_at = EXCLUDED.source_updated_at,
       test = EXCLUDED.test, cancelled_at = EXCLUDED.cancelled_at,
       email_keys = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.email_keys ELSE o.email_keys END,
       phone_keys = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.phone_keys ELSE o.phone_keys END,
       customer_key = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.customer_key ELSE o.customer_key END,
       landing_site = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.landing_site ELSE o.landing_site END,
       content_hash = CASE WHEN o.redacted_at IS NULL THEN EXCLUDED.content_hash ELSE o.content_hash END,
       updated_at = now(),
       -- A re-send without the token (e.g. the API) keeps the one Shopify gave.
       checkout_token = COALESCE(EXCLUDED.checkout_token, o.checkout_token)
     WHERE o.content_hash IS DISTINCT FROM EXCLUDED.content_hash
       AND (o.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
            OR EXCLUDED.source_updated_at >= o.source_updated_at)
     RETURNING o.id, o.external_id`,
    [
      shopId.toString(),
      orders.map((o) => o.externalId),
      orders.map((o) => o.name),
      orders.map((o) => o.currency),
      orders.map((o) => o.totalPrice),
      orders.map((o) => o.processedAt?.toISOString() ?? null),
      orders.map((o) => o.createdAt?.toISOString() ?? null),
      orders.map((o) => o.updatedAt?.toISOString() ?? null),
      orders.map((o) => o.test),
      orders.map((o) => o.cancelledAt?.toISOString() ?? null),
      keys.map((k) => JSON.stringify(k.emails)),
      keys.map((k) => JSON.stringify(k.phones)),
      keys.map((k) => k.customerIds[0] ?? null),
      orders.map((o) => o.landingSite),
      orders.map(contentHash),
      orders.map((o) => o.checkoutToken ?? null),
    ],
  );
  const refunds = orders.flatMap((o) => o.refunds);
  const refundOrders = await insertRefunds(client, shopId, refunds);
  const changed = new Set(result.rows.map((r) => r.id));
  // Orders whose refunds changed, and every changed order, get their refunded total recomputed from the refunds
  // (the changed ones by the ids the upsert returned).
  const changedInInput = new Set(result.rows.map((r) => r.external_id));
  const recomputed = await recomputeRefunded(
    client,
    shopId,
    refundOrders.filter((ext) => !changedInInput.has(ext)),
    result.rows.map((r) => r.id),
  );
  for (const id of recomputed) changed.add(id);
  for (const ext of refundOrders) changedInInput.add(ext);
  const accepted = orders.filter((o) => changedInInput.has(o.externalId)).length;
  return { changedIds: [...changed], accepted, duplicates: input.length - accepted };
}

/**
 * Orders and refunds of one shop meet in `refunded_total`, recomputed from the refunds table in the writing
 * transaction. Two concurrent transactions can each miss the other's uncommitted row (an order and a refund for it
 * arriving together, or two refunds of one order): the total then lacks a refund for good. So order writes take
 * this shop-wide lock shared (order batches still run side by side: their rows serialise on the order's own row
 * lock), and a standalone refund takes it exclusively. Call it first in the transaction, before any row lock.
 */
export async function lockShopOrders(client: PoolClient, shopId: bigint, mode: "shared" | "exclusive"): Promise<void> {
  const fn = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
  await client.query(`SELECT ${fn}(hashtextextended('cr:orders:' || $1::text, 0))`, [shopId.toString()]);
}

/** Stores refunds (the same refund id again changes nothing); returns the order external ids of new refunds. */
export async function insertRefunds(client: PoolClient, shopId: bigint, refunds: RefundInput[]): Promise<string[]> {
  if (refunds.length === 0) return [];
  const result = await client.query<{ order_external_id: string }>(
    `INSERT INTO refunds (shop_id, external_id, order_external_id, amount, currency, created_at)
     SELECT $1, x.eid, x.oid, x.amt, x.cur, x.ca
       FROM unnest($2::text[], $3::text[], $4::numeric[], $5::text[], $6::timestamptz[]) AS x(eid, oid, amt, cur, ca)
     ON CONFLICT (shop_id, external_id) DO NOTHING
     RETURNING order_external_id`,
    [
      shopId.toString(),
      refunds.map((r) => r.externalId),
      refunds.map((r) => r.orderExternalId),
      refunds.map((r) => r.amount),
      refunds.map((r) => r.currency),
      refunds.map((r) => r.createdAt.toISOString()),
    ],
  );
  return [...new Set(result.rows.map((r) => r.order_external_id))];
}

/**
 * Sets refunded_total = sum of the order's refunds; returns ids of orders whose total changed. The orders are named
 * by external id (looked up one by one through the `(shop_id, external_id)` key) or, when the caller already has
 * them (an upsert's RETURNING), by id: `knownIds` must be orders of `shopId`.
 */
export async function recomputeRefunded(
  client: PoolClient,
  shopId: bigint,
  orderExternalIds: string[],
  knownIds: string[] = [],
): Promise<string[]> {
  if (orderExternalIds.length === 0 && knownIds.length === 0) return [];
  // Updated by primary key, with no join to `orders` and no condition on the shop's rows: a plan that does not
  // depend on how many rows the statistics think the shop has. A join of the external ids to `orders` let the
  // planner hash all of the shop's orders for every batch when the statistics were stale (a 1M-order history import
  // slowed from 63 to 500 ms a batch, ADR 009); a lookup by external id can still be planned badly when statistics
  // say the shop has no rows, which is why an upsert passes the ids it got back.
  const refunded = `COALESCE((SELECT sum(r.amount) FROM refunds r
                                WHERE r.shop_id = o.shop_id AND r.order_external_id = o.external_id), 0)`;
  const result = await client.query<{ id: string }>(
    `UPDATE orders o SET refunded_total = ${refunded}, updated_at = now()
      WHERE o.id = ANY(ARRAY(SELECT x.id FROM unnest($2::text[]) AS e(eid)
                             CROSS JOIN LATERAL (SELECT id FROM orders
                                                  WHERE shop_id = $1 AND external_id = e.eid LIMIT 1) x) || $3::bigint[])
        AND o.refunded_total IS DISTINCT FROM ${refunded}
      RETURNING o.id`,
    [shopId.toString(), orderExternalIds, knownIds],
  );
  return result.rows.map((r) => r.id);
}
