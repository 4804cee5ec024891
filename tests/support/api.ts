import { createHmac, randomBytes } from "node:crypto";
import { inject } from "vitest";
import pg from "pg";

/** Test client for the running stack (server + worker started by tests/support/global-setup.ts). */
export const baseUrl = () => inject("baseUrl");
export const stackEnv = () => inject("stackEnv");

export const BROWSER_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

let sharedPool: pg.Pool | undefined;
/** A pg pool on the run's database, for assertions on stored rows. */
export function db(): pg.Pool {
  sharedPool ??= new pg.Pool({ connectionString: stackEnv().DATABASE_URL, max: 3 });
  return sharedPool;
}

export function uniqueShopDomain(label = "shop"): string {
  return `${label}-${randomBytes(5).toString("hex")}.myshopify.com`;
}

export interface Call {
  status: number;
  headers: Headers;
  /**
   * The parsed JSON body, asserted on with `expect(...).toMatchObject` and read field by field in tests; typing each
   * response of the contract here would duplicate docs/api.md, so this one test-side field stays loose.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: untyped JSON of the API under test
  body: any;
  text: string;
}

export async function http(
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Call> {
  const headers: Record<string, string> = { "User-Agent": BROWSER_UA, ...opts.headers };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  let body: string | Uint8Array | undefined;
  if (opts.raw !== undefined) body = typeof opts.raw === "string" ? opts.raw : new Uint8Array(opts.raw);
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(`${baseUrl()}${path}`, {
    method,
    headers,
    body: body as BodyInit | undefined,
    redirect: "manual",
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Creates a shop and an API key through the real CLI entry point's code path (the data layer), returns the key. */
export async function createShopWithKey(
  domain = uniqueShopDomain(),
): Promise<{ domain: string; key: string; shopId: string }> {
  const { ensureShop } = await import("../../app/data/shops.server");
  const { createApiKey } = await import("../../app/data/api-keys.server");
  const shop = await ensureShop(domain);
  const { key } = await createApiKey(shop.id, "test");
  return { domain, key, shopId: shop.id.toString() };
}

/** Signs a body like Shopify does (base64 HMAC-SHA256 with the app secret). */
export function shopifyHmac(body: string | Buffer, secret = stackEnv().SHOPIFY_API_SECRET): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export async function postShopifyWebhook(
  topic: string,
  shopDomain: string,
  body: string,
  opts: { webhookId?: string; hmac?: string | null } = {},
): Promise<Call> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": shopDomain,
    "X-Shopify-Webhook-Id": opts.webhookId ?? randomBytes(8).toString("hex"),
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  if (opts.hmac !== null) headers["X-Shopify-Hmac-Sha256"] = opts.hmac ?? shopifyHmac(body);
  return http("POST", `/webhooks/${topic}`, { raw: body, headers });
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  label = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the worker owes the shop nothing (no pending attribution, no running re-attribution, inbox drained). */
export async function settled(shopId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => {
      const r = await db().query(
        `SELECT (SELECT count(*) FROM pending_attributions WHERE shop_id = $1) AS pending,
                (SELECT count(*) FROM settings WHERE shop_id = $1 AND attribution_state = 'running') AS running,
                (SELECT count(*) FROM webhook_deliveries w JOIN shops s ON s.domain = w.shop_domain
                  WHERE s.id = $1 AND w.processed_at IS NULL) AS inbox`,
        [shopId],
      );
      const row = r.rows[0];
      return Number(row.pending) === 0 && Number(row.running) === 0 && Number(row.inbox) === 0;
    },
    timeoutMs,
    `shop ${shopId} to settle`,
  );
}
