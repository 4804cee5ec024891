/**
 * Postmark webhooks: one JSON event per request. Postmark does not sign payloads; the webhook is protected with
 * HTTP Basic auth (`HttpAuth` on the webhook, or `https://user:pass@host/...`), checked here in constant time.
 *
 * Mapping (`RecordType`): Delivery->delivered, Open->opened, Click->clicked, Bounce->bounced,
 * SpamComplaint->complained, SubscriptionChange->unsubscribed (`resubscribed` when `SuppressSending` is false: the
 * change re-enabled the address). Older payloads without `RecordType` are recognised by their time field
 * (`DeliveredAt`, `BouncedAt`, `ReceivedAt` + `OriginalLink`, `ReceivedAt`, `ChangedAt`); a legacy bounce whose `Type`
 * is `SpamComplaint` is a complaint.
 * Time: `DeliveredAt` / `BouncedAt` / `ReceivedAt` / `ChangedAt` (ISO 8601). Recipient: `Recipient`, or `Email` for
 * bounces and complaints. Message id: `MessageID`. Tags: `Tag`. Campaign: `Metadata.campaign_id/campaign_name/
 * message_id`, then the ingest URL's query parameters.
 * Dedup key: `postmark:<ID>` for bounces/complaints (Postmark's numeric bounce ID, prefixed because small integers
 * would collide with other sources' ids); otherwise `postmark:` + a SHA-256 over (MessageID, RecordType, timestamp,
 * link) — stable across retries of the same delivery.
 * Machine: never set. Postmark documents that Apple Mail Privacy Protection causes false opens but its payload
 * carries no proxy flag (`Platform`/`UserAgent` are descriptive only), so nothing is guessed.
 */
import type { MessageEventInput } from "../domain/types";
import {
  type ErrorDetail,
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
import { safeEqual, sha256Hex } from "./crypto";
import { type HeadersInput, type IngestRequest, header, queryOf } from "./request";
import { MAX_URL, parseIsoDate } from "./scalars";
import { type JsonObject, isJsonObject, parseJson } from "./json";

export interface BasicAuthCredentials {
  username: string;
  password: string;
}

/** Compares an `Authorization: Basic ...` header with the configured credentials in constant time. */
export function verifyPostmarkBasicAuth(
  authorization: string | null | undefined,
  expected: BasicAuthCredentials,
): boolean {
  if (!authorization || !expected.username) return false;
  const m = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i.exec(authorization);
  if (!m?.[1]) return false;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) return false;
  const userOk = safeEqual(decoded.slice(0, i), expected.username);
  const passOk = safeEqual(decoded.slice(i + 1), expected.password);
  return userOk && passOk;
}

export function verifyPostmarkRequest(headers: HeadersInput | undefined, expected: BasicAuthCredentials): boolean {
  return verifyPostmarkBasicAuth(header(headers, "authorization"), expected);
}

type Kind = "Delivery" | "Bounce" | "SpamComplaint" | "Open" | "Click" | "SubscriptionChange";

const TIME_FIELD: Record<Kind, string> = {
  Delivery: "DeliveredAt",
  Bounce: "BouncedAt",
  SpamComplaint: "BouncedAt",
  Open: "ReceivedAt",
  Click: "ReceivedAt",
  SubscriptionChange: "ChangedAt",
};

function kindOf(ev: JsonObject): string | null {
  const rt = scalarText(ev.RecordType, 64);
  if (rt !== null) return rt;
  if (ev.DeliveredAt !== undefined) return "Delivery";
  if (ev.BouncedAt !== undefined) return scalarText(ev.Type, 64) === "SpamComplaint" ? "SpamComplaint" : "Bounce";
  if (ev.ReceivedAt !== undefined) return ev.OriginalLink !== undefined ? "Click" : "Open";
  if (ev.ChangedAt !== undefined) return "SubscriptionChange";
  return null;
}

function typeOf(kind: string, ev: JsonObject): string {
  switch (kind) {
    case "Delivery":
      return "delivered";
    case "Open":
      return "opened";
    case "Click":
      return "clicked";
    case "Bounce":
      return scalarText(ev.Type, 64) === "SpamComplaint" ? "complained" : "bounced";
    case "SpamComplaint":
      return "complained";
    case "SubscriptionChange":
      return ev.SuppressSending === false ? "resubscribed" : "unsubscribed";
    default:
      return eventWord(kind);
  }
}

/** Parses one Postmark webhook body. */
export function parsePostmark(req: IngestRequest): Result<{ events: MessageEventInput[] }> {
  const p = parseJson(req.rawBody);
  if (!p.ok) return p;
  const ev = p.value;
  if (!isJsonObject(ev)) return { ok: false, errors: [{ path: "", message: "body must be a JSON object" }] };
  const errors: ErrorDetail[] = [];
  const kind = kindOf(ev);
  if (kind === null) return { ok: false, errors: [{ path: "RecordType", message: "is required" }] };
  const timeField =
    TIME_FIELD[kind as Kind] ??
    ["ReceivedAt", "DeliveredAt", "BouncedAt", "ChangedAt"].find((k) => ev[k] !== undefined) ??
    "ReceivedAt";
  const rawTime = ev[timeField];
  let occurredAt: Date | null = null;
  if (typeof rawTime === "string") {
    const d = parseIsoDate(rawTime);
    if (typeof d === "string") errors.push({ path: timeField, message: d });
    else occurredAt = d;
  } else
    errors.push({
      path: timeField,
      message: rawTime === undefined ? "is required" : "expected an ISO 8601 date-time string",
    });
  const recipientField = ev.Recipient !== undefined ? "Recipient" : "Email";
  const recipient = scalarText(ev[recipientField], 320);
  if (recipient === null) errors.push({ path: recipientField, message: "is required" });
  if (errors.length || occurredAt === null || recipient === null) return { ok: false, errors };

  const type = typeOf(kind, ev);
  const postmarkMessageId = scalarText(ev.MessageID);
  const link = typeof ev.OriginalLink === "string" && ev.OriginalLink.length <= MAX_URL ? ev.OriginalLink : null;
  const meta = objAt(ev.Metadata);
  const c = resolveCampaign({
    provider: "postmark",
    custom: {
      campaign_id: customField(meta, "campaign_id"),
      campaign_name: customField(meta, "campaign_name"),
      message_id: customField(meta, "message_id"),
      held_out: customField(meta, "held_out"),
    },
    query: queryOf(req),
    native: { messageId: postmarkMessageId },
  });
  const bounceId = scalarText(ev.ID);
  const externalId =
    (type === "bounced" || type === "complained") && bounceId !== null
      ? `postmark:${bounceId}`
      : `postmark:${sha256Hex(JSON.stringify([postmarkMessageId, kind, rawTime, link ?? ""])).slice(0, 40)}`;
  return {
    ok: true,
    events: [
      makeEvent({
        externalId,
        type: c.heldOut ? HELD_OUT : type,
        channel: "email",
        occurredAt,
        campaignId: c.campaignId,
        campaignName: c.campaignName,
        messageId: c.messageId,
        recipient: { email: recipient },
        tags: stringList(ev.Tag),
        url: link,
        machine: false,
        source: "postmark",
      }),
    ],
  };
}
