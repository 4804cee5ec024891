/**
 * Messages and events (docs/attribution.md, "Messages and events"): which message an event belongs to, when two
 * deliveries are the same event, the tracked-link parameter, and a message's derived facts (sent time, tags, keys).
 * The ingest write path stores `messageKeyOf` and `eventDedupKey` (app/data/events.server.ts calls them), so the
 * engine's rows and the test oracle (tests/support/model.ts) use the same keys.
 */
import { createHash } from "node:crypto";
import { mergeKeys, recipientKeyFor, recipientKeys, type KeySet } from "./identity";
import { stageOf, type Stage } from "./stages";
import type { Channel, EventSource, MessageEventInput, OrderInput, RecipientKeys } from "./types";

/** An event; `orderExternalId` optionally names the order a tracked-link click (pixel checkout) led to. */
export type AttributionEventInput = MessageEventInput & {
  orderExternalId?: string | null;
};
/** An order; `trackedMessageIds` optionally lists message ids it carries besides those in `landingSite`. */
export type AttributionOrderInput = OrderInput & {
  trackedMessageIds?: readonly string[] | null;
};

/**
 * The tracked-link query parameter that carries a message id (`?cr_mid=<message id>`): links the app rewrites carry
 * it, and an order's landing site with it names the message. The one definition; the ingest parsers re-export it.
 */
export const TRACKED_LINK_PARAM = "cr_mid";

/** Compares strings by Unicode code point (UTF-8 byte order, PostgreSQL `COLLATE "C"`). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * The message an event belongs to: its `messageId`, or (none, or the empty string) `campaign_id:channel:recipient
 * key`. Stored as `message_events.message_key`.
 */
export function messageKeyOf(e: Pick<MessageEventInput, "messageId" | "campaignId" | "channel" | "recipient">): string {
  if (e.messageId !== null && e.messageId !== undefined && e.messageId !== "") return e.messageId;
  return `${e.campaignId}:${e.channel}:${recipientKeyFor(e.channel, recipientKeys(e.recipient))}`;
}

/** The former name of `messageKeyOf`. */
export const resolveMessageId = messageKeyOf;

/**
 * The deduplication key of an event within its shop (stored as `message_events.dedup_key`, unique per shop):
 * - with a source event id: the id itself for the public API, `<source>:<id>` for every other source (ids of two
 *   providers never collide);
 * - without one: `h:` + a hash of everything that can change attribution or statistics, so that two different
 *   id-less events at the same instant (a machine open and a human one, a tagged and an untagged send) do not
 *   collapse into one, and the same event delivered twice does.
 * `orderKey`: the order a tracked-link (pixel) event names.
 */
export function eventDedupKey(
  e: Omit<MessageEventInput, "campaignName"> & { campaignName?: string | null },
  orderKey: string | null = null,
): string {
  if (e.externalId !== null && e.externalId !== undefined && e.externalId !== "") {
    return e.source === "api" ? e.externalId : `${e.source}:${e.externalId}`;
  }
  const keys = recipientKeys(e.recipient);
  return `h:${createHash("sha256")
    .update(
      JSON.stringify([
        e.source,
        e.type,
        e.channel,
        e.occurredAt.toISOString(),
        e.campaignId,
        e.campaignName ?? null,
        messageKeyOf(e),
        keys.email,
        keys.phone,
        keys.customerId,
        [...e.tags].sort(),
        e.machine,
        e.url,
        orderKey,
      ]),
    )
    .digest("base64url")}`;
}

/** Message ids the order carries from tracked links: `landingSite`'s `cr_mid` parameters and `trackedMessageIds`. */
export function trackedMessageIds(order: Pick<AttributionOrderInput, "landingSite" | "trackedMessageIds">): string[] {
  const ids = new Set<string>();
  for (const id of order.trackedMessageIds ?? []) if (id) ids.add(id);
  if (order.landingSite) {
    try {
      const url = new URL(order.landingSite, "https://landing.invalid/");
      for (const id of url.searchParams.getAll(TRACKED_LINK_PARAM)) if (id.trim()) ids.add(id.trim());
    } catch {
      // not a URL: no tracked ids
    }
  }
  return [...ids].sort(compareCodePoints);
}

