import { recordShopDetails } from "../data/shops.server";
import { log } from "../logger.server";

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

/** The after-install step: record the shop with its currency and time zone, then run the per-shop setup hooks. */
export async function onShopAuthenticated(domain: string, graphql: AdminGraphql) {
  const details = await fetchShopDetails(graphql);
  const shop = await recordShopDetails(domain, details);
  log.info("shop authenticated", { shopId: shop.id, currency: details.currency, timezone: details.timezone });
  for (const hook of afterInstallHooks) {
    try {
      await hook(shop.id, graphql);
    } catch (error) {
      log.warn("after-install hook failed", { shopId: shop.id, error });
    }
  }
  return shop;
}

/** Further per-shop setup (e.g. activating the web pixel) registers here. */
export const afterInstallHooks: Array<(shopId: bigint, graphql: AdminGraphql) => Promise<void>> = [];
