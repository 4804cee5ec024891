import { apiRoute, json } from "../http/api.server";
import { notFound } from "../http/errors";
import { importOf } from "../imports/service.server";

/** GET /api/v1/imports/{id}: one import or reconciliation run of the key's shop. */
export const { loader, action } = apiRoute({
  GET: async ({ params, shop }) => {
    const found = await importOf(shop.id, params.id ?? "");
    if (!found) throw notFound("The import");
    return json(found);
  },
});
