import { customerHoldings, deleteShopData, recordComplianceRequest, redactCustomer } from "../data/compliance.server";
import {
  ORDER_DELIVERY_TOPICS,
  type LockedDelivery,
  claimOrderDeliveries,
  loadDelivery,
  lockUnprocessedDelivery,
  markProcessed,
  markProcessedIn,
  recordAttempt,
  unprocessedOrderDeliveriesBefore,
} from "../data/inbox.server";
import { findShopByDomain, findShopById, markUninstalled } from "../data/shops.server";
import { tryEnqueue } from "../queue/producer.server";
import { normalizeCustomerId, normalizeEmail, normalizePhone, orderKeys } from "../domain/identity";
import { parseShopifyWebhook, type ShopifyWebhookPayload } from "../ingest/shopify";
import { ingestDeliveryBatch, ingestOrders, ingestRefund } from "../ingest/store.server";
import type { OrderInput, RefundInput } from "../domain/types";
import { env } from "../env.server";
import { log } from "../logger.server";
import { onBulkOperationFinished } from "../imports/webhook.server";

/**
 * Applies one stored Shopify delivery (the `process-delivery` job). Idempotent: a processed delivery is skipped,
 * and every effect is itself idempotent (upserts keyed by ids), so a worker dying mid-job and re-running it is safe.
 * Order and refund deliveries are applied in batches per shop (`applyOrderBatch`); `upTo` bounds such a batch to
 * deliveries received up to that row, `alone` applies just this one.
 */
export async function processDelivery(
  deliveryId: string,
  opts: { upTo?: string; alone?: boolean } = {},
): Promise<string> {
  const d = await loadDelivery(deliveryId);
  if (!d) return "missing";
  if (d.processed_at) return "already processed";
  if (!opts.alone && d.source === "shopify" && (ORDER_DELIVERY_TOPICS as readonly string[]).includes(d.topic)) {
    try {
      const batched = await applyWithOthers(d, opts.upTo ?? null);
      if (batched !== null) return batched;
    } catch (error) {
      // One delivery of the batch may be the cause: this one is applied alone below (with its own error handling);
      // the others stay unprocessed for their own jobs.
      log.warn("webhook batch failed; applying the delivery alone", { deliveryId: d.id, error: errorSummary(error) });
    }
  }
  const parsed = parseShopifyWebhook(d.topic, d.payload);
  if (!parsed.ok) {
    // Checked before it was stored, so this only happens for rows written by an older version: keep the error.
    await markProcessed(d.id, `unparseable: ${parsed.errors.map((e) => e.path).join(", ")}`);
    return "unparseable";
  }
  let note: string | null = null;
  try {
    if (parsed.payload.topic === "customers/redact") {
      // Orders received before the redaction request but not applied yet would write the customer's data back
      // afterwards: apply them first (idempotent), then erase.
      // One that keeps failing must not hold the redaction back forever: it is skipped, and closed unapplied (its body
      // dropped) when it holds this customer's data, which it would otherwise write back once it succeeds.
      const customer = customerRef(parsed.payload.redact.customer);
      for (const earlier of await unprocessedOrderDeliveriesBefore(d.shop_domain, d.id)) {
        try {
          await processDelivery(earlier, { upTo: d.id });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const row = await loadDelivery(earlier);
          if (row && !row.processed_at && concernsCustomer(row, customer, parsed.payload.redact.ordersToRedact)) {
            await markProcessed(
              earlier,
              `closed unapplied: it failed (${message.slice(0, 200)}) and its customer was redacted`,
            );
            log.warn("order delivery closed unapplied for a redaction", { deliveryId: earlier, redaction: d.id });
          } else {
            await recordAttempt(earlier, message.slice(0, 500));
            log.warn("order delivery still failing; redaction goes ahead", { deliveryId: earlier, error });
          }
        }
      }
    }
    note = await apply(parsed.payload, d.shop_domain);
  } catch (error) {
    // PostgreSQL refused the data itself (SQLSTATE class 22: e.g. a refund total beyond NUMERIC(19,4)). Retrying
    // cannot help, so the delivery is closed with its error instead of failing (and being revived) forever.
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("22")) {
      await markProcessed(d.id, `rejected by the database (SQLSTATE ${code})`);
      log.warn("webhook rejected by the database", { deliveryId: d.id, topic: d.topic, sqlstate: code });
      return "rejected";
    }
    // Keep the attempt and its error on the row, so a delivery that keeps failing shows how often and why. The
    // message only: driver details can quote the row's values (personal data).
    await recordAttempt(d.id, errorSummary(error)).catch(() => {});
    throw error;
  }
  await markProcessed(d.id, note ?? undefined);
  if (note) log.warn("webhook skipped", { deliveryId: d.id, topic: d.topic, reason: note });
  else log.info("webhook processed", { deliveryId: d.id, topic: d.topic });
  return note ? "skipped" : "processed";
}

