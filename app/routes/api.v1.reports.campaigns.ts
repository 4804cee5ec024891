import { stringify } from "csv-stringify/sync";
import { apiRoute, json } from "../http/api.server";
import { parseReportParams } from "../http/report-params.server";
import { CAMPAIGN_ROW_FIELDS, campaignReport } from "../reports/campaigns.server";

/** GET /api/v1/reports/campaigns?from=&to=[&format=csv]: the campaign revenue report (docs/openapi.json), JSON or CSV. */
export const { loader, action } = apiRoute({
  GET: async ({ request, shop }) => {
    const { range, format } = parseReportParams(request, { csv: true });
    const report = await campaignReport(shop.id, range);
    if (format === "csv") {
      const body = stringify(report.campaigns, { header: true, columns: [...CAMPAIGN_ROW_FIELDS] });
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
