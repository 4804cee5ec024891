/**
 * Twilio SMS status callbacks (`application/x-www-form-urlencoded`).
 *
 * Signature (`X-Twilio-Signature`): `base64(HMAC-SHA1(auth token, URL + for each POST param sorted by name:
 * name + value))`, where duplicate names contribute their values sorted and de-duplicated (twilio-python's
 * `compute_signature`). The URL is the full URL Twilio was configured with, query string included; like the SDKs we
 * accept it as given, with the scheme's default port added, and with a default port removed. JSON bodies: the URL
 * carries `bodySHA256=<hex sha256(body)>`, the signature covers the URL only, and the body hash must match.
 *
 * Mapping: queued/sent->sent, delivered->delivered, read->opened, undelivered/failed (and any other status) keep their
 * lower-case name. Time: none in the callback: `RawDlrDoneDate` (carrier `YYMMDDhhmm`, read as UTC) when present and
 * valid, else the receipt time the caller passes (`receivedAt`). Recipient: `To` (phone); a `whatsapp:` address makes
 * the channel `whatsapp`, otherwise `sms`. Message id: `message_id` query parameter, else `MessageSid` (`SmsSid`).
 * Campaign: `campaign_id` / `campaign_name` query parameters of the status-callback URL, else `twilio:uncategorized`.
 * Dedup: `MessageSid:MessageStatus`.
 */
import { createHmac } from "node:crypto";
import type { Channel, MessageEventInput } from "../domain/types";
import { type ErrorDetail, type Result, eventWord, makeEvent, resolveCampaign, HELD_OUT } from "./common";
import { bodyToStringSafe, safeEqual, sha256Hex } from "./crypto";
import { type IngestRequest, header, queryOf } from "./request";
import { isJsonObject, parseJson } from "./json";

export type TwilioParams =
  URLSearchParams | Record<string, string | string[] | undefined> | ReadonlyArray<readonly [string, string]>;

export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

function pairs(params: TwilioParams | null | undefined): [string, string][] {
  if (!params) return [];
  if (params instanceof URLSearchParams) return [...params.entries()];
  if (Array.isArray(params)) return params.map(([k, v]) => [k, v]);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(params as Record<string, string | string[] | undefined>)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  }
  return out;
}

