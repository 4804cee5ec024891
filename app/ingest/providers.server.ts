import { getSettings } from "../data/settings.server";
import { findShopByIngestToken } from "../data/shops.server";
import { env } from "../env.server";
import { ApiError, invalid, notFound, unauthorized, type ErrorDetail } from "../http/errors";
import { readBody } from "../http/body.server";
import { log } from "../logger.server";
import { sesTopicDecision } from "../domain/ses-topics";
import { pinSesTopicIfNone } from "../data/shops.server";
import { checkRateLimit } from "../http/rate-limit.server";
import { type Claim, claimOnce } from "./replay.server";
import type { Result } from "./common";
import type { IngestRequest } from "./request";
import type { MessageEventInput } from "../domain/types";
import { parseMailgun, verifyMailgunRequest } from "./mailgun";
import { parsePostmark, verifyPostmarkRequest } from "./postmark";
import { parseSendgrid, verifySendgridRequest } from "./sendgrid";
import { parseSes, verifySnsMessage } from "./ses";
import { confirmSnsSubscription, fetchSnsCert } from "./sns-certs.server";
import { ingestEvents, type IngestCounts } from "./store.server";
import { parseTwilio, verifyTwilioRequest } from "./twilio";

export const PROVIDERS = ["sendgrid", "mailgun", "postmark", "ses", "twilio"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

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
  if (!(PROVIDERS as readonly string[]).includes(provider)) throw notFound("This provider");
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
  const secrets = settings.providers;
  const name = provider as ProviderName;

  let parsed: Result<{ events: MessageEventInput[] }>;
  let claim: Claim | null = null;
  switch (name) {
    case "sendgrid":
      if (secrets.sendgrid && !verifySendgridRequest(req, secrets.sendgrid.public_key)) {
        throw unauthorized("Invalid or missing SendGrid Event Webhook signature.");
      }
      parsed = parseSendgrid(req);
      break;
    case "mailgun":
      if (secrets.mailgun) {
        const tolerance = env().MAILGUN_TIMESTAMP_TOLERANCE_SECONDS;
        const v = await verifyMailgunRequest(req, secrets.mailgun.signing_key, { toleranceSeconds: tolerance });
        if (!v.ok) throw unauthorized(`Mailgun signature refused (${v.reason}).`);
        // Replay: the signature's token is claimed before anything is stored (SET NX), kept past the tolerance on
        // both sides of the timestamp; Redis down -> 503 so that Mailgun retries.
        const token = mailgunTokenOf(raw);
        if (token) {
          const c = await claimOnce("mailgun-token", token, 2 * tolerance + 3600);
          if (c === "replay") throw unauthorized("Mailgun signature refused (replay).");
          claim = c;
        }
      }
      parsed = parseMailgun(req);
      break;
    case "postmark":
      if (secrets.postmark && !verifyPostmarkRequest(req.headers, secrets.postmark)) {
        throw unauthorized("Invalid or missing basic auth for Postmark.");
      }
      parsed = parsePostmark(req);
      break;
    case "twilio":
      if (secrets.twilio && !verifyTwilioRequest(req, secrets.twilio.auth_token)) {
        throw unauthorized("Invalid or missing X-Twilio-Signature.");
      }
      parsed = parseTwilio(req);
      break;
    case "ses": {
      // SNS signs every HTTP delivery: verify always (raw message delivery, which SNS cannot sign, is refused).
      const verified = await verifySnsMessage(raw, { fetchCert: fetchSnsCert });
      if (!verified.ok) {
        if (verified.reason === "malformed") {
          const p = parseSes(req);
          throw invalid(p.ok ? [{ path: "body", message: "not an SNS message" }] : p.errors.map(fieldOf));
        }
        throw unauthorized(`SNS message signature refused (${verified.reason}).`);
      }
      const p = parseSes(req);
      if (p.ok && (p.snsType === "SubscriptionConfirmation" || p.snsType === "Notification")) {
        // Only the shop's pinned topics (the first confirmed subscription, or first signed message, pins its
        // topic; the settings page changes them): a signed message of someone else's topic is refused and a
        // subscription to it is not confirmed.
        const decision = sesTopicDecision(shop.sesTopicArns, p.topicArn);
        if (
          decision === "refuse" ||
          (decision === "pin" && !(await pinSesTopicIfNone(shop.id, p.topicArn!)).includes(p.topicArn!))
        ) {
          throw new ApiError("unauthorized", "This SNS topic is not one this shop accepts.", [
            { path: "TopicArn", message: "is not a pinned topic (settings page, Event sources, Amazon SES)" },
          ]);
        }
      }
      if (p.ok && p.snsType === "SubscriptionConfirmation" && p.subscribeUrl) {
        await confirmSnsSubscription(p.subscribeUrl);
        log.info("SNS subscription confirmed", { shopId: shop.id, topicArn: p.topicArn });
        return { status: 200, body: { confirmed: true } };
      }
      parsed = p;
      break;
    }
  }
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

function mailgunTokenOf(raw: Buffer): string | null {
  try {
    const token = (JSON.parse(raw.toString("utf8")) as { signature?: { token?: unknown } }).signature?.token;
    return typeof token === "string" ? token : null;
  } catch {
    return null;
  }
}

function fieldOf(e: ErrorDetail): ErrorDetail {
  return { path: e.path || "body", message: e.message };
}
