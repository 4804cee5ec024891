/**
 * Amazon SES event publishing through an SNS HTTPS subscription.
 *
 * SNS signature: the string to sign is `name\nvalue\n` for, in this order,
 *   Notification: Message, MessageId, Subject (if present), Timestamp, TopicArn, Type;
 *   SubscriptionConfirmation / UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 * `SignatureVersion` 1 = RSA PKCS#1 v1.5 with SHA-1, 2 = with SHA-256; `Signature` base64; the key is that of the X.509
 * certificate at `SigningCertURL`, which must be https on a host matching
 * `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$` (the aws-php validator's pattern) and end in `.pem`. The
 * certificate comes from the caller's async `fetchCert(url)` (so it can cache, and tests can inject a PEM); its
 * validity period is checked unless `skipCertExpiry`.
 *
 * `SubscriptionConfirmation`: no events; the result carries `subscribeUrl` (https, SNS host) for the caller to GET.
 *
 * SES record (the JSON string in `Message`): type from `eventType` (or `notificationType` for identity
 * notifications): Send->sent, Delivery->delivered, Open->opened, Click->clicked, Bounce->bounced,
 * Complaint->complained, others lower-cased with `_` (`Rendering Failure` -> `rendering_failure`,
 * `DeliveryDelay` -> `delivery_delay`). Time: the event object's `timestamp` (`delivery.timestamp`, ...), else
 * `mail.timestamp`. Recipients: `bounce.bouncedRecipients`, `complaint.complainedRecipients`, `delivery.recipients`,
 * `deliveryDelay.delayedRecipients`, else `mail.destination`; one event per recipient. Message id: `mail.messageId`.
 * Campaign: message tags `campaign_id`, `campaign_name`, `message_id` in `mail.tags` (first value), then the ingest
 * URL's query. Tags: values of the other `mail.tags` (not SES's automatic `ses:*` tags) and of `click.linkTags`.
 * Dedup: the SNS `MessageId` (`:<index>` appended when the event has several recipients). Machine: never set — the
 * open's `userAgent` is not a reliable proxy signal.
 */
import { X509Certificate, verify as cryptoVerify } from "node:crypto";
import type { MessageEventInput } from "../domain/types";
import {
  type ErrorDetail,
  type Result,
  eventWord,
  makeEvent,
  objAt,
  resolveCampaign,
  scalarText,
  HELD_OUT,
} from "./common";
import { type IngestRequest, queryOf } from "./request";
import { MAX_ID, MAX_URL, parseIsoDate } from "./scalars";
import { type JsonObject, type JsonValue, isJsonObject, parseJson } from "./json";

export const SNS_HOST_RE = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

const SNS_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] as const;

function snsUrl(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== "https:" || u.port !== "" || u.username || u.password) return null;
    return SNS_HOST_RE.test(u.hostname) ? u : null;
  } catch {
    return null;
  }
}

/** `SigningCertURL`: https, an SNS host, a `.pem` path. */
export function isValidSnsCertUrl(url: string | null | undefined): boolean {
  const u = snsUrl(url);
  return u !== null && u.pathname.endsWith(".pem");
}

/** `SubscribeURL`: https on an SNS host (`sns.<region>.amazonaws.com`). */
export function isValidSnsSubscribeUrl(url: string | null | undefined): boolean {
  return snsUrl(url) !== null;
}

/** Reads an SNS envelope: every known field must be a string. */
export function readSnsEnvelope(value: JsonValue): Result<{ envelope: SnsEnvelope }> {
  if (!isJsonObject(value)) return { ok: false, errors: [{ path: "", message: "body must be a JSON object" }] };
  const errors: ErrorDetail[] = [];
  const out: Record<string, string> = {};
  const required = [
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
  ];
  const optional = ["Subject", "SubscribeURL", "Token", "UnsubscribeURL"];
  for (const k of [...required, ...optional]) {
    const v = value[k];
    if (v === undefined || v === null) {
      if (required.includes(k)) errors.push({ path: k, message: "is required" });
    } else if (typeof v !== "string") errors.push({ path: k, message: "expected a string" });
    else out[k] = v;
  }
  if (out.Type !== undefined && !(SNS_TYPES as readonly string[]).includes(out.Type)) {
    errors.push({ path: "Type", message: `must be one of ${SNS_TYPES.join(", ")}` });
  }
  if (out.Type && out.Type !== "Notification") {
    for (const k of ["SubscribeURL", "Token"])
      if (out[k] === undefined) errors.push({ path: k, message: "is required" });
  }
  return errors.length ? { ok: false, errors } : { ok: true, envelope: out as unknown as SnsEnvelope };
}