/**
 * Applies the delivery together with up to WEBHOOK_BATCH_DELIVERIES - 1 more unprocessed order and refund deliveries
 * of the same shop (`applyOrderBatch`). Null: not for a batch (the shop is gone): the caller applies it alone.
 */
async function applyWithOthers(d: { id: string; shop_domain: string }, upTo: string | null): Promise<string | null> {
  const shop = await findShopByDomain(d.shop_domain);
  if (!shop) return null;
  const batch = await applyOrderBatch(shop.id, d.shop_domain, { ownId: d.id, upTo });
  if (batch.ids.length === 0) return "already processed";
  return batch.unparseable.includes(d.id) ? "unparseable" : "processed";
}

/**
 * One transaction over a shop's order and refund deliveries: `ownId`'s row locked first when given (waiting while
 * another batch holds it; nothing to do when that batch applied it), then up to WEBHOOK_BATCH_DELIVERIES rows in all,
 * oldest first, claimed with SKIP LOCKED so concurrent jobs take disjoint batches (`except`: rows not to take);
 * orders and refunds stored through the one write path (`ingestDeliveryBatch`), every row marked processed in the
 * same transaction. Applying them together gives the same rows as one by one: the order upsert keeps the newest
 * `updated_at` per order, refunds are keyed by id and totals recomputed from them (ADR 013). `claimed` is filled
 * before the writes, so a caller whose batch failed knows which rows it held.
 */
async function applyOrderBatch(
  shopId: bigint,
  shopDomain: string,
  opts: { ownId?: string; upTo?: string | null; except?: ReadonlySet<string>; claimed?: string[] },
): Promise<{ ids: string[]; unparseable: string[] }> {
  const size = env().WEBHOOK_BATCH_DELIVERIES;
  const done = await ingestDeliveryBatch(
    shopId,
    async (client) => {
      const rows: LockedDelivery[] = [];
      if (opts.ownId) {
        const own = await lockUnprocessedDelivery(client, opts.ownId);
        if (!own) return null;
        rows.push(own);
      }
      const skip = [...(opts.except ?? []), ...(opts.ownId ? [opts.ownId] : [])];
      rows.push(...(await claimOrderDeliveries(client, shopDomain, skip, size - rows.length, opts.upTo ?? null)));
      if (rows.length === 0) return null;
      opts.claimed?.push(...rows.map((r) => r.id));
      const orders: OrderInput[] = [];
      const refunds: RefundInput[] = [];
      const marks: { id: string; error: string | null }[] = [];
      for (const row of rows) {
        const parsed = parseShopifyWebhook(row.topic, row.payload);
        if (!parsed.ok) {
          marks.push({ id: row.id, error: `unparseable: ${parsed.errors.map((e) => e.path).join(", ")}` });
          continue;
        }
        const p = parsed.payload;
        if (p.topic === "refunds/create") refunds.push(p.refund);
        else if (p.topic === "orders/create" || p.topic === "orders/updated" || p.topic === "orders/cancelled")
          orders.push(p.order);
        marks.push({ id: row.id, error: null });
      }
      return { orders, refunds, claimed: marks };
    },
    (client, marks) => markProcessedIn(client, marks),
  );
  if (!done) return { ids: [], unparseable: [] };
  log.info("webhooks processed", { deliveries: done.length });
  return { ids: done.map((m) => m.id), unparseable: done.filter((m) => m.error).map((m) => m.id) };
}

/** Batches one `apply-deliveries` job runs before it hands the shop to a follow-up job (ADR 013). */
const DELIVERY_BATCHES_PER_JOB = 10;

/**
 * The `apply-deliveries` job: drains a shop's stored order and refund deliveries in batches (`applyOrderBatch`).
 * A batch that fails is applied again one delivery at a time (`processDelivery`, which records the failing one's
 * attempt and error on its row); a delivery that still fails is left for the relay (stale deliveries are queued again
 * after RETRY_FAILED_AFTER_MS) and the rest go on. After DELIVERY_BATCHES_PER_JOB batches the job yields: it queues its
 * follow-up and ends.
 */
