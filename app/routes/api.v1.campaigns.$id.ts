import { stringify } from "csv-stringify/sync";
import { orderAdminUrl } from "../admin/order-links";
import { spreadsheetText } from "../admin/report-table";
import { apiRoute, json } from "../http/api.server";
import { notFound } from "../http/errors";
import { parseReportParams } from "../http/report-params.server";
import { CAMPAIGN_ORDER_FIELDS, campaignDetail } from "../reports/campaigns.server";

/**
 * GET /api/v1/campaigns/{id}?from=&to=[&format=csv]: one campaign's report row plus its attributed orders of the
 * period. As CSV (`Accept: text/csv` or `format=csv`): the orders, by name, with a link to each in Shopify admin.
 */
export const { loader, action } = apiRoute({
  GET: async ({ request, params, shop }) => {
    const { range, format } = parseReportParams(request, { csv: true });
    const detail = await campaignDetail(shop.id, params.id ?? "", range);
    if (!detail) throw notFound("The campaign");
    if (format === "csv") {
      const rows = detail.orders.map((o) => ({
        ...o,
        name: o.name === null ? "" : spreadsheetText(o.name),
        admin_url: orderAdminUrl(shop.domain, o.id) ?? "",
      }));
      const body = stringify(rows, { header: true, columns: [...CAMPAIGN_ORDER_FIELDS] });
      return new Response(body, {
        headers: {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": `attachment; filename="campaign-orders-${detail.from.slice(0, 10)}-${detail.to.slice(0, 10)}.csv"`,
        },
      });
    }
    return json(detail);
  },
});
