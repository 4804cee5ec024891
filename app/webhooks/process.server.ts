import { customerHoldings, deleteShopData, recordComplianceRequest, redactCustomer } from "../data/compliance.server";
import { loadDelivery, markProcessed } from "../data/inbox.server";
import { ensureShop, markUninstalled } from "../data/shops.server";
import { normalizeCustomerId, normalizeEmail, normalizePhone } from "../domain/identity";
import { parseShopifyWebhook } from "../ingest/shopify";
import { ingestOrders, ingestRefund } from "../ingest/store.server";
import { log } from "../logger.server";

/**
 * Applies one stored Shopify delivery (the `process-delivery` job). Idempotent: a processed delivery is skipped,
 * and every effect is itself idempotent (upserts keyed by ids), so a worker dying mid-job and re-running it is safe.
 */
export async function processDelivery(deliveryId: string): Promise<string> {
  const d = await loadDelivery(deliveryId);
  if (!d) return "missing";
  if (d.processed_at) return "already processed";
  const parsed = parseShopifyWebhook(d.topic, d.payload);
  if (!parsed.ok) {
    // Checked before it was stored, so this only happens for rows written by an older version: keep the error.
    await markProcessed(d.id, `unparseable: ${parsed.errors.map((e) => e.path).join(", ")}`);
    return "unparseable";
  }
  const p = parsed.payload;
  switch (p.topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const shop = await ensureShop(d.shop_domain);
      await ingestOrders(shop.id, [p.order]);
      break;
    }
    case "refunds/create": {
      const shop = await ensureShop(d.shop_domain);
      await ingestRefund(shop.id, p.refund);
      break;
    }
    case "app/uninstalled":
      await markUninstalled(d.shop_domain);
      break;
    case "customers/redact": {
      const shop = await ensureShop(d.shop_domain);
      const ref = customerRef(p.redact.customer);
      const erased = await redactCustomer(shop.id, ref, p.redact.ordersToRedact);
      await recordComplianceRequest(shop.id, p.topic, ref.id, { erased, orders_to_redact: p.redact.ordersToRedact });
      break;
    }
    case "customers/data_request": {
      const shop = await ensureShop(d.shop_domain);
      const ref = customerRef(p.request.customer);
      const holdings = await customerHoldings(shop.id, ref, p.request.ordersRequested);
      await recordComplianceRequest(shop.id, p.topic, ref.id, {
        data_request_id: p.request.dataRequestId,
        orders_requested: p.request.ordersRequested,
        holdings,
      });
      break;
    }
    case "shop/redact":
      await deleteShopData(d.shop_domain);
      break;
  }
  await markProcessed(d.id);
  log.info("webhook processed", { deliveryId: d.id, topic: d.topic });
  return "processed";
}

function customerRef(c: { id: string | null; email: string | null; phone: string | null }) {
  return { id: normalizeCustomerId(c.id), emailKey: normalizeEmail(c.email), phoneKey: normalizePhone(c.phone) };
}
