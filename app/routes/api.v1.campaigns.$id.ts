import { apiRoute, json } from "../http/api.server";
import { notFound } from "../http/errors";
import { parseReportParams } from "../http/report-params.server";
import { campaignDetail } from "../reports/campaigns.server";

/** GET /api/v1/campaigns/{id}?from=&to=: one campaign's report row plus its attributed orders of the period. */
export const { loader, action } = apiRoute({
  GET: async ({ request, params, shop }) => {
    const { range } = parseReportParams(request);
    const detail = await campaignDetail(shop.id, params.id ?? "", range);
    if (!detail) throw notFound("The campaign");
    return json(detail);
  },
});
