/**
 * Shared pieces of the ingest parsers: result shapes, reading loosely-typed provider payloads, campaign-field
 * resolution and the event builder. Pure: no I/O. Beside it: request.ts (body, headers, query), scalars.ts (strict
 * value parsers), schema.ts (zod helpers) and crypto.ts (constant-time comparison, hashing).
 */
import type { Channel, EventSource, MessageEventInput } from "../domain/types";
import type { ErrorDetail } from "../domain/validation";
import { JsonNumber, type JsonObject, type JsonValue, isJsonObject } from "./json";
import { queryGet, type QueryInput } from "./request";
import { MAX_ID, MAX_TAGS, MAX_TEXT } from "./scalars";

export type { ErrorDetail } from "../domain/validation";

/** `tooLarge`: the body exceeded the size limit (docs/openapi.json: answer 413 rather than 400). */
export type Failure = { ok: false; errors: ErrorDetail[]; tooLarge?: boolean };
export type Result<T extends object> = ({ ok: true } & T) | Failure;

export function fail(path: string, message: string): Failure {
  return { ok: false, errors: [{ path, message }] };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading loosely-typed provider payloads

/** A string, or a number's exact source text; anything else (objects, booleans) is null. */
export function scalarText(v: JsonValue | undefined, max = MAX_TEXT): string | null {
  if (typeof v === "string") {
    // PostgreSQL text cannot hold NUL: a provider's stray NUL is dropped rather than failing the whole delivery.
    const t = (v.includes("\u0000") ? v.replaceAll("\u0000", "") : v).trim();
    return t === "" || t.length > max ? null : t;
  }
  if (v instanceof JsonNumber) return v.source;
  return null;
}

export function objAt(v: JsonValue | undefined): JsonObject | null {
  return isJsonObject(v) ? v : null;
}

/** Strings of a string-or-array field (SendGrid `category`, Mailgun `tags`), trimmed, non-empty, bounded. */
export function stringList(v: JsonValue | undefined): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const item of list) {
    const s = scalarText(item, MAX_ID);
    if (s !== null && !out.includes(s)) out.push(s);
    if (out.length >= MAX_TAGS) break;
  }
  return out;
}

/** Lower-case word for a provider's event name: `Rendering Failure` -> `rendering_failure`. */
export function eventWord(raw: string): string {
  const w = raw
    .trim()
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 32);
  return w === "" ? "unknown" : w;
}

/**
 * The app's tracked-link parameter: links the app rewrites carry `cr_mid=<message id>` in their query string, so a
 * click (or a landing) can name its message even when the event itself carries no message id.
 */
import { TRACKED_LINK_PARAM } from "../domain/attribution";
export { TRACKED_LINK_PARAM };

export function messageIdFromTrackedUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const v = new URL(url, "http://localhost").searchParams.get(TRACKED_LINK_PARAM);
    if (v === null) return null;
    const t = v.trim();
    return t === "" || t.length > MAX_ID ? null : t;
  } catch {
    return null;
  }
}

export interface CampaignFields {
  campaignId: string;
  campaignName: string | null;
  messageId: string | null;
  /** The sender marked the recipient as held out of the campaign (its control group): the event is `held_out`. */
  heldOut: boolean;
}

/** The event type of a held-out recipient (ATTRIBUTION.md, "Holdouts"). */
export const HELD_OUT = "held_out";

/** A custom field's or query parameter's truth value: `true`, `1` or `yes` (any case). */
export function isTruthyFlag(v: string | null | undefined): boolean {
  return typeof v === "string" && /^(true|1|yes)$/i.test(v.trim());
}

/**
 * Campaign and message ids, in order of preference:
 * 1. the provider's custom fields named exactly `campaign_id`, `campaign_name`, `message_id`;
 * 2. query parameters of the same names on the ingest URL;
 * 3. the provider's native campaign fields / message id;
 * 4. campaign `<provider>:uncategorized`.
 * Applied field by field (a custom `campaign_id` with a native message id is fine). A custom field (else query
 * parameter) `held_out` set to true/1/yes marks the event as a held-out recipient's (docs/holdouts.md).
 */
export function resolveCampaign(args: {
  provider: EventSource;
  custom?: {
    campaign_id?: string | null;
    campaign_name?: string | null;
    message_id?: string | null;
    held_out?: string | null;
  };
  query?: QueryInput;
  native?: { campaignId?: string | null; campaignName?: string | null; messageId?: string | null };
}): CampaignFields {
  const { custom = {}, query, native = {} } = args;
  const pick = (...vals: (string | null | undefined)[]) => vals.find((v) => typeof v === "string" && v !== "") ?? null;
  const fromQuery = (name: string, max: number) => {
    const v = queryGet(query, name);
    return v !== null && v.length <= max ? v : null;
  };
  const ownId = pick(custom.campaign_id, fromQuery("campaign_id", MAX_ID));
  const ownName = pick(custom.campaign_name, fromQuery("campaign_name", MAX_TEXT));
  const nativeId = pick(native.campaignId);
  let campaignId: string;
  let campaignName: string | null;
  if (ownId !== null) {
    campaignId = ownId;
    // the native name describes the native id: use it only when both ids agree
    campaignName = ownName ?? (ownId === nativeId ? pick(native.campaignName) : null);
  } else if (nativeId !== null) {
    campaignId = nativeId;
    campaignName = ownName ?? pick(native.campaignName);
  } else {
    campaignId = `${args.provider}:uncategorized`;
    campaignName = ownName;
  }
  return {
    campaignId,
    campaignName,
    messageId: pick(custom.message_id, fromQuery("message_id", MAX_ID), native.messageId),
    heldOut: isTruthyFlag(custom.held_out) || (custom.held_out == null && isTruthyFlag(queryGet(query, "held_out"))),
  };
}

/** Custom-field value by exact name from a provider's metadata object (strings, or numbers as source text). */
export function customField(
  obj: JsonObject | null,
  name: "campaign_id" | "campaign_name" | "message_id" | "held_out",
): string | null {
  if (!obj) return null;
  return scalarText(obj[name], name === "campaign_name" ? MAX_TEXT : MAX_ID);
}

/**
 * The one event builder of every parser. A click on one of the app's tracked links names its message through the
 * link's `cr_mid` (docs/tracked-links.md) when the event names no message of its own.
 */
export function makeEvent(
  e: Omit<MessageEventInput, "tags" | "machine" | "url"> & Partial<MessageEventInput>,
): MessageEventInput {
  // Field by field: a spread over a literal with defaults (`{ tags: [], ...e }`) takes V8's slow object-clone path,
  // ~15 µs an event, a tenth of the web process's CPU under POST /api/v1/events (ADR 013, "Ingest throughput").
  const event: MessageEventInput = {
    externalId: e.externalId,
    type: e.type,
    channel: e.channel,
    occurredAt: e.occurredAt,
    campaignId: e.campaignId,
    campaignName: e.campaignName,
    messageId: e.messageId,
    recipient: e.recipient,
    tags: e.tags ?? [],
    url: e.url ?? null,
    machine: e.machine ?? false,
    source: e.source,
  };
  if (event.messageId === null && event.type === "clicked") event.messageId = messageIdFromTrackedUrl(event.url);
  return event;
}

export const EMAIL: Channel = "email";
