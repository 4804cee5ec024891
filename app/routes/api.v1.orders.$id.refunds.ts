import { apiRoute, json } from "../http/api.server";
import { parseJsonBody } from "../http/parse.server";
import { parseApiRefund } from "../ingest/api";
import { ingestRefund } from "../ingest/store.server";

/** POST /api/v1/orders/{id}/refunds: the order need not exist yet; the same refund id again changes nothing. */
export const { loader, action } = apiRoute({
  POST: async ({ request, params, shop }) => {
    const { refund } = await parseJsonBody(request, (raw) => parseApiRefund(raw, params.id ?? ""));
    const counts = await ingestRefund(shop.id, refund);
    return json(counts, 202);
  },
});
