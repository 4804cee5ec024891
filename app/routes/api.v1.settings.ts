import { apiRoute, json } from "../http/api.server";
import { readSettingsPatch } from "../http/settings-body.server";
import { changeSettings, readSettings } from "../settings/settings.server";

/** GET/PUT /api/v1/settings: PUT takes any subset and starts the re-attribution when it changes attribution. */
export const { loader, action } = apiRoute({
  GET: async ({ shop }) => json(await readSettings(shop.id)),
  PUT: async ({ request, shop }) => json(await changeSettings(shop.id, await readSettingsPatch(request))),
});
