import { customerHoldings, deleteShopData, recordComplianceRequest, redactCustomer } from "../data/compliance.server";
import { loadDelivery, markProcessed, recordAttempt, unprocessedOrderDeliveriesBefore } from "../data/inbox.server";
import { ensureShop, findShopByDomain, markUninstalled } from "../data/shops.server";
import { normalizeCustomerId, normalizeEmail, normalizePhone } from "../domain/identity";
import { parseShopifyWebhook, type ShopifyWebhookPayload } from "../ingest/shopify";
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
  try {
    if (parsed.payload.topic === "customers/redact") {
      // Orders received before the redaction request but not applied yet would write the customer's data back
      // afterwards: apply them first (idempotent), then erase.
      for (const earlier of await unprocessedOrderDeliveriesBefore(d.shop_domain, d.id)) await processDelivery(earlier);
    }
    await apply(parsed.payload, d.shop_domain);
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
  await markProcessed(d.id);
  log.info("webhook processed", { deliveryId: d.id, topic: d.topic });
  return "processed";
}

async function apply(p: ShopifyWebhookPayload, shopDomain: string): Promise<void> {
  switch (p.topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const shop = await ensureShop(shopDomain);
      await ingestOrders(shop.id, [p.order]);
      break;
    }
    case "refunds/create": {
      const shop = await ensureShop(shopDomain);
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
    case "shop/redact":
      await deleteShopData(shopDomain);
      break;
  }
}

function errorSummary(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown }).code;
  return `${e.name}${typeof code === "string" ? ` ${code}` : ""}: ${e.message}`.slice(0, 500);
}

function customerRef(c: { id: string | null; email: string | null; phone: string | null }) {
  return { id: normalizeCustomerId(c.id), emailKey: normalizeEmail(c.email), phoneKey: normalizePhone(c.phone) };
}
