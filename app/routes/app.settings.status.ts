import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateShop } from "../admin/context.server";
import { readSettings } from "../settings/settings.server";

/**
 * The re-attribution status the settings and report pages poll while it runs:
 * `{"state": "idle"|"running", "version", "attributed_version", "progress": {"done", "total"} | null}`.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  const settings = await readSettings(shop.id);
  return Response.json(settings.attribution, { headers: { "Cache-Control": "no-store" } });
};
