import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { readBody } from "../http/body.server";
import { ApiError } from "../http/errors";
import { json, toErrorResponse } from "../http/api.server";
import { checkRateLimit } from "../http/rate-limit.server";
import { env } from "../env.server";
import { authenticatePixel, receivePixelCheckout } from "../pixel/receive.server";

/**
 * POST /pixel/<token>: completed checkouts from the click pixel (extensions/click-pixel), which runs in a sandboxed
 * worker on the storefront/checkout origin. CORS: any origin, no cookies (the token in the path is the only
 * credential); the pixel sends `text/plain` (a simple request, no preflight), but an OPTIONS preflight is answered
 * too. Bodies over 5 MB: 413. See docs/decisions/006-click-pixel.md.
 */
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
  "Access-Control-Expose-Headers": "Retry-After",
};

/** The pixel's per-shop limit, as a multiple of the per-key API limit (API_RATE_LIMIT_PER_MINUTE). */
const PIXEL_RATE_FACTOR = 10;

function withCors(response: Response): Response {
  for (const [k, v] of Object.entries(CORS)) response.headers.set(k, v);
  return response;
}

async function handle({ request, params, context }: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> {
  const method = request.method.toUpperCase();
  if (method === "OPTIONS") return withCors(new Response(null, { status: 204 }));
  try {
    if (method !== "POST") {
      throw new ApiError("method_not_allowed", `${request.method} is not allowed here.`, [], {
        Allow: "POST, OPTIONS",
      });
    }
    const shop = await authenticatePixel(params.token ?? "");
    // Per shop, in its own bucket: one checkout per order, so a generous multiple of the API limit.
    await checkRateLimit(`pixel:${shop.id}`, {
      limit: PIXEL_RATE_FACTOR * env().API_RATE_LIMIT_PER_MINUTE,
      what: "shop",
    });
    // Per client IP, across shops (server.mjs passes the IP; TRUST_PROXY_HOPS says which proxies to believe).
    const ip = typeof context.clientIp === "string" && context.clientIp ? context.clientIp : "unknown";
    await checkRateLimit(`pixel-ip:${ip}`, { limit: env().PIXEL_RATE_LIMIT_PER_IP_PER_MINUTE, what: "client IP" });
    const raw = await readBody(request, ["text/plain", "application/json"]);
    const counts = await receivePixelCheckout(shop, raw);
    return withCors(json(counts, 202));
  } catch (error) {
    return withCors(toErrorResponse(error));
  }
}

export const loader = handle;
export const action = handle;
