import { lockShopOrders } from "../data/orders.server";
import { addPendingAttribution } from "../data/pending.server";
import { addPixelLink } from "../data/pixel.server";
import { findShopById } from "../data/shops.server";
import { inTransaction } from "../data/tx.server";
import { env } from "../env.server";
import { ApiError, invalid, unauthorized } from "../http/errors";
import type { IngestCounts } from "../ingest/store.server";
import { parsePixelCheckout, pixelLink } from "../ingest/pixel";
import { tryEnqueue } from "../queue/producer.server";
import { verifyPixelLinks } from "./links.server";
import { verifyPixelToken } from "./token.server";

/**
 * `POST /pixel/<token>`: the click pixel's checkout. Authenticates the token (401, nothing written), validates the
 * body (400 naming fields), checks that the body's shop is the token's shop (a token of shop A never writes shop B's
 * data: 401), then stores the link, unverified. The token is public (pixel settings reach every storefront visitor),
 * so the link counts only once the order is stored with the same `checkout_token` (now, or when the order arrives:
 * app/pixel/links.server.ts); only then is it written as a `clicked` event of the message tied to the order, with
 * the shop's pending attribution, in the same transaction. At most PIXEL_LINKS_PER_ORDER links per order (400).
 */
export type PixelShop = NonNullable<Awaited<ReturnType<typeof findShopById>>>;

/** The shop a pixel token was made for; 401 when the token is malformed, forged, or its shop unknown/uninstalled. */
export async function authenticatePixel(token: string): Promise<PixelShop> {
  const shopId = verifyPixelToken(token);
  const shop = shopId === null ? null : await findShopById(shopId);
  if (!shop || shop.uninstalledAt) throw unauthorized("The pixel token is unknown or invalid.");
  return shop;
}

export async function receivePixelCheckout(
  shop: PixelShop,
  rawBody: string | Uint8Array,
  receivedAt = new Date(),
): Promise<IngestCounts> {
  const parsed = parsePixelCheckout(rawBody);
  if (!parsed.ok) {
    throw invalid(
      parsed.errors.map((e) => ({ path: e.path || "body", message: e.message })),
      parsed.errors.length === 1 && !parsed.errors[0]!.path
        ? `The body is invalid: ${parsed.errors[0]!.message}.`
        : "The request has invalid fields; nothing was stored.",
    );
  }
  const { checkout } = parsed;
  if (checkout.shop !== shop.domain.toLowerCase()) {
    throw new ApiError("unauthorized", "This pixel token does not belong to that shop.", [
      { path: "shop", message: "does not match the pixel token" },
    ]);
  }
  const link = pixelLink(checkout, receivedAt);
  const perOrder = env().PIXEL_LINKS_PER_ORDER;
  const { outcome, eventIds } = await inTransaction(async (client) => {
    // Exclusive against order writes (which take it shared): the order and its link, arriving together, meet here.
    await lockShopOrders(client, shop.id, "exclusive");
    const outcome = await addPixelLink(client, shop.id, link, perOrder);
    if (outcome !== "inserted") return { outcome, eventIds: [] as string[] };
    const eventIds = await verifyPixelLinks(client, shop.id, [link.orderId]);
    await addPendingAttribution(client, shop.id, { eventIds });
    return { outcome, eventIds };
  });
  if (outcome === "full") {
    throw invalid(
      [{ path: "order_id", message: `already has ${perOrder} pixel links, the most one order takes` }],
      "Too many pixel links for this order; nothing was stored.",
    );
  }
  if (eventIds.length) await tryEnqueue("attribute-shop", { shopId: shop.id.toString() });
  return outcome === "inserted" ? { accepted: 1, duplicates: 0 } : { accepted: 0, duplicates: 1 };
}
