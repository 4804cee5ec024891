import { createHmac } from "node:crypto";
import { env } from "../env.server";
import { safeEqual } from "../ingest/crypto";

/**
 * The shop's pixel token: `<shop id>.<base64url HMAC-SHA256(SHOPIFY_API_SECRET, "click-pixel:v1:<shop id>")>`.
 * Derived, not stored: it can be recomputed for the pixel's settings at any time, it proves which shop it was made
 * for (nobody without the app secret can make one for another shop), and it is NOT the provider ingest token, which
 * must stay secret while pixel settings are readable by anyone who opens the storefront.
 * See docs/decisions/006-click-pixel.md.
 */
const LABEL = "click-pixel:v1:";

function mac(shopId: bigint | string, secret: string): string {
  return createHmac("sha256", secret).update(`${LABEL}${shopId}`).digest("base64url");
}

export function pixelToken(shopId: bigint | string, secret = env().SHOPIFY_API_SECRET): string {
  return `${shopId}.${mac(shopId, secret)}`;
}

/** The shop id a token was made for, or null when it is malformed or its MAC is wrong. */
export function verifyPixelToken(token: string, secret = env().SHOPIFY_API_SECRET): bigint | null {
  const m = /^(\d{1,19})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const id = m[1]!;
  if (!safeEqual(m[2]!, mac(id, secret))) return null;
  try {
    return BigInt(id);
  } catch {
    return null;
  }
}