/** Code-point order (what Python's `sorted` does on str). */
function cmp(a: string, b: string): number {
  const aa = Array.from(a);
  const bb = Array.from(b);
  for (let i = 0; i < Math.min(aa.length, bb.length); i++) {
    const d = (aa[i]?.codePointAt(0) ?? 0) - (bb[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return aa.length - bb.length;
}

export function computeTwilioSignature(authToken: string, url: string, params?: TwilioParams | null): string {
  const byName = new Map<string, Set<string>>();
  for (const [k, v] of pairs(params)) {
    if (!byName.has(k)) byName.set(k, new Set());
    byName.get(k)?.add(v);
  }
  let s = url;
  for (const name of [...byName.keys()].sort(cmp)) {
    for (const value of [...(byName.get(name) ?? [])].sort(cmp)) s += name + value;
  }
  return createHmac("sha1", authToken).update(s, "utf8").digest("base64");
}

const URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#@]*@)?(\[[^\]]*\]|[^/?#:]*)(?::(\d*))?(.*)$/s;
const DEFAULT_PORT: Record<string, string> = { https: "443", http: "80" };

/** The URL as given, with its scheme's default port added, and with a default port removed (deduplicated). */
export function twilioUrlVariants(url: string): string[] {
  const m = URL_RE.exec(url);
  if (!m) return [url];
  const [, scheme = "", auth = "", host = "", port, rest = ""] = m;
  const def = DEFAULT_PORT[scheme.toLowerCase()];
  const out = [url];
  if (def) {
    if (port === undefined) out.push(`${scheme}://${auth}${host}:${def}${rest}`);
    else if (port === def) out.push(`${scheme}://${auth}${host}${rest}`);
  }
  return [...new Set(out)];
}

/**
 * Verifies a signature over a URL and form params (or, when the URL carries `bodySHA256`, over the URL alone plus the
 * raw JSON body's hash; pass the raw body as `rawBody`).
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams | null | undefined,
  signature: string | null | undefined,
  rawBody?: string | Uint8Array,
): boolean {
  if (!authToken || !signature || !url) return false;
  let bodyHash: string | null;
  try {
    bodyHash = new URL(url).searchParams.get("bodySHA256");
  } catch {
    return false;
  }
  let signedParams: TwilioParams | null | undefined = params;
  if (bodyHash !== null) {
    if (rawBody === undefined || !safeEqual(sha256Hex(rawBody), bodyHash.toLowerCase())) return false;
    signedParams = null;
  }
  let ok = false;
  for (const u of twilioUrlVariants(url)) {
    // evaluate every variant (no early exit)
    if (safeEqual(computeTwilioSignature(authToken, u, signedParams), signature)) ok = true;
  }
  return ok;
}

/** Verifies a request: `X-Twilio-Signature`, `req.url` as Twilio addressed it, form params from the raw body. */
export function verifyTwilioRequest(req: IngestRequest, authToken: string): boolean {
  if (!req.url) return false;
  const text = bodyToStringSafe(req.rawBody);
  if (text === null) return false;
  let hasBodyHash: boolean;
  try {
    hasBodyHash = new URL(req.url).searchParams.has("bodySHA256");
  } catch {
    return false;
  }
  const params = hasBodyHash ? null : new URLSearchParams(text);
  return verifyTwilioSignature(authToken, req.url, params, header(req.headers, TWILIO_SIGNATURE_HEADER), req.rawBody);
}

const TYPE_MAP: Record<string, string> = { queued: "sent", sent: "sent", delivered: "delivered", read: "opened" };

/** Carrier `RawDlrDoneDate` (`YYMMDDhhmm`, optionally `ss`), read as UTC; null when absent or impossible. */
export function parseRawDlrDoneDate(v: string | null): Date | null {
  if (!v) return null;
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = [2000 + Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const s = m[6] ? Number(m[6]) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return date;
}

function readParams(raw: string): Map<string, string> | null {
  const out = new Map<string, string>();
  const t = raw.trim();
  if (t.startsWith("{")) {
    const p = parseJson(t);
    if (!p.ok || !isJsonObject(p.value)) return null;
    for (const [k, v] of Object.entries(p.value)) if (typeof v === "string") out.set(k, v);
    return out;
  }
  for (const [k, v] of new URLSearchParams(raw)) if (!out.has(k)) out.set(k, v);
  return out;
}

/** Parses a status callback into one event. */
export function parseTwilio(req: IngestRequest): Result<{ events: MessageEventInput[] }> {
  const text = bodyToStringSafe(req.rawBody);
  if (text === null) return { ok: false, errors: [{ path: "", message: "body is not valid UTF-8" }] };
  if (text.length > 64 * 1024)
    return { ok: false, errors: [{ path: "", message: "body is too large for a status callback" }] };
  const params = readParams(text);
  if (params === null) return { ok: false, errors: [{ path: "", message: "body is not form-encoded parameters" }] };
  const get = (...names: string[]) => {
    for (const n of names) {
      const v = params.get(n)?.trim();
      if (v) return v;
    }
    return null;
  };
  const errors: ErrorDetail[] = [];
  const sid = get("MessageSid", "SmsSid");
  const status = get("MessageStatus", "SmsStatus");
  const to = get("To");
  if (sid === null) errors.push({ path: "MessageSid", message: "is required" });
  else if (sid.length > 64) errors.push({ path: "MessageSid", message: "is too long" });
  if (status === null) errors.push({ path: "MessageStatus", message: "is required" });
  else if (status.length > 32) errors.push({ path: "MessageStatus", message: "is too long" });
  if (to === null) errors.push({ path: "To", message: "is required" });
  else if (to.length > 128) errors.push({ path: "To", message: "is too long" });
  if (errors.length || sid === null || status === null || to === null) return { ok: false, errors };

  const lower = status.toLowerCase();
  const type = TYPE_MAP[lower] ?? eventWord(lower);
  let channel: Channel = "sms";
  let phone = to;
  if (/^whatsapp:/i.test(to)) {
    channel = "whatsapp";
    phone = to.slice("whatsapp:".length);
  }
  const occurredAt = parseRawDlrDoneDate(get("RawDlrDoneDate")) ?? req.receivedAt ?? new Date();
  const c = resolveCampaign({ provider: "twilio", query: queryOf(req), native: { messageId: sid } });
  return {
    ok: true,
    events: [
      makeEvent({
        externalId: `${sid}:${lower}`,
        type: c.heldOut ? HELD_OUT : type,
        channel,
        occurredAt,
        campaignId: c.campaignId,
        campaignName: c.campaignName,
        messageId: c.messageId,
        recipient: { phone },
        source: "twilio",
      }),
    ],
  };
}
