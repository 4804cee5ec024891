import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateShop } from "../admin/context.server";
import { resolvePeriod } from "../admin/period";
import { ApiError } from "../http/errors";
import { readSettingsPatch } from "../http/settings-body.server";
import { previewSettings } from "../reports/preview.server";

/**
 * POST /app/settings/preview (JSON: the draft settings, as PUT /api/v1/settings takes them): the settings page's
 * "Preview", the same computation as POST /api/v1/settings/preview over the last 30 days in the shop's time zone
 * (or `?period=…` like the report). Saves nothing. Authenticated like the page (session token).
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  try {
    const patch = await readSettingsPatch(request);
    const period = resolvePeriod(new URL(request.url).searchParams, shop.timezone);
    const preview = await previewSettings(shop.id, patch, { from: period.from, to: period.to });
    return Response.json(
      { ok: true as const, preview, period: { start: period.start, end: period.end } },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    if (error instanceof ApiError)
      return Response.json({ ok: false as const, message: error.message, details: error.details }, { status: 400 });
    throw error;
  }
};
