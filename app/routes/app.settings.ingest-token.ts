import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateShop } from "../admin/context.server";
import { rotateIngestToken } from "../settings/settings.server";

/**
 * POST /app/settings/ingest-token (the settings page's "Rotate" button, IngestTokenCard): a new ingest token, the
 * old URLs stop working. Session-token authenticated like the page; recorded in the audit trail as the staff user.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor } = await authenticateShop(request);
  if (request.method !== "POST") return Response.json({ ok: false, message: "Use POST." }, { status: 405 });
  await rotateIngestToken(shop.id, actor);
  return Response.json({ ok: true, message: "New ingest URLs created; the old ones no longer work" });
};
