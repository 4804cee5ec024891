import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { authenticateShop } from "../admin/context.server";
import { recordAudit } from "../data/audit.server";
import { resolvePeriod } from "../admin/period";
import { exportRows, parseSort, sortRows } from "../admin/report-table";
import { insightColumns } from "../admin/insight-export";
import { compareFromParams } from "../domain/compare";
import { campaignReport, type CampaignRowJson } from "../reports/campaigns.server";
import { readSettings } from "../settings/settings.server";

/**
 * GET /app/reports/export?period=…[&start&end][&revenue=1][&compare=…][&sort&dir]: the report page's campaign table as a CSV
 * download, the same rows in the same order, revenue columns when the `$` toggle is on. Authenticated like the
 * page (session token); the page fetches it and saves the file.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, actor } = await authenticateShop(request);
  const url = new URL(request.url);
  const period = resolvePeriod(url.searchParams, shop.timezone);
  const settings = await readSettings(shop.id);
  const showRevenue = settings.enabled && url.searchParams.get("revenue") === "1";
  const compare = showRevenue ? compareFromParams(url.searchParams) : null;
  const report = await campaignReport(
    shop.id,
    { from: period.from, to: period.to },
    { compare, timeZone: period.timeZone },
  );
  const sort = parseSort(url.searchParams.get("sort"), url.searchParams.get("dir"), showRevenue);
  const rows = sortRows(report.campaigns, sort.key, sort.direction) as CampaignRowJson[];
  const table = exportRows(rows, showRevenue, report.currency);
  if (showRevenue) {
    // Holdout and compare columns (docs/holdouts.md), after the others.
    const extra = insightColumns(rows, report.currency, compare !== null);
    table[0]!.push(...extra.header);
    rows.forEach((r, i) => table[i + 1]!.push(...extra.cells(r)));
  }
  const body = stringify(table);
  const filename = `campaign-revenue_${period.start}_${period.end}.csv`;
  await recordAudit(shop.id, actor, "export.report", { from: period.start, to: period.end, rows: rows.length });
  return new Response(`\uFEFF${body}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
};
