/**
 * The attribution rules of ATTRIBUTION.md, as pure functions, and `attributeAll`: a reference implementation
 * of the whole campaign report on plain data (the oracle the database-backed engine is tested against).
 *
 * Decisions where ATTRIBUTION.md is silent (keep the engine in step with them):
 * - Sent time: the earliest `sent` event; else the earliest event of a stage (delivered/opened/clicked);
 *   else (a message with only bounced/dropped/... events) its earliest event of any type, so that it still
 *   counts as a message sent in the period (it can never earn a sale: it has no stage event).
 * - `ignore_machine_opens` is read literally: only `opened` events with `machine: true` never connect a sale.
 *   A machine `clicked` event still connects (and so does everything else). Machine opens still count in statistics.
 * - A message's campaign and channel come from its earliest event (by time, then dedup key); its name is the
 *   latest non-null `campaignName` of its campaign's events. A report row's channel (and so its sale formula)
 *   is the channel of the campaign's earliest-sent message (ties: smallest message id); its name falls back
 *   to the campaign id.
 * - Tags are compared trimmed and case-insensitively, on both sides.
 * - The qualifying event of a message is its latest event in the window (ties: higher stage). Ties between
 *   messages: latest sent time, latest qualifying event, then greatest `message_id` compared by Unicode code
 *   points (= UTF-8 byte order = PostgreSQL `COLLATE "C"`).
 * - Tracked links: an order carries message ids from its `landingSite` query parameter `cr_mid` (`TRACKED_LINK_PARAM`) (and from
 *   `trackedMessageIds`, if a parser fills it). Such a message matches the order whatever its keys, and has a
 *   `clicked` event for that order at the landing; a landing's own time is not known from `landingSite`, so it
 *   is taken as the order's time of sale (the latest possible landing). Events with `orderExternalId` (pixel
 *   checkouts) are recorded events of their message, and that message matches the order they name.
 *   Synthesised landing clicks are not recorded events: they do not count in statistics.
 * - Unattributed reasons, first that applies: test, cancelled, other_currency, then no_match (no message
 *   matches), excluded_tag (some matching message has a qualifying event, but every such message carries an
 *   excluded tag), outside_window (the rest).
 * - `enabled: false` zeroes every purchase and money figure of the report (store_revenue included, campaigns
 *   appear only through messages sent); per-order attribution (`attributeOrder`) ignores `enabled`.
 * - Duplicates: events with the same `externalId` (without one: same content), refunds with the same id and
 *   order versions with the same id are collapsed so that any arrival order gives the same result: the
 *   newest `updatedAt` wins (null is oldest); on equal `updatedAt` and for duplicate events/refunds with
 *   differing content, the version with the smallest canonical JSON wins (real duplicates are identical).
 *   Refunds are records of their own: those nested in any version of an order, and standalone ones, all count.
 * - A refund whose `currency` is set and differs from its order's currency is ignored (no FX); an unparsable
 *   or negative amount counts as 0. `timeOfSale` throws when an order has neither processedAt nor createdAt.
 */
import type Decimal from "decimal.js";
import { indexKeys, keysMatch, mergeKeys, orderKeys, recipientKeyFor, recipientKeys, type KeySet } from "./identity";
import { Money, averageCheck, capRefunded, formatAmount, tryParseMoney } from "./money";
import { eventNoun, formatWindow, saleFormula } from "./sale-formula";
import type { AttributionSettings } from "./settings";
import { stageOf, type Stage } from "./stages";
import type {
  Channel,
  EventSource,
  MessageEventInput,
  OrderInput,
  RecipientKeys,
  RefundInput,
  StageEvent,
} from "./types";

// ---------------------------------------------------------------- inputs

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

// ---------------------------------------------------------------- small helpers

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