export async function applyShopDeliveries(
  shopId: bigint,
): Promise<{ deliveries: number; failed: number; more: boolean }> {
  const shop = await findShopById(shopId);
  if (!shop) return { deliveries: 0, failed: 0, more: false };
  const failed = new Set<string>();
  let deliveries = 0;
  for (let batch = 0; batch < DELIVERY_BATCHES_PER_JOB; batch++) {
    const claimed: string[] = [];
    try {
      const r = await applyOrderBatch(shopId, shop.domain, { except: failed, claimed });
      if (r.ids.length === 0) return { deliveries, failed: failed.size, more: false };
      deliveries += r.ids.length;
    } catch (error) {
      log.warn("webhook batch failed; applying its deliveries one at a time", {
        shopId: shopId.toString(),
        deliveries: claimed.length,
        error: errorSummary(error),
      });
      for (const id of claimed) {
        try {
          await processDelivery(id, { alone: true });
          deliveries += 1;
        } catch {
          failed.add(id);
        }
      }
    }
  }
  // The deliveries left have gathered already: the follow-up starts at once, not after DELIVERY_BATCH_DELAY_MS.
  await tryEnqueue("apply-deliveries", { shopId: shopId.toString() }, 1000, { delay: 0 });
  return { deliveries, failed: failed.size, more: true };
}

/** Applies one delivery; returns why it was skipped, or null when it was applied. */
async function apply(p: ShopifyWebhookPayload, shopDomain: string): Promise<string | null> {
  switch (p.topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      // Accepted only for a known, installed shop (receive.server.ts); a shop erased since holds nothing to update.
      const shop = await findShopByDomain(shopDomain);
      if (!shop) return "unknown shop";
      await ingestOrders(shop.id, [p.order]);
      break;
    }
    case "refunds/create": {
      const shop = await findShopByDomain(shopDomain);
      if (!shop) return "unknown shop";
      await ingestRefund(shop.id, p.refund);
      break;
    }
    case "app/uninstalled":
      await markUninstalled(shopDomain);
      break;
    case "customers/redact": {
      // A shop the app does not know (or already deleted by shop/redact) holds nothing to erase.
      const shop = await findShopByDomain(shopDomain);
      if (!shop) break;
      const ref = customerRef(p.redact.customer);
      const erased = await redactCustomer(shop.id, ref, p.redact.ordersToRedact);
      await recordComplianceRequest(shop.id, p.topic, ref.id, { erased, orders_to_redact: p.redact.ordersToRedact });
      break;
    }
    case "customers/data_request": {
      const shop = await findShopByDomain(shopDomain);
      if (!shop) break;
      const ref = customerRef(p.request.customer);
      const holdings = await customerHoldings(shop.id, ref, p.request.ordersRequested);
      await recordComplianceRequest(shop.id, p.topic, ref.id, {
        data_request_id: p.request.dataRequestId,
        orders_requested: p.request.ordersRequested,
        holdings,
      });
      break;
    }
    case "shop/redact": {
      // Only a shop that uninstalled the app (and has not reinstalled it since: the install clears uninstalled_at)
      // is erased, so a replayed or misdirected redaction cannot wipe a shop that uses the app.
      const shop = await findShopByDomain(shopDomain);
      if (!shop) return null;
      if (!shop.uninstalledAt) return "shop/redact for an installed shop: nothing erased";
      const erased = await deleteShopData(shopDomain);
      log.info("shop data erased (shop/redact)", { rows: Object.values(erased).reduce((a, b) => a + b, 0) });
      break;
    }
    case "bulk_operations/finish":
      await onBulkOperationFinished(shopDomain, p.bulk.id);
      break;
  }
  return null;
}

function errorSummary(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown }).code;
  return `${e.name}${typeof code === "string" ? ` ${code}` : ""}: ${e.message}`.slice(0, 500);
}

function customerRef(c: { id: string | null; email: string | null; phone: string | null }) {
  return { id: normalizeCustomerId(c.id), emailKey: normalizeEmail(c.email), phoneKey: normalizePhone(c.phone) };
}

/** Whether a stored order delivery holds data of this customer (one of their keys, or an order named in the request). */
function concernsCustomer(
  row: { topic: string; payload: string },
  c: { id: string | null; emailKey: string | null; phoneKey: string | null },
  ordersToRedact: string[],
): boolean {
  const parsed = parseShopifyWebhook(row.topic, row.payload);
  if (!parsed.ok) return true; // cannot tell: an unreadable body is not kept
  const p = parsed.payload;
  if (p.topic === "refunds/create") return ordersToRedact.includes(p.refund.orderExternalId);
  if (p.topic !== "orders/create" && p.topic !== "orders/updated" && p.topic !== "orders/cancelled") return false;
  if (ordersToRedact.includes(p.order.externalId)) return true;
  const keys = orderKeys(p.order);
  return (
    (!!c.emailKey && keys.emails.includes(c.emailKey)) ||
    (!!c.phoneKey && keys.phones.includes(c.phoneKey)) ||
    (!!c.id && keys.customerIds.includes(c.id))
  );
}
