import { staffActor } from "../data/audit.server";
import { ensureShop, findShopByDomain } from "../data/shops.server";
import { authenticate } from "../shopify.server";

/**
 * Every admin page, fetcher and resource route under /app starts here: Shopify's session-token authentication
 * (the same for the embedded admin, the demo and the tests), then the shop row of the authenticated session.
 * `actor` names the staff user for the audit trail (the session token's `sub`).
 */
export async function authenticateShop(request: Request) {
  const { session, sessionToken } = await authenticate.admin(request);
  // The afterAuth hook records the shop on install; a shop that was never recorded still gets its defaults.
  const shop = (await findShopByDomain(session.shop)) ?? (await ensureShop(session.shop));
  return { session, shop, actor: staffActor((sessionToken as { sub?: string } | undefined)?.sub) };
}
