import { findKnownMessage } from "../data/pixel.server";
import { findShopById } from "../data/shops.server";
import { ApiError, invalid, unauthorized } from "../http/errors";
import { type IngestCounts, ingestEvents } from "../ingest/store.server";
import { parsePixelCheckout, pixelClickEvent } from "../ingest/pixel";
import { verifyPixelToken } from "./token.server";

/**
 * `POST /pixel/<token>`: the click pixel's checkout. Authenticates the token (401, nothing written), validates the
 * body (400 naming fields), checks that the body's shop is the token's shop (a token of shop A never writes shop B's
 * data: 401), then stores the landing as a `clicked` event of the message tied to the order (`order_key`) and owes
 * the shop an attribution pass, in one transaction (ingestEvents).
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
  const message = await findKnownMessage(shop.id, checkout.messageId);
  const event = pixelClickEvent(checkout, message, receivedAt);
  return ingestEvents(shop.id, [event], checkout.orderId);
}
