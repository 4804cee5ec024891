import { getSettings } from "../data/settings.server";
import { findShopByIngestToken } from "../data/shops.server";
import { env } from "../env.server";
import { ApiError, invalid, notFound, unauthorized } from "../http/errors";
import { readBody } from "../http/body.server";
import { checkRateLimit } from "../http/rate-limit.server";
import { fieldOf } from "./providers/provider";
import { providerNamed } from "./registry.server";
import type { IngestRequest } from "./request";
import { ingestEvents, type IngestCounts } from "./store.server";

/**
 * The URL the provider signed: the app's public URL (as configured at the provider) + this path + query, not the
 * URL this process saw (a proxy in front may change scheme, host or port).
 */
function publicUrl(request: Request, rawPath?: string): string {
  const seen = new URL(request.url);
  const pathAndQuery = rawPath?.startsWith("/") ? rawPath : `${seen.pathname}${seen.search}`;
  return `${env().SHOPIFY_APP_URL.replace(/\/+$/, "")}${pathAndQuery}`;
}

/**
 * POST /ingest/<provider>/<token>: the provider's own format, its own authentication where configured (SNS always),
 * stored through the shared write path; answered 2xx only once stored.
 */
export async function receiveProviderWebhook(
  request: Request,
  provider: string,
  token: string,
  /** The path and query exactly as received (server.mjs passes Express' originalUrl); signatures cover it byte for byte. */
  rawPath?: string,
): Promise<{ status: number; body: IngestCounts | { confirmed: true } }> {
  const source = providerNamed(provider);
  if (!source) throw notFound("This provider");
  const shop = await findShopByIngestToken(token);
  if (!shop) throw notFound("This ingest URL");
  // An uninstalled shop's URLs stop working until it is reinstalled (docs/security.md).
  if (shop.uninstalledAt) throw unauthorized("This shop has uninstalled the app.");
  if (request.method !== "POST")
    throw new ApiError("method_not_allowed", "Provider webhooks are POSTed.", [], { Allow: "POST" });
  // Per ingest URL (one shop), all providers together.
  await checkRateLimit(`ingest:${shop.id}`, { limit: env().INGEST_RATE_LIMIT_PER_MINUTE, what: "ingest URL" });
  const raw = await readBody(request, []);
  const req: IngestRequest = {
    rawBody: raw,
    headers: Object.fromEntries(request.headers),
    url: publicUrl(request, rawPath),
    receivedAt: new Date(),
  };
  const { settings } = await getSettings(shop.id);
  const receipt = await source.receive({ req, raw, shop, secrets: settings.providers });
  if ("confirmed" in receipt) return { status: 200, body: { confirmed: true } };
  const { parsed, claim } = receipt;
  try {
    if (!parsed.ok) {
      if ("tooLarge" in parsed && parsed.tooLarge)
        throw new ApiError("payload_too_large", "The body is larger than 5 MB.");
      throw invalid(parsed.errors.map(fieldOf));
    }
    const max = env().INGEST_MAX_EVENTS_PER_DELIVERY;
    if (parsed.events.length > max) {
      throw invalid(
        [{ path: "body", message: `holds ${parsed.events.length} events; at most ${max} per delivery` }],
        "Too many events in one delivery; nothing was stored.",
      );
    }
    const counts = await ingestEvents(shop.id, parsed.events);
    return { status: 200, body: counts };
  } catch (error) {
    // Not stored: give the replay token back so the provider's retry is not taken for a replay.
    await claim?.release();
    throw error;
  }
}
