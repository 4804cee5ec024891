/**
 * The attribution rules (docs/attribution.md), in three modules: ./messages (which message an event belongs to,
 * dedup keys, tracked links, a message's sent time and tags), ./rule (the rule tables and the per-order rule),
 * ./explanation (the sentence the order explanation shows). This file re-exports them for existing imports.
 *
 * The whole-history model (`attributeAll`) is the test oracle: tests/support/model.ts.
 */
export * from "./messages";
export * from "./rule";
export * from "./explanation";
export type { CampaignReport, CampaignRow, OrderOutcome, ReportPeriod, ReportSummary } from "./report";
