import { ensureShop, findShopByDomain } from "../data/shops.server";
import { authenticate } from "../shopify.server";

/**
 * Every admin page, fetcher and resource route under /app starts here: Shopify's session-token authentication
 * (the same for the embedded admin, the demo and the tests), then the shop row of the authenticated session.
 */
export async function authenticateShop(request: Request) {
  const { session } = await authenticate.admin(request);
  // The afterAuth hook records the shop on install; a shop that was never recorded still gets its defaults.
  const shop = (await findShopByDomain(session.shop)) ?? (await ensureShop(session.shop));
  return { session, shop };
}
