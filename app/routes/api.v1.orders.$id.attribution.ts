import { apiRoute, json } from "../http/api.server";
import { notFound } from "../http/errors";
import { orderAttribution } from "../reports/campaigns.server";

/** GET /api/v1/orders/{id}/attribution: which campaign earned the order and why, or why none did. */
export const { loader, action } = apiRoute({
  GET: async ({ params, shop }) => {
    const result = await orderAttribution(shop.id, params.id ?? "");
    if (!result) throw notFound("The order");
    return json(result);
  },
});
