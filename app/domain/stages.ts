/**
 * Event stages (docs/attribution.md, "Messages and events"): sent 1 < delivered 2 < opened 3 < clicked 4.
 * Any other event type (bounced, dropped, complained, ...) is stage 0: stored and counted, never connects a sale.
 */
import type { StageEvent } from "./types";

export type Stage = 0 | 1 | 2 | 3 | 4;

/** The stage table: the one source of event stages (the rule, ingest and the engine read it). */
export const STAGES: Readonly<Record<StageEvent, Stage>> = {
  sent: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
};

/** The stage of an event type; 0 for anything that is not sent/delivered/opened/clicked (case-sensitive: types are lower-case). */
export function stageOf(type: string): Stage {
  return Object.prototype.hasOwnProperty.call(STAGES, type) ? STAGES[type as StageEvent] : 0;
}
