import { parseWithDetails } from "../domain/validation";
import { settingsPatchSchema } from "../domain/settings";
import { apiRoute, json } from "../http/api.server";
import { readText } from "../http/body.server";
import { invalid } from "../http/errors";
import { changeSettings, readSettings } from "../settings/settings.server";

/** GET/PUT /api/v1/settings: PUT takes any subset and starts the re-attribution when it changes attribution. */
export const { loader, action } = apiRoute({
  GET: async ({ shop }) => json(await readSettings(shop.id)),
  PUT: async ({ request, shop }) => {
    const text = await readText(request, ["application/json"]);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalid([{ path: "body", message: "not valid JSON" }], "The body is not valid JSON.");
    }
    const parsed = parseWithDetails(settingsPatchSchema, body);
    if (!parsed.ok) throw invalid(parsed.details.map((d) => ({ path: d.path || "body", message: d.message })));
    return json(await changeSettings(shop.id, parsed.data));
  },
});
