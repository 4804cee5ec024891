import { signSessionToken } from "../../scripts/demo/session-token";
import { BROWSER_UA, baseUrl, db, stackEnv } from "./api";

/** Stores the offline session Shopify's install would have stored, so admin requests for the shop authenticate. */
export async function storeOfflineSession(domain: string): Promise<void> {
  await db().query(
    `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'test', false, $3, 'x')
     ON CONFLICT (id) DO NOTHING`,
    [`offline_${domain}`, domain, stackEnv().SCOPES],
  );
}

/**
 * A request from the embedded admin, as App Bridge makes it: `Authorization: Bearer <session token>` signed with the
 * app secret, for staff user `userId` (the token's `sub`).
 */
export async function adminFetch(
  domain: string,
  path: string,
  init: { method?: string; body?: BodyInit; headers?: Record<string, string>; userId?: string } = {},
): Promise<Response> {
  const token = signSessionToken({
    shop: domain,
    apiKey: stackEnv().SHOPIFY_API_KEY,
    apiSecret: stackEnv().SHOPIFY_API_SECRET,
    userId: init.userId ?? "4242",
    ttlSeconds: 600,
  });
  return fetch(`${baseUrl()}${path}`, {
    method: init.method ?? "GET",
    body: init.body,
    headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${token}`, ...init.headers },
    redirect: "manual",
  });
}