/** JSON with sorted object keys and Dates as ISO strings: equal content, equal text. */
export function stableStringify(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------- events and messages

export interface NormalizedEvent {
  /** Deduplication key: `id:<externalId>`, or `content:<canonical JSON>` without one. */
  key: string;
  type: string;
  stage: Stage;
  channel: Channel;
  /** Epoch milliseconds. */
  occurredAt: number;
  campaignId: string;
  campaignName: string | null;
  /** The given message id, or the derived `campaign_id:channel:recipient key`. */
  messageId: string;
  keys: RecipientKeys;
  /** Trimmed, as given (case kept). */
  tags: string[];
  machine: boolean;
  source: EventSource;
  orderExternalId: string | null;
}

/** The message an event belongs to: its `messageId`, else `campaign_id:channel:recipient key`. */
export function resolveMessageId(
  e: Pick<MessageEventInput, "messageId" | "campaignId" | "channel" | "recipient">,
): string {
  if (e.messageId !== null && e.messageId !== undefined && e.messageId !== "") return e.messageId;
  return `${e.campaignId}:${e.channel}:${recipientKeyFor(e.channel, recipientKeys(e.recipient))}`;
}

function contentOf(e: AttributionEventInput) {
  return {
    type: e.type,
    channel: e.channel,
    occurredAt: e.occurredAt,
    campaignId: e.campaignId,
    campaignName: e.campaignName,
    messageId: resolveMessageId(e),
    recipient: recipientKeys(e.recipient),
    tags: e.tags.map((t) => t.trim()),
    url: e.url,
    machine: e.machine,
    source: e.source,
    orderExternalId: e.orderExternalId ?? null,
  };
}

/** The deduplication key of an event within its shop. */
export function eventDedupKey(e: AttributionEventInput): string {
  return e.externalId !== null && e.externalId !== undefined && e.externalId !== ""
    ? `id:${e.externalId}`
    : `content:${stableStringify(contentOf(e))}`;
}

export function normalizeEvent(e: AttributionEventInput): NormalizedEvent {
  return {
    key: eventDedupKey(e),
    type: e.type,
    stage: stageOf(e.type),
    channel: e.channel,
    occurredAt: e.occurredAt.getTime(),
    campaignId: e.campaignId,
    campaignName: e.campaignName ?? null,
    messageId: resolveMessageId(e),
    keys: recipientKeys(e.recipient),
    tags: e.tags.map((t) => t.trim()).filter((t) => t !== ""),
    machine: e.machine,
    source: e.source,
    orderExternalId: e.orderExternalId ?? null,
  };
}

function compareEvents(a: NormalizedEvent, b: NormalizedEvent): number {
  return a.occurredAt - b.occurredAt || compareCodePoints(a.key, b.key);
}

/** Events without duplicates (one per dedup key, chosen independently of arrival order), by time then key. */
export function dedupeEvents(events: Iterable<AttributionEventInput>): NormalizedEvent[] {
  const best = new Map<string, { canon: string; event: NormalizedEvent }>();
  for (const raw of events) {
    const ev = normalizeEvent(raw);
    const canon = stableStringify(contentOf(raw));
    const prev = best.get(ev.key);
    if (!prev || compareCodePoints(canon, prev.canon) < 0) best.set(ev.key, { canon, event: ev });
  }
  return [...best.values()].map((x) => x.event).sort(compareEvents);
}

export interface Message {
  messageId: string;
  campaignId: string;
  campaignName: string | null;
  channel: Channel;
  /** Union of the recipient keys of all its events. */
  keys: KeySet;
  /** Epoch ms (see the module comment for the rule). */
  sentAt: number;
  /** Union of its events' tags, trimmed and lower-cased, sorted. */
  tags: string[];
  /** Its events, deduplicated, by time then key. */
  events: NormalizedEvent[];
  /** Orders named by its tracked-link events (`orderExternalId`). */
  trackedOrderIds: string[];
}

/** Groups events into messages (deduplicating them first). Messages come sorted by message id. */
export function buildMessages(events: Iterable<AttributionEventInput>): Message[] {
  const groups = new Map<string, NormalizedEvent[]>();
  for (const ev of dedupeEvents(events)) {
    const g = groups.get(ev.messageId);
    if (g) g.push(ev);
    else groups.set(ev.messageId, [ev]);
  }
  const out: Message[] = [];
  for (const [messageId, evs] of groups) out.push(messageFromEvents(messageId, evs));
  return out.sort((a, b) => compareCodePoints(a.messageId, b.messageId));
}

function messageFromEvents(messageId: string, evs: NormalizedEvent[]): Message {
  const sorted = [...evs].sort(compareEvents);
  const first = sorted[0];
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

export interface MessageIndex {
  messages: Message[];
  byKey: Map<string, Message[]>;
  byId: Map<string, Message>;
  byTrackedOrder: Map<string, Message[]>;
}

export function indexMessages(messages: Message[]): MessageIndex {
  const byKey = new Map<string, Message[]>();
  const byId = new Map<string, Message>();
  const byTrackedOrder = new Map<string, Message[]>();
  const add = (map: Map<string, Message[]>, k: string, m: Message) => {
    const l = map.get(k);
    if (l) l.push(m);
    else map.set(k, [m]);
  };
  for (const m of messages) {
    byId.set(m.messageId, m);
    for (const k of indexKeys(m.keys)) add(byKey, k, m);
    for (const o of m.trackedOrderIds) add(byTrackedOrder, o, m);
  }
  return { messages, byKey, byId, byTrackedOrder };
}

// ---------------------------------------------------------------- orders

/** `processedAt`, or `createdAt` where it is missing. */
export function timeOfSale(order: Pick<OrderInput, "processedAt" | "createdAt">): Date {
  const t = order.processedAt ?? order.createdAt;
  if (!t) throw new TypeError("an order needs processedAt or createdAt");
  return t;
}

export type NotCountedReason = "test" | "cancelled" | "other_currency";
export type CountedResult = { counted: true } | { counted: false; reason: NotCountedReason };

/** Counted: not a test, not cancelled, in the settings' currency. */
export function isOrderCounted(
  order: Pick<OrderInput, "test" | "cancelledAt" | "currency">,
  settings: Pick<AttributionSettings, "currency">,
): CountedResult {
  if (order.test) return { counted: false, reason: "test" };
  if (order.cancelledAt) return { counted: false, reason: "cancelled" };
  if (order.currency.toUpperCase() !== settings.currency.toUpperCase())
    return { counted: false, reason: "other_currency" };
  return { counted: true };
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

// ---------------------------------------------------------------- the rule

export type MatchVia = "keys" | "tracked_link";

/** Rule 1: does `message` match the order (by a key of one kind, or by a tracked link)? */
export function messageMatchesOrder(
  message: Message,
  order: AttributionOrderInput,
  keys: KeySet = orderKeys(order),
): MatchVia | null {
  if (keysMatch(keys, message.keys)) return "keys";
  if (message.trackedOrderIds.includes(order.externalId)) return "tracked_link";
  if (trackedMessageIds(order).includes(message.messageId)) return "tracked_link";
  return null;
}

/** Rule 2: the first of the message's tags that the settings exclude (case-insensitive), or null. */
export function excludedTagOf(
  message: Pick<Message, "tags">,
  settings: Pick<AttributionSettings, "excluded_tags">,
): string | null {
  if (settings.excluded_tags.length === 0) return null;
  const excluded = new Set(settings.excluded_tags.map((t) => t.trim().toLowerCase()));
  return message.tags.find((t) => excluded.has(t.toLowerCase())) ?? null;
}

export interface QualifyingEvent {
  type: StageEvent;
  occurredAt: Date;
  /** "event": a recorded event; "tracked_link": the order's own landing from the message's tracked link. */
  via: "event" | "tracked_link";
}

/**
 * Rule 3: the message's latest event (ties: higher stage) whose stage is at least its channel's connecting
 * stage and with `occurredAt <= time of sale <= occurredAt + window` (both ends included); machine opens are
 * skipped when `ignore_machine_opens`. An order that carries the message's id from a landing adds a click at
 * its time of sale. Null when none.
 */
export function qualifyingEvent(
  message: Message,
  order: AttributionOrderInput,
  settings: Pick<AttributionSettings, "channels" | "ignore_machine_opens">,
): QualifyingEvent | null {
  const ch = settings.channels[message.channel];
  const need = stageOf(ch.event);
  const t = timeOfSale(order).getTime();
  const windowMs = ch.window_hours * HOUR_MS;
  let best: {
    at: number;
    stage: Stage;
    type: string;
    via: QualifyingEvent["via"];
  } | null = null;
  const consider = (at: number, stage: Stage, type: string, via: QualifyingEvent["via"]) => {
    if (stage === 0 || stage < need) return;
    if (!(at <= t && t <= at + windowMs)) return;
    if (!best || at > best.at || (at === best.at && stage > best.stage)) best = { at, stage, type, via };
  };
  for (const e of message.events) {
    if (e.type === "opened" && e.machine && settings.ignore_machine_opens) continue;
    consider(e.occurredAt, e.stage, e.type, "event");
  }
  if (trackedMessageIds(order).includes(message.messageId)) consider(t, 4, "clicked", "tracked_link");
  if (!best) return null;
  const b = best as { at: number; type: string; via: QualifyingEvent["via"] };
  return { type: b.type as StageEvent, occurredAt: new Date(b.at), via: b.via };
}

export type QualifyResult =
  | { qualifies: true; event: QualifyingEvent; via: MatchVia }
  | {
      qualifies: false;
      reason: "no_match" | "excluded_tag" | "outside_window";
      event: QualifyingEvent | null;
    };

/** All three rules for one message and one order (the order's counting is not checked here). */
export function qualifies(
  message: Message,
  order: AttributionOrderInput,
  settings: AttributionSettings,
  keys: KeySet = orderKeys(order),
): QualifyResult {
  const via = messageMatchesOrder(message, order, keys);
  if (!via) return { qualifies: false, reason: "no_match", event: null };
  const event = qualifyingEvent(message, order, settings);
  if (excludedTagOf(message, settings) !== null) return { qualifies: false, reason: "excluded_tag", event };
  if (!event) return { qualifies: false, reason: "outside_window", event: null };
  return { qualifies: true, event, via };
}

export type UnattributedReason = "no_match" | "excluded_tag" | "outside_window" | NotCountedReason;

export interface Attributed {
  attributed: true;
  orderId: string;
  timeOfSale: Date;
  messageId: string;
  campaignId: string;
  campaignName: string | null;
  channel: Channel;
  eventType: StageEvent;
  eventAt: Date;
  sentAt: Date;
  via: MatchVia;
  eventVia: QualifyingEvent["via"];
  /** How many messages qualified (the winner included). */
  qualifyingMessages: number;
}

export interface Unattributed {
  attributed: false;
  orderId: string;
  timeOfSale: Date;
  reason: UnattributedReason;
  orderCurrency: string;
  /** Channels of the messages that matched the order's recipient (sorted). */
  matchedChannels: Channel[];
  /** For `excluded_tag`: the excluded tags found on the messages that would have qualified (lower-case). */
  excludedTags: string[];
}

export type AttributionResult = Attributed | Unattributed;

/** Candidate ordering: latest sent time, then latest qualifying event, then greatest message id. Negative: a wins. */
function compareCandidates(
  a: { message: Message; event: QualifyingEvent },
  b: { message: Message; event: QualifyingEvent },
): number {
  return (
    b.message.sentAt - a.message.sentAt ||
    b.event.occurredAt.getTime() - a.event.occurredAt.getTime() ||
    compareCodePoints(b.message.messageId, a.message.messageId)
  );
}

function candidatesFor(order: AttributionOrderInput, index: MessageIndex, keys: KeySet): Message[] {
  const seen = new Map<string, Message>();
  for (const k of indexKeys(keys)) for (const m of index.byKey.get(k) ?? []) seen.set(m.messageId, m);
  for (const m of index.byTrackedOrder.get(order.externalId) ?? []) seen.set(m.messageId, m);
  for (const id of trackedMessageIds(order)) {
    const m = index.byId.get(id);
    if (m) seen.set(m.messageId, m);
  }
  return [...seen.values()];
}

/** Attributes one order to the qualifying message with the latest sent time, or says why none. */
export function attributeOrder(
  order: AttributionOrderInput,
  messages: Message[] | MessageIndex,
  settings: AttributionSettings,
): AttributionResult {
  const index = Array.isArray(messages) ? indexMessages(messages) : messages;
  const t = timeOfSale(order);
  const base = {
    attributed: false as const,
    orderId: order.externalId,
    timeOfSale: t,
    orderCurrency: order.currency,
  };
  const counted = isOrderCounted(order, settings);
  if (!counted.counted)
    return {
      ...base,
      reason: counted.reason,
      matchedChannels: [],
      excludedTags: [],
    };

  const keys = orderKeys(order);
  const qualifying: {
    message: Message;
    event: QualifyingEvent;
    via: MatchVia;
  }[] = [];
  const matchedChannels = new Set<Channel>();
  const excludedTags = new Set<string>();
  let excludedWithEvent = 0;
  for (const m of candidatesFor(order, index, keys)) {
    const r = qualifies(m, order, settings, keys);
    if (r.qualifies) {
      matchedChannels.add(m.channel);
      qualifying.push({ message: m, event: r.event, via: r.via });
    } else if (r.reason !== "no_match") {
      matchedChannels.add(m.channel);
      if (r.reason === "excluded_tag" && r.event) {
        excludedWithEvent++;
        const tag = excludedTagOf(m, settings);
        if (tag) excludedTags.add(tag);
      }
    }
  }
  if (qualifying.length === 0) {
    const reason: UnattributedReason =
      matchedChannels.size === 0 ? "no_match" : excludedWithEvent > 0 ? "excluded_tag" : "outside_window";
    return {
      ...base,
      reason,
      matchedChannels: [...matchedChannels].sort(),
      excludedTags: reason === "excluded_tag" ? [...excludedTags].sort() : [],
    };
  }
  qualifying.sort(compareCandidates);
  const w = qualifying[0];
  return {
    attributed: true,
    orderId: order.externalId,
    timeOfSale: t,
    messageId: w.message.messageId,
    campaignId: w.message.campaignId,
    campaignName: w.message.campaignName,
    channel: w.message.channel,
    eventType: w.event.type,
    eventAt: w.event.occurredAt,
    sentAt: new Date(w.message.sentAt),
    via: w.via,
    eventVia: w.event.via,
    qualifyingMessages: qualifying.length,
  };
}

// ---------------------------------------------------------------- explanation

/** "2026-11-01 10:00 UTC" (seconds shown when not zero). */
export function formatUtc(d: Date): string {
  const iso = d.toISOString();
  const secs = iso.slice(17, 19);
  const ms = iso.slice(20, 23);
  const tail = ms !== "000" ? `:${secs}.${ms}` : secs !== "00" ? `:${secs}` : "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${tail} UTC`;
}

/** "10 hours", "1 hour 30 minutes", "2 days 3 hours", "45 minutes", "30 seconds". */
export function formatDuration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const totalMin = Math.floor(ms / 60_000);
  if (totalMin === 0) return plural(Math.floor(ms / 1000), "second");
  const days = Math.floor(totalMin / 1440);
  const hours = Math.floor((totalMin % 1440) / 60);
  const mins = totalMin % 60;
  const parts: string[] = [];
  if (days) parts.push(plural(days, "day"));
  if (hours) parts.push(plural(hours, "hour"));
  if (mins && !days) parts.push(plural(mins, "minute"));
  return parts.join(" ");
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

const ACTIONS: Readonly<Record<StageEvent, string>> = {
  sent: "the message was sent to the recipient",
  delivered: "the message was delivered to the recipient",
  opened: "the recipient opened the message",
  clicked: "the recipient clicked the message",
};

/** A human-readable English sentence for an attribution result. */
export function explain(result: AttributionResult, settings: AttributionSettings): string {
  if (result.attributed) {
    const ch = settings.channels[result.channel];
    const name = result.campaignName ?? result.campaignId;
    const action =
      result.eventVia === "tracked_link"
        ? "the buyer arrived through the message's tracked link"
        : ACTIONS[result.eventType];
    const gap = result.timeOfSale.getTime() - result.eventAt.getTime();
    const when =
      result.eventVia === "tracked_link"
        ? "before the purchase"
        : `on ${formatUtc(result.eventAt)}, ${gap > 0 ? `${formatDuration(gap)} before the purchase` : "at the time of the purchase"}`;
    const noun = eventNoun(result.eventType);
    const connecting = eventNoun(ch.event);
    const rule =
      result.eventType === ch.event
        ? `the ${noun} connects a sale within ${formatWindow(ch.window_hours)}`
        : `${withArticle(noun)} implies ${withArticle(connecting)}, which connects a sale within ${formatWindow(ch.window_hours)}`;
    const via =
      result.via === "tracked_link" && result.eventVia !== "tracked_link"
        ? " (matched through the message's tracked link)"
        : "";
    const among =
      result.qualifyingMessages > 1
        ? ` It is the last sent of ${result.qualifyingMessages} messages that qualified.`
        : "";
    return `Attributed to campaign “${name}” (${result.channel})${via}: ${action} ${when}; ${rule}.${among}`;
  }
  switch (result.reason) {
    case "test":
      return "Not counted: this is a test order.";
    case "cancelled":
      return "Not counted: the order was cancelled.";
    case "other_currency":
      return `Not counted: the order is in ${result.orderCurrency}, and only orders in ${settings.currency} count.`;
    case "no_match":
      return "Unattributed: no campaign message was sent to the buyer's email, phone or customer account, and the order carries no tracked link of one.";
    case "excluded_tag":
      return `Unattributed: the only messages that would have earned this sale carry an excluded tag (${result.excludedTags.join(", ")}).`;
    case "outside_window": {
      const rules = result.matchedChannels
        .map(
          (c) =>
            `${c}: ${withArticle(eventNoun(settings.channels[c].event))} within ${formatWindow(settings.channels[c].window_hours)}`,
        )
        .join("; ");
      return `Unattributed: campaign messages reached the buyer, but none had a connecting event within its channel's window before the purchase (${rules}).`;
    }
  }
}

// ---------------------------------------------------------------- the whole report (reference implementation)

export interface ReportPeriod {
  from: Date;
  /** Excluded. */
  to: Date;
}

export interface CampaignRow {
  id: string;
  name: string;
  channel: Channel;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  purchases: number;
  gross: string;
  refunded: string;
  revenue: string;
  average_check: string;
  sale_formula: string;
}

export interface ReportSummary {
  campaigns: number;
  campaigns_with_revenue: number;
  purchases: number;
  gross: string;
  refunded: string;
  revenue: string;
  average_check: string;
  store_revenue: string;
}

export interface CampaignReport {
  currency: string;
  from: string;
  to: string;
  summary: ReportSummary;
  /** Sorted by campaign id (code points). */
  campaigns: CampaignRow[];
}

/** Every order (after deduplication), whatever its period, with its outcome. */
export interface OrderOutcome {
  order_id: string;
  time_of_sale: string;
  counted: boolean;
  attributed: boolean;
  reason: UnattributedReason | null;
  campaign_id: string | null;
  message_id: string | null;
  channel: Channel | null;
  event_type: StageEvent | null;
  event_at: string | null;
  /** In the order's currency's minor units. */
  gross: string;
  refunded: string;
  revenue: string;
}

export interface AttributeAllResult {
  report: CampaignReport;
  /** Sorted by order id (code points). */
  orders: OrderOutcome[];
}

function updatedMs(o: OrderInput): number {
  return o.updatedAt ? o.updatedAt.getTime() : Number.NEGATIVE_INFINITY;
}

/** One version per order id: newest `updatedAt`; ties broken by canonical JSON (smallest wins). */
export function dedupeOrders<O extends OrderInput>(orders: Iterable<O>): O[] {
  const best = new Map<string, { canon: string; order: O }>();
  for (const o of orders) {
    const canon = stableStringify(o);
    const prev = best.get(o.externalId);
    if (
      !prev ||
      updatedMs(o) > updatedMs(prev.order) ||
      (updatedMs(o) === updatedMs(prev.order) && compareCodePoints(canon, prev.canon) < 0)
    ) {
      best.set(o.externalId, { canon, order: o });
    }
  }
  return [...best.values()].map((x) => x.order).sort((a, b) => compareCodePoints(a.externalId, b.externalId));
}

/** One refund per id (smallest canonical JSON), from standalone refunds and those nested in any order version. */
export function dedupeRefunds(refunds: Iterable<RefundInput>, orders: Iterable<OrderInput> = []): RefundInput[] {
  const best = new Map<string, { canon: string; refund: RefundInput }>();
  const add = (r: RefundInput) => {
    const canon = stableStringify(r);
    const prev = best.get(r.externalId);
    if (!prev || compareCodePoints(canon, prev.canon) < 0) best.set(r.externalId, { canon, refund: r });
  };
  for (const r of refunds) add(r);
  for (const o of orders) for (const r of o.refunds) add({ ...r, orderExternalId: o.externalId });
  return [...best.values()].map((x) => x.refund).sort((a, b) => compareCodePoints(a.externalId, b.externalId));
}

/** An order's gross, refunded (capped) and revenue. */
export function orderMoney(
  order: OrderInput,
  refunds: readonly RefundInput[],
): { gross: Decimal; refunded: Decimal; revenue: Decimal } {
  const gross = tryParseMoney(order.totalPrice) ?? new Money(0);
  let sum: Decimal = new Money(0);
  for (const r of refunds) {
    if (r.currency && r.currency.toUpperCase() !== order.currency.toUpperCase()) continue;
    const amount = tryParseMoney(r.amount);
    if (amount) sum = sum.plus(amount);
  }
  const refunded = capRefunded(gross, sum);
  return { gross, refunded, revenue: gross.minus(refunded) };
}

interface Acc {
  purchases: number;
  gross: Decimal;
  refunded: Decimal;
  revenue: Decimal;
}

const newAcc = (): Acc => ({
  purchases: 0,
  gross: new Money(0),
  refunded: new Money(0),
  revenue: new Money(0),
});

/**
 * The campaign report for `[from, to)` computed from plain data, plus every order's outcome.
 * The result depends only on the data (as sets, duplicates collapsed) and the settings.
 */
export function attributeAll(
  orders: readonly AttributionOrderInput[],
  events: readonly AttributionEventInput[],
  refunds: readonly RefundInput[],
  settings: AttributionSettings,
  period: ReportPeriod,
): AttributeAllResult {
  const currency = settings.currency;
  const from = period.from.getTime();
  const to = period.to.getTime();
  const inPeriod = (ms: number) => from <= ms && ms < to;

  const messages = buildMessages(events);
  const index = indexMessages(messages);
  const allOrderVersions = [...orders];
  const uniqueOrders = dedupeOrders(allOrderVersions);
  const refundsByOrder = new Map<string, RefundInput[]>();
  for (const r of dedupeRefunds(refunds, allOrderVersions)) {
    const l = refundsByOrder.get(r.orderExternalId);
    if (l) l.push(r);
    else refundsByOrder.set(r.orderExternalId, [r]);
  }

  // campaign metadata over all data
  const campaignMeta = new Map<string, { name: string | null; nameAt: [number, string]; first: Message }>();
  for (const m of messages) {
    let meta = campaignMeta.get(m.campaignId);
    if (!meta) {
      meta = { name: null, nameAt: [Number.NEGATIVE_INFINITY, ""], first: m };
      campaignMeta.set(m.campaignId, meta);
    }
    if (
      m.sentAt < meta.first.sentAt ||
      (m.sentAt === meta.first.sentAt && compareCodePoints(m.messageId, meta.first.messageId) < 0)
    ) {
      meta.first = m;
    }
  }
  for (const ev of dedupeEvents(events)) {
    const meta = campaignMeta.get(ev.campaignId);
    if (!meta || ev.campaignName === null) continue;
    const [at, key] = meta.nameAt;
    if (ev.occurredAt > at || (ev.occurredAt === at && compareCodePoints(ev.key, key) > 0)) {
      meta.name = ev.campaignName;
      meta.nameAt = [ev.occurredAt, ev.key];
    }
  }

  const stats = new Map<string, { sent: number; delivered: number; opened: number; clicked: number }>();
  for (const m of messages) {
    if (!inPeriod(m.sentAt)) continue;
    let s = stats.get(m.campaignId);
    if (!s) stats.set(m.campaignId, (s = { sent: 0, delivered: 0, opened: 0, clicked: 0 }));
    const types = new Set(m.events.map((e) => e.type));
    if (types.has("sent")) s.sent++;
    if (types.has("delivered")) s.delivered++;
    if (types.has("opened")) s.opened++;
    if (types.has("clicked")) s.clicked++;
  }

  const money = new Map<string, Acc>();
  const total = newAcc();
  let storeRevenue: Decimal = new Money(0);
  const outcomes: OrderOutcome[] = [];
  for (const order of uniqueOrders) {
    const result = attributeOrder(order, index, settings);
    const m = orderMoney(order, refundsByOrder.get(order.externalId) ?? []);
    const t = result.timeOfSale.getTime();
    const counted = !(
      result.attributed === false && (["test", "cancelled", "other_currency"] as string[]).includes(result.reason)
    );
    outcomes.push({
      order_id: order.externalId,
      time_of_sale: result.timeOfSale.toISOString(),
      counted,
      attributed: result.attributed,
      reason: result.attributed ? null : result.reason,
      campaign_id: result.attributed ? result.campaignId : null,
      message_id: result.attributed ? result.messageId : null,
      channel: result.attributed ? result.channel : null,
      event_type: result.attributed ? result.eventType : null,
      event_at: result.attributed ? result.eventAt.toISOString() : null,
      gross: formatAmount(m.gross, order.currency),
      refunded: formatAmount(m.refunded, order.currency),
      revenue: formatAmount(m.revenue, order.currency),
    });
    if (!settings.enabled || !counted || !inPeriod(t)) continue;
    storeRevenue = storeRevenue.plus(m.revenue);
    if (!result.attributed) continue;
    let acc = money.get(result.campaignId);
    if (!acc) money.set(result.campaignId, (acc = newAcc()));
    for (const a of [acc, total]) {
      a.purchases++;
      a.gross = a.gross.plus(m.gross);
      a.refunded = a.refunded.plus(m.refunded);
      a.revenue = a.revenue.plus(m.revenue);
    }
  }

  const ids = [...new Set([...stats.keys(), ...money.keys()])].sort(compareCodePoints);
  const campaigns: CampaignRow[] = ids.map((id) => {
    const meta = campaignMeta.get(id);
    const channel = meta ? meta.first.channel : "email";
    const s = stats.get(id) ?? { sent: 0, delivered: 0, opened: 0, clicked: 0 };
    const a = money.get(id) ?? newAcc();
    return {
      id,
      name: meta?.name ?? id,
      channel,
      ...s,
      purchases: a.purchases,
      gross: formatAmount(a.gross, currency),
      refunded: formatAmount(a.refunded, currency),
      revenue: formatAmount(a.revenue, currency),
      average_check: formatAmount(averageCheck(a.revenue, a.purchases, currency), currency),
      sale_formula: saleFormula(settings.channels[channel]),
    };
  });

  return {
    report: {
      currency,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      summary: {
        campaigns: stats.size,
        campaigns_with_revenue: money.size,
        purchases: total.purchases,
        gross: formatAmount(total.gross, currency),
        refunded: formatAmount(total.refunded, currency),
        revenue: formatAmount(total.revenue, currency),
        average_check: formatAmount(averageCheck(total.revenue, total.purchases, currency), currency),
        store_revenue: formatAmount(storeRevenue, currency),
      },
      campaigns,
    },
    orders: outcomes.sort((a, b) => compareCodePoints(a.order_id, b.order_id)),
  };
}
