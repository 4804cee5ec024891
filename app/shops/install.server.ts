import { hasImport } from "../data/imports.server";
import { recordShopDetails } from "../data/shops.server";
import { startImport } from "../imports/start.server";
import { log } from "../logger.server";
import { activateClickPixel } from "../pixel/activate.server";

/** A GraphQL Admin API call: `admin.graphql` in a request, or a client built for a stored offline session. */
export type AdminGraphql = (query: string, variables?: Record<string, unknown>) => Promise<Response>;

export const SHOP_DETAILS_QUERY = `#graphql
  query ShopDetails {
    shop {
      name
      currencyCode
      ianaTimezone
    }
  }`;

interface ShopDetailsResponse {
  data?: { shop?: { name?: string; currencyCode?: string; ianaTimezone?: string } };
  errors?: unknown;
}

/** Reads the shop's name, currency and IANA time zone from the GraphQL Admin API. */
export async function fetchShopDetails(graphql: AdminGraphql) {
  const response = await graphql(SHOP_DETAILS_QUERY);
  const body = (await response.json()) as ShopDetailsResponse;
  const shop = body.data?.shop;
  if (!shop?.currencyCode || !shop.ianaTimezone) {
    throw new Error("Shopify's shop query returned no currencyCode/ianaTimezone");
  }
  return { name: shop.name ?? null, currency: shop.currencyCode, timezone: shop.ianaTimezone };
}

/**
 * The after-install step (every install and re-auth): record the shop with its currency and time zone, then
 * activate the click pixel (webPixelCreate/webPixelUpdate, docs/decisions/006-click-pixel.md). A pixel failure is
 * logged and does not fail the install: the next auth tries again, and the order's landing_site still links clicks.
 */
export async function onShopAuthenticated(domain: string, graphql: AdminGraphql) {
  const details = await fetchShopDetails(graphql);
  const shop = await recordShopDetails(domain, details);
  log.info("shop authenticated", { shopId: shop.id, currency: details.currency, timezone: details.timezone });
  try {
    await activateClickPixel(shop, graphql);
  } catch (error) {
    log.warn("click pixel activation failed", { shopId: shop.id, error });
  }
  // The first install imports the order history, as far back as the scopes allow (docs/decisions/009-...).
  try {
    if (!(await hasImport(shop.id, "history"))) await startImport(shop.id, { trigger: "install" });
  } catch (error) {
    log.warn("history import could not be queued after install", { shopId: shop.id, error });
  }
  return shop;
}
