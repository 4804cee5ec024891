import { apiRoute, json } from "../http/api.server";
import { rotateIngestToken } from "../settings/settings.server";

/**
 * POST /api/v1/settings/ingest-token/rotate: a new provider ingest token; every URL built from the old one answers
 * 404 from now on. -> 200 with the settings body (GET /api/v1/settings), holding the new `ingest` token and URLs.
 */
export const { loader, action } = apiRoute({
  POST: async ({ shop, actor }) => json(await rotateIngestToken(shop.id, actor)),
});
