import { resolvePeriod } from "../admin/period";
import { apiRoute, json } from "../http/api.server";
import { parseReportParams } from "../http/report-params.server";
import { readSettingsPatch } from "../http/settings-body.server";
import { previewSettings } from "../reports/preview.server";

/**
 * POST /api/v1/settings/preview[?from=&to=]: the period's report under the proposed settings (the body: the same
 * subset PUT takes) next to the current one, per campaign before/after, and the orders gained, lost, moved. Saves
 * nothing. Without from/to: the last 30 days in the shop's time zone.
 */
export const { loader, action } = apiRoute({
  POST: async ({ request, shop }) => {
    const url = new URL(request.url);
    const given = (url.searchParams.get("from") ?? "") !== "" || (url.searchParams.get("to") ?? "") !== "";
    const range = given ? parseReportParams(request).range : resolvePeriod(new URLSearchParams(), shop.timezone);
    const patch = await readSettingsPatch(request);
    return json(await previewSettings(shop.id, patch, { from: range.from, to: range.to }));
  },
});
