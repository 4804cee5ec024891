/**
 * Shopify Flow's trigger lifecycle callback (extensions/flow-lifecycle): Flow POSTs, signed like webhooks
 * (X-Shopify-Hmac-Sha256 over the raw body with the app secret), whether a shop has an enabled workflow using the
 * app's trigger. The app records it and calls flowTriggerReceive only for shops that do. A callback with an older
 * `timestamp` than the stored one is ignored, as Flow's documentation asks.
 */
import { z } from "zod";
import { recordFlowLifecycle } from "../data/flow.server";
import { findShopByDomain } from "../data/shops.server";
import { env } from "../env.server";
import { json, toErrorResponse } from "../http/api.server";
import { readBody } from "../http/body.server";
import { ApiError, invalid, unauthorized } from "../http/errors";
import { verifyShopifyHmac } from "../ingest/shopify";

const lifecycleSchema = z.object({
  flow_trigger_definition_id: z.string().min(1).max(255),
  has_enabled_flow: z.boolean(),
  shop_id: z.union([z.number().int(), z.string().regex(/^\d{1,20}$/)]).optional(),
  shopify_domain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i, "a <shop>.myshopify.com domain"),
  timestamp: z.iso.datetime({ offset: true }),
});

export async function receiveFlowLifecycle(request: Request): Promise<Response> {
  try {
    if (request.method !== "POST") throw new ApiError("method_not_allowed", "POST only.", [], { Allow: "POST" });
    const raw = await readBody(request, [], 64 * 1024);
    if (!verifyShopifyHmac(raw, request.headers.get("x-shopify-hmac-sha256"), env().SHOPIFY_API_SECRET)) {
      throw unauthorized("Missing or invalid X-Shopify-Hmac-Sha256.");
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
    } catch {
      throw invalid([{ path: "body", message: "not valid JSON" }]);
    }
    const parsed = lifecycleSchema.safeParse(body);
    if (!parsed.success) {
      throw invalid(parsed.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message })));
    }
    const p = parsed.data;
    const shop = await findShopByDomain(p.shopify_domain.toLowerCase());
    // A shop the app does not know (never installed, or redacted) gets nothing recorded; Flow still gets its 200.
    if (!shop) return json({ ok: true, recorded: false });
    const applied = await recordFlowLifecycle(
      shop.id,
      p.has_enabled_flow,
      p.flow_trigger_definition_id,
      new Date(p.timestamp),
    );
    return json({ ok: true, recorded: applied });
  } catch (error) {
    return toErrorResponse(error);
  }
}
