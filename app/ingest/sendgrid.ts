/**
 * SendGrid Event Webhook.
 *
 * Signature (Signed Event Webhook): ECDSA P-256 / SHA-256 over the UTF-8 bytes of `timestamp + rawBody` (exact raw
 * bytes, trailing CRLF included); headers `X-Twilio-Email-Event-Webhook-Signature` (base64 DER signature) and
 * `X-Twilio-Email-Event-Webhook-Timestamp`; key = base64 DER SubjectPublicKeyInfo. SendGrid documents no timestamp
 * tolerance, so none is applied unless `maxAgeSeconds` is given.
 *
 * Body: a JSON array of events (a single object is accepted too, as in the marketing-campaign sample).
 * - type: processed->sent, delivered, open->opened, click->clicked; every other event keeps its own lower-case name
 *   (bounce, dropped, deferred, spamreport, unsubscribe, group_unsubscribe, group_resubscribe, ...), except a `bounce`
 *   with `type: "blocked"`, stored as `blocked` (SendGrid reports blocks separately from bounces).
 * - time: `timestamp`, unix seconds (12+ digits read as milliseconds, as the Single Send example shows).
 * - message id: `sg_message_id` up to `.filter…` (the processed event carries the same prefix as its delivered/open/
 *   click events); without it (async bounces), the local part of `smtp-id` (`<LOCAL@host>`), which SendGrid sets to
 *   the same prefix.
 * - dedup key: `sg_event_id`. machine: `sg_machine_open` (SendGrid's own Apple-MPP flag on opens).
 * - campaign: custom/unique args `campaign_id`, `campaign_name`, `message_id` (flattened into the event), then the
 *   ingest URL's query parameters, then `marketing_campaign_id`/`_name`, `singlesend_id`/`_name`.
 */
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import type { MessageEventInput } from "../domain/types";
import {
  type ErrorDetail,
  type Result,
  customField,
  HELD_OUT,
  eventWord,
  makeEvent,
  resolveCampaign,
  scalarText,
  stringList,
} from "./common";
import { type IngestRequest, header, queryOf } from "./request";
import { MAX_URL, parseUnixTime } from "./scalars";
import { JsonNumber, type JsonObject, isJsonObject, parseJson } from "./json";

export const SENDGRID_SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const SENDGRID_TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

export interface SendgridVerifyOptions {
  /** Reject timestamps older (or further in the future) than this. Default: no check (none is documented). */
  maxAgeSeconds?: number;
  now?: Date;
}

