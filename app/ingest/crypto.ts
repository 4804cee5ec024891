/** Crypto helpers of the signature checks: constant-time comparison, hashing, the body as text. */
import { createHash, timingSafeEqual } from "node:crypto";
import { bodyToString } from "./json";

/** Constant-time string equality (lengths may differ: both sides are hashed first, so no early exit leaks). */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  const ba = typeof a === "string" ? Buffer.from(a, "utf8") : Buffer.from(a);
  const bb = typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
  return timingSafeEqual(ha, hb) && ba.length === bb.length;
}

/** The body as text (invalid UTF-8: null). */
export function bodyToStringSafe(body: string | Uint8Array): string | null {
  const r = bodyToString(body);
  return r.ok ? r.text : null;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
