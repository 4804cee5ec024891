/**
 * The sale formula shown with each campaign (docs/attribution.md, "Reports"), built from its channel's settings:
 * "Sale = click on the message, then a purchase within 24 hours of the click."
 */
import type { StageEvent } from "./types";
import type { ChannelSettings } from "./settings";

const LONG: Readonly<Record<StageEvent, { start: string; of: string }>> = {
  sent: { start: "message sent", of: "sending" },
  delivered: { start: "message delivered", of: "delivery" },
  opened: { start: "message opened", of: "the opening" },
  clicked: { start: "click on the message", of: "the click" },
};

const SHORT: Readonly<Record<StageEvent, string>> = {
  sent: "Sent",
  delivered: "Delivered",
  opened: "Open",
  clicked: "Click",
};

/** "24 hours", "1 hour", "36 hours"; whole days above one day: "2 days", "90 days". */
export function formatWindow(hours: number): string {
  if (hours > 24 && hours % 24 === 0) return `${hours / 24} days`;
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/** "24 h", "36 h", "3 d". */
export function formatWindowShort(hours: number): string {
  if (hours > 24 && hours % 24 === 0) return `${hours / 24} d`;
  return `${hours} h`;
}

/** "Sale = click on the message, then a purchase within 24 hours of the click." */
export function saleFormula(channel: ChannelSettings): string {
  const w = LONG[channel.event];
  return `Sale = ${w.start}, then a purchase within ${formatWindow(channel.window_hours)} of ${w.of}.`;
}

/** "Click + purchase within 24 h" (for narrow UI). */
export function saleFormulaShort(channel: ChannelSettings): string {
  return `${SHORT[channel.event]} + purchase within ${formatWindowShort(channel.window_hours)}`;
}

/** The noun of a connecting event in running text: "click", "open", "delivery", "send". */
export function eventNoun(event: StageEvent): string {
  return {
    sent: "send",
    delivered: "delivery",
    opened: "open",
    clicked: "click",
  }[event];
}