/** The canonical string SNS signs, or null for an unknown `Type`. */
export function snsStringToSign(env: SnsEnvelope): string | null {
  let keys: (keyof SnsEnvelope)[];
  if (env.Type === "Notification") {
    keys = [
      "Message",
      "MessageId",
      ...(env.Subject !== undefined ? (["Subject"] as const) : []),
      "Timestamp",
      "TopicArn",
      "Type",
    ];
  } else if (env.Type === "SubscriptionConfirmation" || env.Type === "UnsubscribeConfirmation") {
    keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  } else return null;
  let s = "";
  for (const k of keys) {
    const v = env[k];
    if (v === undefined) return null;
    s += `${k}\n${v}\n`;
  }
  return s;
}

export interface SnsVerifyOptions {
  /** Returns the PEM at a (validated) SigningCertURL; cache it on your side. */
  fetchCert: (url: string) => Promise<string>;
  /** Do not check the certificate's validity period (for the expired fixture certificate). */
  skipCertExpiry?: boolean;
  now?: Date;
}

export type SnsVerifyResult =
  | { ok: true; envelope: SnsEnvelope }
  | {
      ok: false;
      reason:
        "malformed" | "cert_url" | "cert_fetch" | "cert_invalid" | "cert_expired" | "signature_version" | "signature";
    };

/** Verifies an SNS message (raw body, or an already-read envelope). Never throws. */
export async function verifySnsMessage(
  body: string | Uint8Array | SnsEnvelope,
  options: SnsVerifyOptions,
): Promise<SnsVerifyResult> {
  let env: SnsEnvelope;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const p = parseJson(body);
    if (!p.ok) return { ok: false, reason: "malformed" };
    const r = readSnsEnvelope(p.value);
    if (!r.ok) return { ok: false, reason: "malformed" };
    env = r.envelope;
  } else env = body;
  const algorithm = env.SignatureVersion === "1" ? "sha1" : env.SignatureVersion === "2" ? "sha256" : null;
  if (algorithm === null) return { ok: false, reason: "signature_version" };
  if (!isValidSnsCertUrl(env.SigningCertURL)) return { ok: false, reason: "cert_url" };
  const toSign = snsStringToSign(env);
  if (toSign === null) return { ok: false, reason: "malformed" };
  let pem: string;
  try {
    pem = await options.fetchCert(env.SigningCertURL);
  } catch {
    return { ok: false, reason: "cert_fetch" };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return { ok: false, reason: "cert_invalid" };
  }
  if (!options.skipCertExpiry) {
    const now = (options.now ?? new Date()).getTime();
    if (now < new Date(cert.validFrom).getTime() || now > new Date(cert.validTo).getTime()) {
      return { ok: false, reason: "cert_expired" };
    }
  }
  try {
    const ok = cryptoVerify(
      algorithm,
      Buffer.from(toSign, "utf8"),
      cert.publicKey,
      Buffer.from(env.Signature, "base64"),
    );
    return ok ? { ok: true, envelope: env } : { ok: false, reason: "signature" };
  } catch {
    return { ok: false, reason: "signature" };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SES records

const TYPE_MAP: Record<string, string> = {
  Send: "sent",
  Delivery: "delivered",
  Open: "opened",
  Click: "clicked",
  Bounce: "bounced",
  Complaint: "complained",
};

/** The per-event object's key: `Delivery` -> `delivery`, `Rendering Failure` -> `failure`, `DeliveryDelay` -> `deliveryDelay`. */
function detailKey(eventType: string): string {
  if (eventType === "Rendering Failure") return "failure";
  return eventType.charAt(0).toLowerCase() + eventType.slice(1);
}

/** `Name <a@b.c>` -> `a@b.c`. */
function address(v: JsonValue | undefined): string | null {
  const s = scalarText(v, 1000);
  if (s === null) return null;
  const m = /<([^<>]+)>\s*$/.exec(s);
  const a = (m?.[1] ?? s).trim();
  return a === "" || a.length > 320 ? null : a;
}

function addressList(v: JsonValue | undefined, field?: string): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) {
    const a = field ? address(objAt(item)?.[field]) : address(item);
    if (a !== null && !out.includes(a)) out.push(a);
  }
  return out;
}

