import { apiRoute, json } from "../http/api.server";
import { parseSettingsPatch, readSettingsBody } from "../http/settings-body.server";
import { changeSettings, readSettings } from "../settings/settings.server";
import { setSesTopicArns } from "../data/shops.server";
import { takeSesPatch } from "../settings/ses-topics.server";

/** GET/PUT /api/v1/settings: PUT takes any subset and starts the re-attribution when it changes attribution. */
export const { loader, action } = apiRoute({
  GET: async ({ shop }) => json(await readSettings(shop.id)),
  PUT: async ({ request, shop, actor }) => {
    const body = await readSettingsBody(request);
    // providers.ses (the pinned SNS topics) is not a secret: handled beside the settings schema.
    const ses = takeSesPatch(body);
    const patch = parseSettingsPatch(ses.rest, ses.details);
    if (ses.topicArns !== undefined) await setSesTopicArns(shop.id, ses.topicArns);
    return json(await changeSettings(shop.id, patch, actor));
  },
});
