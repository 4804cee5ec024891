import { stringify } from "csv-stringify/sync";
import { spreadsheetText } from "../admin/report-table";
import { apiRoute, json } from "../http/api.server";
import { parseReportParams } from "../http/report-params.server";
import { campaignReport, reportCsvRows } from "../reports/campaigns.server";

/**
 * GET /api/v1/reports/campaigns?from=&to=[&compare=previous_period|previous_year][&format=csv]: the campaign revenue
 * report (docs/openapi.json), JSON or CSV (holdout and compare columns: reportCsvRows).
 */
export const { loader, action } = apiRoute({
  GET: async ({ request, shop }) => {
    const { range, format, compare } = parseReportParams(request, { csv: true });
    const report = await campaignReport(shop.id, range, { compare, timeZone: shop.timezone });
    if (format === "csv") {
      // Text a spreadsheet would run as a formula (a campaign id or name from a provider) gets a leading apostrophe,
      // as in the admin's Export; counts and money stay plain numbers.
      const safe = {
        ...report,
        campaigns: report.campaigns.map((c) => ({
          ...c,
          id: spreadsheetText(c.id),
          name: spreadsheetText(c.name),
          sale_formula: spreadsheetText(c.sale_formula),
        })),
      };
      const csv = reportCsvRows(safe, compare !== null);
      const body = stringify([csv.columns, ...csv.rows]);
      return new Response(body, {
        status: 200,
        headers: {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": `attachment; filename="campaigns-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`,
        },
      });
    }
    return json(report);
  },
});
