import { ORDER_DELIVERY_TOPICS, insertDelivery, markUnqueued } from "../data/inbox.server";
import { env } from "../env.server";
import { readBody } from "../http/body.server";
import { ApiError, invalid, unauthorized } from "../http/errors";
import { toErrorResponse } from "../http/api.server";
import {
  parseShopifyWebhook,
  readShopifyHeaders,
  verifyShopifyHmac,
  type ShopifyTopic,
  type ShopifyWebhookPayload,
} from "../ingest/shopify";
import { tryEnqueue } from "../queue/producer.server";

/**
 * A Shopify webhook delivery: HMAC first (401, nothing written), then `X-Shopify-Topic` must be the route's topic
 * (401), the body is checked against that topic's schema (400, nothing written), order and refund topics need a shop
 * with the app installed (401),
 * stored in the inbox (unique on X-Shopify-Webhook-Id) and answered 200 at once. Applying it is the worker's job
 * (order and refund deliveries in batches per shop, `apply-deliveries`; others one by one, `process-delivery`);
 * when Redis is down the relay queues it later. The same delivery id again is answered 200 and not stored twice.
 */
export async function receiveShopifyWebhook(request: Request, topic: ShopifyTopic): Promise<Response> {
  try {
    if (request.method !== "POST")
      throw new ApiError("method_not_allowed", "Webhooks are POSTed.", [], { Allow: "POST" });
    const raw = await readBody(request, []);
    const meta = readShopifyHeaders(Object.fromEntries(request.headers));
    if (!verifyShopifyHmac(raw, meta.hmac, env().SHOPIFY_API_SECRET)) {
      throw unauthorized("Missing or invalid X-Shopify-Hmac-Sha256.");
    }
    // The topic header is not signed either, but a delivery meant for another route is never ours to apply.
    if (meta.topic?.trim().toLowerCase() !== topic) {
      throw new ApiError("unauthorized", "X-Shopify-Topic does not name this route's topic.", [
        { path: "headers.X-Shopify-Topic", message: meta.topic ? `must be ${topic}` : "is required" },
      ]);
    }
    if (!meta.webhookId) throw invalid([{ path: "headers.X-Shopify-Webhook-Id", message: "is required" }]);
    if (!meta.shopDomain) throw invalid([{ path: "headers.X-Shopify-Shop-Domain", message: "is required" }]);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      throw invalid([{ path: "body", message: "not valid UTF-8" }]);
    }
    const parsed = parseShopifyWebhook(topic, text);
    if (!parsed.ok) throw invalid(parsed.errors.map((e) => ({ path: e.path || "body", message: e.message })));
    // X-Shopify-Shop-Domain is not covered by the HMAC: where the signed body names its shop, they must agree, or a
    // captured body could be replayed against another shop (shop/redact would delete that shop's data).
    const signedDomain = signedShopDomain(parsed.payload);
    if (signedDomain !== null && signedDomain.toLowerCase() !== meta.shopDomain.toLowerCase()) {
      throw unauthorized("X-Shopify-Shop-Domain does not match the shop the signed body names.");
    }
    // Orders and refunds only for a shop that has the app installed (checked in the insert's own statement): never
    // create a shop from a webhook.
    const stored = await insertDelivery({
      source: "shopify",
      deliveryId: meta.webhookId,
      topic,
      shopDomain: meta.shopDomain.toLowerCase(),
      payload: text,
      requireInstalledShop: ORDER_TOPICS.has(topic),
    });
    if (ORDER_TOPICS.has(topic) && !stored.installedShopId)
      throw unauthorized("This shop does not have the app installed.");
    if (stored.id) {
      // Orders and refunds: one job per shop applies them in batches; other topics: one job per delivery.
      const queued =
        stored.installedShopId && ORDER_TOPICS.has(topic)
          ? await tryEnqueue("apply-deliveries", { shopId: stored.installedShopId }, 500)
          : await tryEnqueue("process-delivery", { deliveryId: stored.id }, 500);
      if (!queued) await markUnqueued(stored.id);
    }
    return new Response(null, { status: 200 });
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** Order and refund topics: the same list the worker applies in batches per shop. */
const ORDER_TOPICS = new Set<string>(ORDER_DELIVERY_TOPICS);

/** The shop domain inside a signed body (compliance topics and app/uninstalled); null where the body has none. */
function signedShopDomain(p: ShopifyWebhookPayload): string | null {
  switch (p.topic) {
    case "customers/redact":
    case "shop/redact":
      return p.redact.shopDomain;
    case "customers/data_request":
      return p.request.shopDomain;
    case "app/uninstalled":
      // `domain` (the fallback) may be a custom domain: only a myshopify domain is comparable with the header.
      return p.shop.shopDomain.toLowerCase().endsWith(".myshopify.com") ? p.shop.shopDomain : null;
    default:
      return null;
  }
}
