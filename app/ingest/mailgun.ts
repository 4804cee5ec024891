/**
 * Mailgun webhooks: `{"signature": {timestamp, token, signature}, "event-data": {...}}`, one event per request.
 *
 * Signature: `hex(HMAC-SHA256(webhook signing key, timestamp + token))` compared in constant time with
 * `signature.signature`. Timestamp tolerance is optional here (`toleranceSeconds`; Mailgun documents none and retries
 * for hours): the ingest route passes MAILGUN_TIMESTAMP_TOLERANCE_SECONDS and claims the token atomically itself
 * (app/ingest/providers.server.ts); the `seenToken` hook (return true when the token was seen before) is consulted
 * only for otherwise valid signatures.
 *
 * Mapping: accepted->sent, delivered, opened, clicked, failed->`bounced` when `severity: permanent` else `failed`,
 * complained, unsubscribed; others keep their lower-case name. Time: `timestamp` (float seconds, read from the
 * exact source text). Message id: `message.headers.message-id`. Dedup: `event-data.id`. Tags: `tags`. Campaign:
 * `user-variables.campaign_id/campaign_name/message_id`, then the ingest URL's query. Machine: `client-info.bot`
 * non-empty (Mailgun's bot detection: `apple` = Apple MPP, `gmail`, `generic` = scanners), documented by Mailgun.
 */
import { createHmac } from "node:crypto";
import type { MessageEventInput } from "../domain/types";
import {
  type Result,
  customField,
  HELD_OUT,
  eventWord,
  makeEvent,
  objAt,
  resolveCampaign,
  scalarText,
  stringList,
} from "./common";
import { safeEqual } from "./crypto";
import { type IngestRequest, queryOf } from "./request";
import { MAX_URL, parseUnixTime } from "./scalars";
import { JsonNumber, type JsonObject, type JsonValue, isJsonObject, parseJson } from "./json";

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

export interface MailgunVerifyOptions {
  /** Maximum |now - timestamp| in seconds (the Mailgun PHP sample uses 15). Default: not checked. */
  toleranceSeconds?: number;
  now?: Date;
  /** Replay protection: return true when this token was already used (the caller records it). */
  seenToken?: (token: string) => boolean | Promise<boolean>;
}

export type MailgunVerifyResult =
  { ok: true } | { ok: false; reason: "signature" | "timestamp" | "replay" | "malformed" };

export function computeMailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac("sha256", signingKey)
    .update(timestamp + token)
    .digest("hex");
}

/** Checks the HMAC, then the timestamp tolerance, then (only for a valid signature) the replay hook. */
export async function verifyMailgunSignature(
  sig: { timestamp: unknown; token: unknown; signature: unknown } | null | undefined,
  signingKey: string,
  options: MailgunVerifyOptions = {},
): Promise<MailgunVerifyResult> {
  const ts =
    sig?.timestamp instanceof JsonNumber
      ? sig.timestamp.source
      : typeof sig?.timestamp === "number"
        ? String(sig.timestamp)
        : sig?.timestamp;
  const token = sig?.token;
  const signature = sig?.signature;
  if (!signingKey || typeof ts !== "string" || typeof token !== "string" || typeof signature !== "string") {
    return { ok: false, reason: "malformed" };
  }
  if (!/^\d{1,12}$/.test(ts) || token.length === 0 || token.length > 512) return { ok: false, reason: "malformed" };
  const expected = computeMailgunSignature(signingKey, ts, token);
  if (!safeEqual(expected, signature.toLowerCase())) return { ok: false, reason: "signature" };
  if (options.toleranceSeconds !== undefined) {
    const now = (options.now ?? new Date()).getTime() / 1000;
    if (Math.abs(now - Number(ts)) > options.toleranceSeconds) return { ok: false, reason: "timestamp" };
  }
  if (options.seenToken && (await options.seenToken(token))) return { ok: false, reason: "replay" };
  return { ok: true };
}

