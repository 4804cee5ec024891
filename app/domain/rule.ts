/**
 * The rule (docs/attribution.md, "The rule"): which orders count, when a message qualifies for an order, which
 * qualifying message wins, and why an order went to none. The tie-break order and the reason precedence are declared
 * here once, as data: the engine's SQL `ORDER BY` and `CASE` are built from them (app/data/attribution.server.ts),
 * and the pure comparison below reads the same tables.
 *
 * Decisions where the rules are silent (the engine follows them; ADR 007 records them):
 * - `ignore_machine_opens` is read literally: only `opened` events with `machine: true` never connect a sale.
 * - Tags are compared trimmed and case-insensitively, on both sides.
 * - The qualifying event of a message is its latest event in the window (ties: higher stage, then a recorded event
 *   before a landing). Ties between messages: `TIE_BREAK`.
 * - Tracked links: a landing's own time is not known from `landingSite`, so it is taken as the order's time of sale
 *   (the latest possible landing). Synthesised landing clicks are not recorded events (no statistics).
 */
import { indexKeys, keysMatch, orderKeys, type KeySet } from "./identity";
import { compareCodePoints, trackedMessageIds, type AttributionOrderInput, type Message } from "./messages";
import type { AttributionSettings } from "./settings";
import { stageOf, type Stage } from "./stages";
import type { Channel, OrderInput, StageEvent } from "./types";

const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------------- rule tables

/**
 * Ties between qualifying messages, in order: the first that differs decides. `desc`: the greater value wins.
 * `message_id` compares by Unicode code point (= UTF-8 byte order = PostgreSQL `COLLATE "C"`).
 */
export const TIE_BREAK = [
  { key: "sent_at", order: "desc", meaning: "the latest sent time" },
  { key: "event_at", order: "desc", meaning: "the latest qualifying event" },
  { key: "message_id", order: "desc", meaning: "the greatest message id (code points)" },
] as const satisfies readonly { key: string; order: "asc" | "desc"; meaning: string }[];

/** Within one message, which of its events in the window is *the* qualifying event. */
export const EVENT_PREFERENCE = [
  { key: "event_at", order: "desc", meaning: "the latest event" },
  { key: "stage", order: "desc", meaning: "the higher stage" },
  { key: "landing", order: "asc", meaning: "a recorded event before the order's own landing" },
] as const satisfies readonly { key: string; order: "asc" | "desc"; meaning: string }[];

export type TieBreakKey = (typeof TIE_BREAK)[number]["key"] | (typeof EVENT_PREFERENCE)[number]["key"];

/**
 * Why an order has no campaign, first that applies. `attributed` stands for "a message qualifies": the reasons
 * after it are reasons for none. Each `when` is a fact of the order that both the pure rule and the SQL compute.
 */
export const REASON_PRECEDENCE = [
  { reason: "test", when: "order_is_test" },
  { reason: "cancelled", when: "order_is_cancelled" },
  { reason: "other_currency", when: "order_in_other_currency" },
  { reason: null, when: "a_message_qualifies" },
  { reason: "excluded_tag", when: "only_excluded_messages_qualify" },
  { reason: "outside_window", when: "a_message_matches" },
  { reason: "no_match", when: "always" },
] as const satisfies readonly { reason: string | null; when: string }[];

export type ReasonFact = (typeof REASON_PRECEDENCE)[number]["when"];
export type NotCountedReason = "test" | "cancelled" | "other_currency";
export type UnattributedReason = Exclude<(typeof REASON_PRECEDENCE)[number]["reason"], null>;

/** The first entry of `REASON_PRECEDENCE` whose fact holds: null means attributed. */
export function reasonFor(facts: Readonly<Partial<Record<ReasonFact, boolean>>>): UnattributedReason | null {
  for (const r of REASON_PRECEDENCE) if (r.when === "always" || facts[r.when]) return r.reason;
  return "no_match";
}

// ---------------------------------------------------------------------------------------------------- orders

/** `processedAt`, or `createdAt` where it is missing. */
export function timeOfSale(order: Pick<OrderInput, "processedAt" | "createdAt">): Date {
  const t = order.processedAt ?? order.createdAt;
  if (!t) throw new TypeError("an order needs processedAt or createdAt");
  return t;
}

export type CountedResult = { counted: true } | { counted: false; reason: NotCountedReason };

/** Counted: not a test, not cancelled, in the settings' currency (reasons in `REASON_PRECEDENCE` order). */
export function isOrderCounted(
  order: Pick<OrderInput, "test" | "cancelledAt" | "currency">,
  settings: Pick<AttributionSettings, "currency">,
): CountedResult {
  const reason = reasonFor({
    order_is_test: order.test,
    order_is_cancelled: !!order.cancelledAt,
    order_in_other_currency: order.currency.toUpperCase() !== settings.currency.toUpperCase(),
    a_message_qualifies: true,
  });
  return reason === null ? { counted: true } : { counted: false, reason: reason as NotCountedReason };
}

