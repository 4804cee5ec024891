/**
 * Session tokens shaped like the ones Shopify's App Bridge issues (HS256 JWTs signed with the app's API secret,
 * claims iss/dest/aud/sub/exp/nbf/iat/jti/sid). Used by `npm run demo` with the demo's own secret and by the browser
 * tests with the test stack's secret. The app validates them with @shopify/shopify-app-remix, unchanged.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface SessionTokenOptions {
  /** Shop domain, e.g. campaign-revenue-demo.myshopify.com. */
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** Staff user id (`sub`). */
  userId?: string;
  /** Lifetime in seconds (Shopify's own tokens live 60 s). */
  ttlSeconds?: number;
  now?: Date;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function signSessionToken(o: SessionTokenOptions): string {
  const iat = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const payload = {
    iss: `https://${o.shop}/admin`,
    dest: `https://${o.shop}`,
    aud: o.apiKey,
    sub: o.userId ?? "1",
    exp: iat + (o.ttlSeconds ?? 60),
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac("sha256", o.apiSecret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

/** The `host` parameter Shopify admin adds: base64 of admin.shopify.com/store/<store>. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`)
    .toString("base64")
    .replace(/=+$/, "");
}

/** `/app...?embedded=1&shop&host&id_token`: how Shopify admin opens an embedded app page. */
export function embeddedUrl(
  baseUrl: string,
  path: string,
  token: string,
  shop: string,
  extra: Record<string, string> = {},
): string {
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", adminHost(shop));
  url.searchParams.set("id_token", token);
  return url.toString();
}
