/**
 * Previewing a settings change (ATTRIBUTION.md, "Previewing a settings change"; ADR 011): the period's report
 * under the proposed settings next to the current one, without saving anything.
 *
 * It runs the engine's own set-based statement (`computeAttributions`, the SQL a re-attribution chunk runs) for the
 * period's orders under the proposed settings, in one transaction whose temp table `attr_new` holds the outcome;
 * the figures are read from it and the transaction is rolled back. Because a re-attribution after saving runs the
 * same statement on the same data, saving gives exactly the previewed figures.
 */
import { computeAttributions, readEngineSettings, tuneForBulk } from "../data/attribution.server";
import { inRolledBackTransaction, orderMoves, proposedSales, type OrderMoves } from "../data/preview.server";
import { campaignsByIds } from "../data/reports.server";
import { getSettings } from "../data/settings.server";
import { compareCodePoints } from "../domain/attribution";
import { Money, averageCheck, formatAmount } from "../domain/money";
import { applyPatch, type AttributionSettings, type SettingsPatch } from "../domain/settings";
import { campaignReport, type ReportRange, type SummaryJson } from "./campaigns.server";

export type PreviewSummary = Omit<SummaryJson, "incremental_revenue">;

export interface PreviewCampaign {
  id: string;
  name: string;
  current: { purchases: number; revenue: string };
  proposed: { purchases: number; revenue: string };
}

export interface SettingsPreviewJson {
  from: string;
  to: string;
  current: PreviewSummary;
  proposed: PreviewSummary;
  campaigns: PreviewCampaign[];
  orders: OrderMoves;
}

/** Preview of `patch` over `range`. */
export async function previewSettings(
  shopId: bigint,
  patch: SettingsPatch,
  range: ReportRange,
): Promise<SettingsPreviewJson> {
  const { settings: currentSettings } = await getSettings(shopId);
  const proposedSettings: AttributionSettings = applyPatch(currentSettings, patch);
  const current = await campaignReport(shopId, range);

  // The engine's statement into its temp table, in a transaction that is always rolled back: nothing is kept.
  const { proposed, moves } = await inRolledBackTransaction(async (client) => {
    await tuneForBulk(client);
    const engine = await readEngineSettings(client, shopId);
    await computeAttributions(client, shopId, proposedSettings, (engine?.version ?? 0) + 1, {
      from: range.from,
      to: range.to,
    });
    return {
      proposed: proposedSettings.enabled ? await proposedSales(client) : [],
      moves: await orderMoves(client, shopId, range.from, range.to, {
        current: currentSettings.enabled,
        proposed: proposedSettings.enabled,
      }),
    };
  });

  const currency = proposedSettings.currency;
  const attributed = proposed.filter((r) => r.campaign_id !== "0" && r.purchases > 0);
  let purchases = 0;
  let gross = new Money(0);
  let refunded = new Money(0);
  for (const r of attributed) {
    purchases += r.purchases;
    gross = gross.plus(r.gross);
    refunded = refunded.plus(r.refunded);
  }
  let store = new Money(0);
  for (const r of proposed) store = store.plus(r.gross).minus(r.refunded);
  const revenue = gross.minus(refunded);
  const { incremental_revenue: _ir, ...currentSummary } = current.summary;
  const proposedSummary: PreviewSummary = {
    campaigns: current.summary.campaigns,
    campaigns_with_revenue: attributed.length,
    purchases,
    gross: formatAmount(gross, currency),
    refunded: formatAmount(refunded, currency),
    revenue: formatAmount(revenue, currency),
    average_check: formatAmount(averageCheck(revenue, purchases, currency), currency),
    store_revenue: formatAmount(store, currency),
  };

  // Campaigns: every row of the current report, and every campaign the proposed settings give a purchase.
  const infos = await campaignsByIds(
    shopId,
    attributed.map((r) => r.campaign_id),
  );
  const proposedBy = new Map(attributed.map((r) => [r.campaign_id, r]));
  const rows = new Map<string, PreviewCampaign>();
  const zero = { purchases: 0, revenue: formatAmount(0, currency) };
  for (const c of current.campaigns) {
    rows.set(c.id, { id: c.id, name: c.name, current: { purchases: c.purchases, revenue: c.revenue }, proposed: zero });
  }
  const zeroCurrent = { purchases: 0, revenue: formatAmount(0, current.currency) };
  for (const info of infos) {
    const p = proposedBy.get(info.id)!;
    const row = rows.get(info.external_id) ?? {
      id: info.external_id,
      name: info.name ?? info.external_id,
      current: zeroCurrent,
      proposed: zero,
    };
    row.proposed = {
      purchases: p.purchases,
      revenue: formatAmount(new Money(p.gross).minus(p.refunded), currency),
    };
    rows.set(info.external_id, row);
  }
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    current: currentSummary,
    proposed: proposedSummary,
    campaigns: [...rows.values()].sort((a, b) => compareCodePoints(a.id, b.id)),
    orders: moves,
  };
}