// ---------------------------------------------------------------------------------------------------- one message

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

type EventCandidate = { at: number; stage: Stage; type: string; via: QualifyingEvent["via"] };

function tieValue(key: TieBreakKey, c: { sentAt?: number; messageId?: string; e: EventCandidate }): number | string {
  switch (key) {
    case "sent_at":
      return c.sentAt ?? 0;
    case "event_at":
      return c.e.at;
    case "stage":
      return c.e.stage;
    case "landing":
      return c.e.via === "tracked_link" ? 1 : 0;
    case "message_id":
      return c.messageId ?? "";
  }
}

/** Compares two candidates along a tie-break table. Negative: `a` wins. */
function compareBy(
  table: readonly { key: TieBreakKey; order: "asc" | "desc" }[],
  a: Parameters<typeof tieValue>[1],
  b: Parameters<typeof tieValue>[1],
): number {
  for (const { key, order } of table) {
    const x = tieValue(key, a);
    const y = tieValue(key, b);
    const c = typeof x === "string" || typeof y === "string" ? compareCodePoints(String(x), String(y)) : x - y;
    if (c !== 0) return order === "desc" ? -c : c;
  }
  return 0;
}

/**
 * Rule 3: the message's qualifying event (`EVENT_PREFERENCE`) among its events whose stage is at least its channel's
 * connecting stage and with `occurredAt <= time of sale <= occurredAt + window` (both ends included); machine opens
 * are skipped when `ignore_machine_opens`. An order that carries the message's id from a landing adds a click at its
 * time of sale. Null when none.
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
  let best: EventCandidate | null = null;
  const consider = (c: EventCandidate) => {
    if (c.stage === 0 || c.stage < need) return;
    if (!(c.at <= t && t <= c.at + windowMs)) return;
    if (!best || compareBy(EVENT_PREFERENCE, { e: c }, { e: best }) < 0) best = c;
  };
  for (const e of message.events) {
    if (e.type === "opened" && e.machine && settings.ignore_machine_opens) continue;
    consider({ at: e.occurredAt, stage: e.stage, type: e.type, via: "event" });
  }
  if (trackedMessageIds(order).includes(message.messageId))
    consider({ at: t, stage: 4, type: "clicked", via: "tracked_link" });
  const b = best as EventCandidate | null;
  if (!b) return null;
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

export interface Candidate {
  message: Pick<Message, "sentAt" | "messageId">;
  event: QualifyingEvent;
}

/** `TIE_BREAK` between two qualifying messages. Negative: `a` wins. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  const side = (c: Candidate) => ({
    sentAt: c.message.sentAt,
    messageId: c.message.messageId,
    e: { at: c.event.occurredAt.getTime(), stage: stageOf(c.event.type), type: c.event.type, via: c.event.via },
  });
  return compareBy(TIE_BREAK, side(a), side(b));
}

// ---------------------------------------------------------------------------------------------------- one order

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

/** Messages that may match the order: by its keys, by tracked-link events naming it, by its landing's ids. */
export function candidateMessages(order: AttributionOrderInput, messages: readonly Message[], keys: KeySet): Message[] {
  const wanted = new Set(indexKeys(keys));
  const tracked = new Set(trackedMessageIds(order));
  return messages.filter(
    (m) =>
      indexKeys(m.keys).some((k) => wanted.has(k)) ||
      m.trackedOrderIds.includes(order.externalId) ||
      tracked.has(m.messageId),
  );
}

/**
 * The rule for one order over the messages that may match it: the winner by `TIE_BREAK`, or the reason for none by
 * `REASON_PRECEDENCE`, with the facts an explanation needs.
 */
export function attributeOrder(
  order: AttributionOrderInput,
  candidates: readonly Message[],
  settings: AttributionSettings,
): AttributionResult {
  const t = timeOfSale(order);
  const base = { attributed: false as const, orderId: order.externalId, timeOfSale: t, orderCurrency: order.currency };
  const counted = isOrderCounted(order, settings);
  if (!counted.counted) return { ...base, reason: counted.reason, matchedChannels: [], excludedTags: [] };

  const keys = orderKeys(order);
  const qualifying: { message: Message; event: QualifyingEvent; via: MatchVia }[] = [];
  const matchedChannels = new Set<Channel>();
  const excludedTags = new Set<string>();
  let excludedWithEvent = 0;
  for (const m of candidates) {
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
  qualifying.sort(compareCandidates);
  const w = qualifying[0];
  const reason = reasonFor({
    a_message_qualifies: w !== undefined,
    only_excluded_messages_qualify: excludedWithEvent > 0,
    a_message_matches: matchedChannels.size > 0,
  });
  if (!w || reason !== null) {
    const r = reason ?? "no_match";
    return {
      ...base,
      reason: r,
      matchedChannels: [...matchedChannels].sort(),
      excludedTags: r === "excluded_tag" ? [...excludedTags].sort() : [],
    };
  }
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
