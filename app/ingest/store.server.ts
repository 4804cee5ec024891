import type { PoolClient } from "pg";
import { insertEvents, toEventRow } from "../data/events.server";
import { insertRefunds, lockShopOrders, recomputeRefunded, upsertOrders } from "../data/orders.server";
import { addPendingAttribution } from "../data/pending.server";
import { inTransaction } from "../data/tx.server";
import type { MessageEventInput, OrderInput, RefundInput } from "../domain/types";
import { verifyPixelLinks } from "../pixel/links.server";
import { tryEnqueue } from "../queue/producer.server";

/**
 * The one write path of every source after its parser: store the records and the owed attribution work in one
 * transaction (so an answered 2xx is never lost), then wake the worker (best effort: the relay catches up when
 * Redis is down).
 */
export interface IngestCounts {
  accepted: number;
  duplicates: number;
}

async function wake(shopId: bigint) {
  await tryEnqueue("attribute-shop", { shopId: shopId.toString() });
}

export async function ingestEvents(
  shopId: bigint,
  events: MessageEventInput[],
  orderKey: string | null = null,
): Promise<IngestCounts> {
  const rows = events.map((e) => toEventRow(e, orderKey));
  const inserted = await inTransaction(async (client) => {
    const ids = await insertEvents(client, shopId, rows);
    await addPendingAttribution(client, shopId, { eventIds: ids });
    return ids;
  });
  if (inserted.length) await wake(shopId);
  return { accepted: inserted.length, duplicates: events.length - inserted.length };
}

export async function ingestOrders(shopId: bigint, orders: OrderInput[]): Promise<IngestCounts> {
  const result = await inTransaction(async (client) => {
    await lockShopOrders(client, shopId, "shared");
    const r = await upsertOrders(client, shopId, orders);
    // Click pixel links waiting for these orders count once the order names the same checkout.
    const withToken = orders.filter((o) => o.checkoutToken).map((o) => o.externalId);
    const eventIds = await verifyPixelLinks(client, shopId, withToken);
    await addPendingAttribution(client, shopId, { orderIds: r.changedIds, eventIds });
    return { ...r, eventIds };
  });
  if (result.changedIds.length || result.eventIds.length) await wake(shopId);
  return { accepted: result.accepted, duplicates: result.duplicates };
}

/** A refund for an order that may not exist yet: stored now, applied to the order whenever it arrives. */
export async function ingestRefund(shopId: bigint, refund: RefundInput): Promise<IngestCounts> {
  const changed = await inTransaction(async (client) => {
    await lockShopOrders(client, shopId, "exclusive");
    const orders = await insertRefunds(client, shopId, [refund]);
    if (orders.length === 0) return null;
    const ids = await recomputeRefunded(client, shopId, orders);
    await addPendingAttribution(client, shopId, { orderIds: ids });
    return ids;
  });
  if (changed?.length) await wake(shopId);
  return changed === null ? { accepted: 0, duplicates: 1 } : { accepted: 1, duplicates: 0 };
}

/**
 * Orders and refunds of one shop, in the caller's transaction: the shop's order lock first (shared; exclusive when
 * refunds come too, see `lockShopOrders`), the order upserts (with their own refunds), the standalone refunds and the
 * refunded totals they move, click-pixel links waiting for these orders (`pixelLinks`), and the owed attribution
 * work. Returns what changed, for the caller's wake-up, and how many input orders changed their stored row.
 */
async function storeOrdersAndRefunds(
  client: PoolClient,
  shopId: bigint,
  orders: OrderInput[],
  refunds: RefundInput[],
  opts: { pixelLinks: boolean },
): Promise<{ changedIds: string[]; eventIds: string[]; acceptedOrders: number }> {
  await lockShopOrders(client, shopId, refunds.length ? "exclusive" : "shared");
  const r = orders.length ? await upsertOrders(client, shopId, orders) : { changedIds: [], accepted: 0 };
  const ids = new Set(r.changedIds);
  if (refunds.length) {
    const touched = await insertRefunds(client, shopId, refunds);
    if (touched.length) for (const id of await recomputeRefunded(client, shopId, touched)) ids.add(id);
  }
  const eventIds = opts.pixelLinks
    ? await verifyPixelLinks(
        client,
        shopId,
        orders.filter((o) => o.checkoutToken).map((o) => o.externalId),
      )
    : [];
  await addPendingAttribution(client, shopId, { orderIds: [...ids], eventIds });
  return { changedIds: [...ids], eventIds, acceptedOrders: r.accepted };
}

/**
 * A batch of an import (history bulk result or a reconciliation page): orders (with their refunds) and standalone
 * refunds, through the same upserts and owed attribution work as webhooks, plus `progress` (the import's resume
 * point) in the SAME transaction, so a crash never commits a batch without its progress or the other way round.
 * Returns how many orders changed the stored row (new, or newer than the stored one).
 */
export async function ingestImportBatch(
  shopId: bigint,
  orders: OrderInput[],
  refunds: RefundInput[],
  progress: (client: PoolClient, changedOrders: number) => Promise<void>,
): Promise<{ changed: number }> {
  const result = await inTransaction(async (client) => {
    const r = await storeOrdersAndRefunds(client, shopId, orders, refunds, { pixelLinks: false });
    await progress(client, r.acceptedOrders);
    return { changed: r.acceptedOrders, ids: r.changedIds.length };
  });
  if (result.ids) await wake(shopId);
  return { changed: result.changed };
}

/**
 * Webhook deliveries of one shop applied together (app/webhooks/process.server.ts): `claim` runs first in the
 * transaction (it locks the inbox rows and returns their orders and refunds), `done` last (it marks them processed),
 * so the records, the owed work and the processed marks commit together or not at all.
 */
export async function ingestDeliveryBatch<C>(
  shopId: bigint,
  claim: (client: PoolClient) => Promise<{ orders: OrderInput[]; refunds: RefundInput[]; claimed: C } | null>,
  done: (client: PoolClient, claimed: C) => Promise<void>,
): Promise<C | null> {
  const result = await inTransaction(async (client) => {
    const batch = await claim(client);
    if (!batch) return null;
    const r = await storeOrdersAndRefunds(client, shopId, batch.orders, batch.refunds, { pixelLinks: true });
    await done(client, batch.claimed);
    return { claimed: batch.claimed, woke: r.changedIds.length + r.eventIds.length > 0 };
  });
  if (!result) return null;
  if (result.woke) await wake(shopId);
  return result.claimed;
}