/** The values of a `{name: [values]}` map (SES `mail.tags`, `click.linkTags`). */
function tagValues(map: JsonObject | null, skip: (name: string) => boolean): string[] {
  if (!map) return [];
  const out: string[] = [];
  for (const [name, values] of Object.entries(map)) {
    if (skip(name)) continue;
    for (const v of Array.isArray(values) ? values : [values]) {
      const s = scalarText(v, MAX_ID);
      if (s !== null && !out.includes(s)) out.push(s);
    }
  }
  return out;
}

function firstTag(tags: JsonObject | null, name: string): string | null {
  const v = tags?.[name];
  return scalarText(Array.isArray(v) ? v[0] : v, name === "campaign_name" ? 1000 : MAX_ID);
}

const OWN_TAGS = new Set(["campaign_id", "campaign_name", "message_id", "held_out"]);

/**
 * Maps one SES event record to events (one per recipient). `dedupBase`: the SNS MessageId; without one (raw message
 * delivery) the key is derived from the record.
 */
export function sesEventsFromRecord(
  record: JsonValue,
  req: Pick<IngestRequest, "query" | "url">,
  dedupBase: string | null,
  prefix = "Message",
): Result<{ events: MessageEventInput[] }> {
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (!isJsonObject(record))
    return { ok: false, errors: [{ path: prefix, message: "is not an SES event record (JSON object)" }] };
  const eventType = scalarText(record.eventType, 64) ?? scalarText(record.notificationType, 64);
  const mail = objAt(record.mail);
  const errors: ErrorDetail[] = [];
  if (eventType === null) errors.push({ path: at("eventType"), message: "is required" });
  if (mail === null) errors.push({ path: at("mail"), message: "is required" });
  if (errors.length || eventType === null || mail === null) return { ok: false, errors };

  const key = detailKey(eventType);
  const detail = objAt(record[key]);
  const tsField = detail && typeof detail.timestamp === "string" ? `${key}.timestamp` : "mail.timestamp";
  const rawTs = detail && typeof detail.timestamp === "string" ? detail.timestamp : mail.timestamp;
  let occurredAt: Date | null = null;
  if (typeof rawTs === "string") {
    const d = parseIsoDate(rawTs);
    if (typeof d === "string") errors.push({ path: at(tsField), message: d });
    else occurredAt = d;
  } else errors.push({ path: at("mail.timestamp"), message: "is required" });

  let recipients: string[] = [];
  if (detail) {
    if (eventType === "Bounce") recipients = addressList(detail.bouncedRecipients, "emailAddress");
    else if (eventType === "Complaint") recipients = addressList(detail.complainedRecipients, "emailAddress");
    else if (eventType === "Delivery") recipients = addressList(detail.recipients);
    else if (eventType === "DeliveryDelay") recipients = addressList(detail.delayedRecipients, "emailAddress");
  }
  if (recipients.length === 0) recipients = addressList(mail.destination);
  if (recipients.length === 0) errors.push({ path: at("mail.destination"), message: "names no recipient" });
  if (errors.length || occurredAt === null) return { ok: false, errors };

  const type = TYPE_MAP[eventType] ?? eventWord(eventType);
  const tags = objAt(mail.tags);
  const linkTags = eventType === "Click" ? objAt(detail?.linkTags) : null;
  const url =
    eventType === "Click" && typeof detail?.link === "string" && detail.link.length <= MAX_URL ? detail.link : null;
  const c = resolveCampaign({
    provider: "ses",
    custom: {
      campaign_id: firstTag(tags, "campaign_id") ?? firstTag(linkTags, "campaign_id"),
      campaign_name: firstTag(tags, "campaign_name") ?? firstTag(linkTags, "campaign_name"),
      message_id: firstTag(tags, "message_id") ?? firstTag(linkTags, "message_id"),
      held_out: firstTag(tags, "held_out") ?? firstTag(linkTags, "held_out"),
    },
    query: queryOf(req),
    native: { messageId: scalarText(mail.messageId) },
  });
  const skip = (name: string) => name.startsWith("ses:") || OWN_TAGS.has(name);
  const tagList = [...new Set([...tagValues(tags, skip), ...tagValues(linkTags, skip)])];
  const events = recipients.map((email, i) =>
    makeEvent({
      externalId:
        dedupBase !== null
          ? recipients.length > 1
            ? `${dedupBase}:${i}`
            : dedupBase
          : `ses:${scalarText(mail.messageId) ?? ""}:${eventType}:${email}:${rawTs}`,
      type: c.heldOut ? HELD_OUT : type,
      channel: "email",
      occurredAt: occurredAt as Date,
      campaignId: c.campaignId,
      campaignName: c.campaignName,
      messageId: c.messageId,
      recipient: { email },
      tags: tagList,
      url,
      machine: false,
      source: "ses",
    }),
  );
  return { ok: true, events };
}