/** Verifies a Signed Event Webhook delivery. Never throws (a malformed key or signature is `false`). */
export function verifySendgridSignature(
  publicKeyBase64: string,
  rawBody: string | Uint8Array,
  signatureBase64: string | null | undefined,
  timestamp: string | null | undefined,
  options: SendgridVerifyOptions = {},
): boolean {
  if (!publicKeyBase64 || !signatureBase64 || !timestamp) return false;
  if (options.maxAgeSeconds !== undefined) {
    if (!/^\d{1,12}$/.test(timestamp)) return false;
    const now = (options.now ?? new Date()).getTime() / 1000;
    if (Math.abs(now - Number(timestamp)) > options.maxAgeSeconds) return false;
  }
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyBase64, "base64"), format: "der", type: "spki" });
    const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
    const data = Buffer.concat([Buffer.from(timestamp, "utf8"), body]);
    return cryptoVerify("sha256", data, { key, dsaEncoding: "der" }, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

/** `verifySendgridSignature` with the signature and timestamp read from the request headers. */
export function verifySendgridRequest(
  req: IngestRequest,
  publicKeyBase64: string,
  options?: SendgridVerifyOptions,
): boolean {
  return verifySendgridSignature(
    publicKeyBase64,
    req.rawBody,
    header(req.headers, SENDGRID_SIGNATURE_HEADER),
    header(req.headers, SENDGRID_TIMESTAMP_HEADER),
    options,
  );
}

const TYPE_MAP: Record<string, string> = {
  processed: "sent",
  delivered: "delivered",
  open: "opened",
  click: "clicked",
};

/** `14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0` -> `14c5d75ce93.dfd.64b469`. */
export function sendgridMessageId(sgMessageId: string | null, smtpId: string | null): string | null {
  if (sgMessageId) {
    const i = sgMessageId.indexOf(".filter");
    const base = i > 0 ? sgMessageId.slice(0, i) : sgMessageId;
    if (base !== "") return base;
  }
  if (smtpId) {
    const m = /^<?([^@<>\s]+)@/.exec(smtpId);
    if (m?.[1]) return m[1];
  }
  return null;
}

function parseOne(ev: JsonObject, path: string, req: IngestRequest, errors: ErrorDetail[]): MessageEventInput | null {
  const before = errors.length;
  const eventName = scalarText(ev.event, 64);
  if (eventName === null) errors.push({ path: `${path}.event`, message: "is required" });
  const email = scalarText(ev.email, 320);
  if (email === null) errors.push({ path: `${path}.email`, message: "is required" });
  let occurredAt: Date | null = null;
  const ts = ev.timestamp;
  if (ts instanceof JsonNumber || typeof ts === "string") {
    const d = parseUnixTime(typeof ts === "string" ? ts : ts.source, true);
    if (typeof d === "string") errors.push({ path: `${path}.timestamp`, message: d });
    else occurredAt = d;
  } else
    errors.push({ path: `${path}.timestamp`, message: ts === undefined ? "is required" : "expected a unix timestamp" });
  if (errors.length > before || eventName === null || email === null || occurredAt === null) return null;

  const lower = eventName.toLowerCase();
  let type = TYPE_MAP[lower] ?? eventWord(lower);
  if (lower === "bounce" && scalarText(ev.type, 32)?.toLowerCase() === "blocked") type = "blocked";
  const url = typeof ev.url === "string" && ev.url.length <= MAX_URL ? ev.url : null;
  const native = {
    campaignId: scalarText(ev.marketing_campaign_id) ?? scalarText(ev.singlesend_id),
    campaignName: scalarText(ev.marketing_campaign_name) ?? scalarText(ev.singlesend_name),
    messageId: sendgridMessageId(scalarText(ev.sg_message_id), scalarText(ev["smtp-id"])),
  };
  const c = resolveCampaign({
    provider: "sendgrid",
    custom: {
      campaign_id: customField(ev, "campaign_id"),
      campaign_name: customField(ev, "campaign_name"),
      message_id: customField(ev, "message_id"),
      held_out: customField(ev, "held_out"),
    },
    query: queryOf(req),
    native,
  });
  return makeEvent({
    externalId: scalarText(ev.sg_event_id),
    type: c.heldOut ? HELD_OUT : type,
    channel: "email",
    occurredAt,
    campaignId: c.campaignId,
    campaignName: c.campaignName,
    messageId: c.messageId,
    recipient: { email },
    tags: stringList(ev.category),
    url,
    machine: ev.sg_machine_open === true,
    source: "sendgrid",
  });
}

/** Parses a SendGrid Event Webhook body into events (one per array item). Any bad item fails the delivery. */
export function parseSendgrid(req: IngestRequest): Result<{ events: MessageEventInput[] }> {
  const p = parseJson(req.rawBody);
  if (!p.ok) return p;
  const list = Array.isArray(p.value) ? p.value : isJsonObject(p.value) ? [p.value] : null;
  if (list === null) return { ok: false, errors: [{ path: "", message: "body must be a JSON array of events" }] };
  const errors: ErrorDetail[] = [];
  const events: MessageEventInput[] = [];
  list.forEach((item, i) => {
    const path = `[${i}]`;
    if (!isJsonObject(item)) {
      errors.push({ path, message: "expected an event object" });
      return;
    }
    const e = parseOne(item, path, req, errors);
    if (e) events.push(e);
  });
  return errors.length ? { ok: false, errors } : { ok: true, events };
}
