/**
 * The order explanation (`GET /api/v1/orders/{id}/attribution`): an English sentence for an attribution result.
 * The API explains the stored winner (app/reports/campaigns.server.ts builds the result from the attributions row
 * the reports read); the facts around it (how many messages qualified, which excluded tags, which channels matched)
 * come from the rule (./rule.ts) on the same order.
 */
import type { AttributionResult } from "./rule";
import { eventNoun, formatWindow } from "./sale-formula";
import type { AttributionSettings } from "./settings";
import type { StageEvent } from "./types";

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
