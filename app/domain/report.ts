/** The campaign report's shapes (docs/attribution.md, "Reports"; the API's report body). Pure types. */
import type { UnattributedReason } from "./rule";
import type { Channel, StageEvent } from "./types";

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
