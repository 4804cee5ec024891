/**
 * Admin-side authentication for tests: an offline session stored like Shopify's token exchange stores it on
 * install, and session tokens (HS256 JWTs signed with the stack's API secret) like the ones Shopify admin adds to
 * the requests of the app's pages and extensions.
 */
import { signSessionToken } from "../../scripts/demo/session-token";
import { db, stackEnv } from "./api";

export async function storeOfflineSession(domain: string): Promise<void> {
  await db().query(
    `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'test', false, $3, 'test-offline-token')
     ON CONFLICT (id) DO NOTHING`,
    [`offline_${domain}`, domain, stackEnv().SCOPES],
  );
}

export function sessionToken(domain: string, opts: { secret?: string; ttlSeconds?: number; now?: Date } = {}) {
  return signSessionToken({
    shop: domain,
    apiKey: stackEnv().SHOPIFY_API_KEY,
    apiSecret: opts.secret ?? stackEnv().SHOPIFY_API_SECRET,
    ttlSeconds: opts.ttlSeconds ?? 60,
    now: opts.now,
  });
}