export interface SesParsed {
  /** The SNS `Type` (`Notification`, `SubscriptionConfirmation`, `UnsubscribeConfirmation`), or `Raw` for a bare record. */
  snsType: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation" | "Raw";
  events: MessageEventInput[];
  /** For a SubscriptionConfirmation: the validated URL the caller GETs to confirm. */
  subscribeUrl: string | null;
  topicArn: string | null;
}

/**
 * Parses an SNS delivery (verify it first with `verifySnsMessage`). A bare SES record (SNS "raw message delivery",
 * which SNS cannot sign) is accepted too and reported as `snsType: "Raw"`.
 */
export function parseSes(req: IngestRequest): Result<SesParsed> {
  const p = parseJson(req.rawBody);
  if (!p.ok) return p;
  const v = p.value;
  if (isJsonObject(v) && v.Type === undefined && (v.eventType !== undefined || v.notificationType !== undefined)) {
    const r = sesEventsFromRecord(v, req, null, "");
    return r.ok ? { ok: true, snsType: "Raw", events: r.events, subscribeUrl: null, topicArn: null } : r;
  }
  const e = readSnsEnvelope(v);
  if (!e.ok) return e;
  const env = e.envelope;
  if (env.Type === "SubscriptionConfirmation") {
    if (!isValidSnsSubscribeUrl(env.SubscribeURL)) {
      return {
        ok: false,
        errors: [{ path: "SubscribeURL", message: "must be an https URL on an sns.<region>.amazonaws.com host" }],
      };
    }
    return {
      ok: true,
      snsType: "SubscriptionConfirmation",
      events: [],
      subscribeUrl: env.SubscribeURL ?? null,
      topicArn: env.TopicArn,
    };
  }
  if (env.Type === "UnsubscribeConfirmation") {
    return { ok: true, snsType: "UnsubscribeConfirmation", events: [], subscribeUrl: null, topicArn: env.TopicArn };
  }
  const inner = parseJson(env.Message);
  if (!inner.ok) {
    return {
      ok: false,
      errors: [
        { path: "Message", message: `is not an SES event record (${inner.errors[0]?.message ?? "invalid JSON"})` },
      ],
    };
  }
  const r = sesEventsFromRecord(inner.value, req, env.MessageId, "Message");
  return r.ok ? { ok: true, snsType: "Notification", events: r.events, subscribeUrl: null, topicArn: env.TopicArn } : r;
}
