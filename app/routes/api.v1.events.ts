import { apiRoute, json } from "../http/api.server";
import { parseJsonBody } from "../http/parse.server";
import { parseApiEvents } from "../ingest/api";
import { ingestEvents } from "../ingest/store.server";

/** POST /api/v1/events ("Generate event"): 1 to 5000 message events. */
export const { loader, action } = apiRoute({
  POST: async ({ request, shop }) => {
    const { events } = await parseJsonBody(request, (raw) => parseApiEvents(raw));
    const counts = await ingestEvents(shop.id, events);
    return json(counts, 202);
  },
});
