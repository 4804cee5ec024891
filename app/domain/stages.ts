/**
 * Event stages (ATTRIBUTION.md, "Messages and events"): sent 1 < delivered 2 < opened 3 < clicked 4.
 * Any other event type (bounced, dropped, complained, ...) is stage 0: stored and counted, never connects a sale.
 */
import { STAGE_EVENTS, type StageEvent } from "./types";

export type Stage = 0 | 1 | 2 | 3 | 4;

const STAGES: Readonly<Record<StageEvent, Stage>> = {
  sent: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
};

/** The stage of an event type; 0 for anything that is not sent/delivered/opened/clicked (case-sensitive: types are lower-case). */
export function stageOf(type: string): Stage {
  return Object.prototype.hasOwnProperty.call(STAGES, type) ? STAGES[type as StageEvent] : 0;
}

export function isStageEvent(type: string): type is StageEvent {
  return (STAGE_EVENTS as readonly string[]).includes(type);
}

/** A later stage implies the earlier ones: does an event of `type` satisfy a channel connecting on `connecting`? */
export function satisfiesStage(type: string, connecting: StageEvent): boolean {
  const s = stageOf(type);
  return s > 0 && s >= STAGES[connecting];
}