export interface NormalizedEvent {
  /** Deduplication key (`eventDedupKey`). */
  key: string;
  type: string;
  stage: Stage;
  channel: Channel;
  /** Epoch milliseconds. */
  occurredAt: number;
  campaignId: string;
  campaignName: string | null;
  /** `messageKeyOf`. */
  messageId: string;
  keys: RecipientKeys;
  /** Trimmed, as given (case kept). */
  tags: string[];
  machine: boolean;
  source: EventSource;
  orderExternalId: string | null;
}

export function normalizeEvent(e: AttributionEventInput): NormalizedEvent {
  return {
    key: eventDedupKey(e, e.orderExternalId ?? null),
    type: e.type,
    stage: stageOf(e.type),
    channel: e.channel,
    occurredAt: e.occurredAt.getTime(),
    campaignId: e.campaignId,
    campaignName: e.campaignName ?? null,
    messageId: messageKeyOf(e),
    keys: recipientKeys(e.recipient),
    tags: e.tags.map((t) => t.trim()).filter((t) => t !== ""),
    machine: e.machine,
    source: e.source,
    orderExternalId: e.orderExternalId ?? null,
  };
}

/** Events by time, then dedup key (code points): the order in which "first event" and "earliest" are read. */
export function compareEvents(a: NormalizedEvent, b: NormalizedEvent): number {
  return a.occurredAt - b.occurredAt || compareCodePoints(a.key, b.key);
}

export interface Message {
  messageId: string;
  campaignId: string;
  campaignName: string | null;
  channel: Channel;
  /** Union of the recipient keys of all its events. */
  keys: KeySet;
  /** Epoch ms: the earliest `sent`; else the earliest stage event; else the earliest event of any type. */
  sentAt: number;
  /** Union of its events' tags, trimmed and lower-cased, sorted. */
  tags: string[];
  /** Its events, deduplicated, by time then key. */
  events: NormalizedEvent[];
  /** Orders named by its tracked-link events (`orderExternalId`). */
  trackedOrderIds: string[];
}

/**
 * A message from its (deduplicated) events: campaign and channel of its first event, the latest non-null campaign
 * name, the sent time rule, the tag union (trimmed, lower-cased) and the key union.
 */
export function messageFromEvents(messageId: string, evs: readonly NormalizedEvent[]): Message {
  const sorted = [...evs].sort(compareEvents);
  const first = sorted[0];
  if (!first) throw new RangeError("a message needs at least one event");
  const sent = sorted.find((e) => e.type === "sent") ?? sorted.find((e) => e.stage > 0) ?? first;
  let campaignName: string | null = null;
  for (const e of sorted) if (e.campaignName !== null) campaignName = e.campaignName;
  return {
    messageId,
    campaignId: first.campaignId,
    campaignName,
    channel: first.channel,
    keys: mergeKeys(sorted.map((e) => e.keys)),
    sentAt: sent.occurredAt,
    tags: [...new Set(sorted.flatMap((e) => e.tags.map((t) => t.toLowerCase())))].sort(),
    events: sorted,
    trackedOrderIds: [...new Set(sorted.map((e) => e.orderExternalId).filter((x): x is string => !!x))].sort(),
  };
}

/** Groups events into messages (one event per dedup key: the first given). Messages come sorted by message id. */
export function buildMessages(events: Iterable<AttributionEventInput>): Message[] {
  const seen = new Set<string>();
  const groups = new Map<string, NormalizedEvent[]>();
  for (const raw of events) {
    const ev = normalizeEvent(raw);
    if (seen.has(ev.key)) continue;
    seen.add(ev.key);
    const g = groups.get(ev.messageId);
    if (g) g.push(ev);
    else groups.set(ev.messageId, [ev]);
  }
  const out: Message[] = [];
  for (const [messageId, evs] of groups) out.push(messageFromEvents(messageId, evs));
  return out.sort((a, b) => compareCodePoints(a.messageId, b.messageId));
}