/** Reads the `signature` object of a raw webhook body and verifies it. */
export async function verifyMailgunRequest(
  req: IngestRequest,
  signingKey: string,
  options?: MailgunVerifyOptions,
): Promise<MailgunVerifyResult> {
  const p = parseJson(req.rawBody);
  if (!p.ok || !isJsonObject(p.value) || !isJsonObject(p.value.signature)) return { ok: false, reason: "malformed" };
  const s = p.value.signature;
  return verifyMailgunSignature(
    { timestamp: s.timestamp, token: s.token, signature: s.signature },
    signingKey,
    options,
  );
}

function typeOf(event: string, severity: string | null): string {
  switch (event) {
    case "accepted":
      return "sent";
    case "failed":
      return severity === "permanent" ? "bounced" : "failed";
    case "delivered":
    case "opened":
    case "clicked":
    case "complained":
    case "unsubscribed":
      return event;
    default:
      return eventWord(event);
  }
}

/** Maps one `event-data` object; `prefix` names it in error paths. */
export function mailgunEventFromData(
  ev: JsonObject,
  req: IngestRequest,
  prefix = "event-data",
): Result<{ events: MessageEventInput[] }> {
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const errors = [];
  const event = scalarText(ev.event, 64);
  if (event === null) errors.push({ path: at("event"), message: "is required" });
  const recipient = scalarText(ev.recipient, 320);
  if (recipient === null) errors.push({ path: at("recipient"), message: "is required" });
  let occurredAt: Date | null = null;
  const ts: JsonValue | undefined = ev.timestamp;
  if (ts instanceof JsonNumber || typeof ts === "string") {
    const d = parseUnixTime(typeof ts === "string" ? ts : ts.source);
    if (typeof d === "string") errors.push({ path: at("timestamp"), message: d });
    else occurredAt = d;
  } else
    errors.push({ path: at("timestamp"), message: ts === undefined ? "is required" : "expected a unix timestamp" });
  if (errors.length || event === null || recipient === null || occurredAt === null) return { ok: false, errors };

  const type = typeOf(event.toLowerCase(), scalarText(ev.severity, 32)?.toLowerCase() ?? null);
  const vars = objAt(ev["user-variables"]);
  const headers = objAt(objAt(ev.message)?.headers);
  const url = typeof ev.url === "string" && ev.url.length <= MAX_URL ? ev.url : null;
  const c = resolveCampaign({
    provider: "mailgun",
    custom: {
      campaign_id: customField(vars, "campaign_id"),
      campaign_name: customField(vars, "campaign_name"),
      message_id: customField(vars, "message_id"),
      held_out: customField(vars, "held_out"),
    },
    query: queryOf(req),
    native: { messageId: scalarText(headers?.["message-id"]) },
  });
  const bot = scalarText(objAt(ev["client-info"])?.bot, 64);
  return {
    ok: true,
    events: [
      makeEvent({
        externalId: scalarText(ev.id),
        type: c.heldOut ? HELD_OUT : type,
        channel: "email",
        occurredAt,
        campaignId: c.campaignId,
        campaignName: c.campaignName,
        messageId: c.messageId,
        recipient: { email: recipient },
        tags: stringList(ev.tags),
        url,
        machine: (type === "opened" || type === "clicked") && bot !== null,
        source: "mailgun",
      }),
    ],
  };
}

/**
 * Parses a webhook body `{"signature", "event-data"}`. A bare event-data object (as the Events API returns it) is
 * accepted too; verifying the signature is the caller's job (`verifyMailgunRequest`).
 */
export function parseMailgun(req: IngestRequest): Result<{ events: MessageEventInput[] }> {
  const p = parseJson(req.rawBody);
  if (!p.ok) return p;
  if (!isJsonObject(p.value)) return { ok: false, errors: [{ path: "", message: "body must be a JSON object" }] };
  const data = p.value["event-data"];
  if (data !== undefined) {
    if (!isJsonObject(data)) return { ok: false, errors: [{ path: "event-data", message: "expected an object" }] };
    return mailgunEventFromData(data, req, "event-data");
  }
  if (p.value.event !== undefined) return mailgunEventFromData(p.value, req, "");
  return { ok: false, errors: [{ path: "event-data", message: "is required" }] };
}
