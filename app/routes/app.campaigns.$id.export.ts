import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { authenticateShop } from "../admin/context.server";
import { orderAdminUrl } from "../admin/order-links";
import { resolvePeriod } from "../admin/period";
import { spreadsheetText } from "../admin/report-table";
import { campaignDetail } from "../reports/campaigns.server";

/**
 * GET /app/campaigns/{id}/export?period=…: the campaign page's attributed orders as a CSV download: order name
 * (`#1001`), id, a link to the order in Shopify admin, time of sale (UTC) and money. Authenticated like the page.
 */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  const url = new URL(request.url);
  const period = resolvePeriod(url.searchParams, shop.timezone);
  const detail = await campaignDetail(shop.id, params.id ?? "", { from: period.from, to: period.to });
  if (!detail) throw new Response("This campaign is unknown to your store.", { status: 404 });
  const currency = detail.currency;
  const rows = [
    [
      "Order",
      "Order ID",
      "Shopify admin",
      "Time of sale (UTC)",
      `Gross (${currency})`,
      `Refunded (${currency})`,
      `Revenue (${currency})`,
    ],
    ...detail.orders.map((o) => [
      o.name ? spreadsheetText(o.name) : "",
      o.id,
      orderAdminUrl(shop.domain, o.id) ?? "",
      o.time_of_sale,
      o.gross,
      o.refunded,
      o.revenue,
    ]),
  ];
  const safeId = detail.id.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
  return new Response(`\uFEFF${stringify(rows)}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="campaign-${safeId}-orders_${period.start}_${period.end}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
