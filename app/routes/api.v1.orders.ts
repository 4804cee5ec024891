import { apiRoute, json } from "../http/api.server";
import { parseJsonBody } from "../http/parse.server";
import { parseApiOrders } from "../ingest/api";
import { ingestOrders } from "../ingest/store.server";

/** POST /api/v1/orders ("Add orders"): 1 to 1000 orders in Shopify's field names. */
export const { loader, action } = apiRoute({
  POST: async ({ request, shop }) => {
    const { orders } = await parseJsonBody(request, (raw) => parseApiOrders(raw));
    const counts = await ingestOrders(shop.id, orders);
    return json(counts, 202);
  },
});
