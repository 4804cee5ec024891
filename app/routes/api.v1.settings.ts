import { parseWithDetails } from "../domain/validation";
import { settingsPatchSchema } from "../domain/settings";
import { apiRoute, json } from "../http/api.server";
import { readText } from "../http/body.server";
import { invalid } from "../http/errors";
import { DEFAULT_MAX_DEPTH, nestingDepth } from "../ingest/json";
import { changeSettings, readSettings } from "../settings/settings.server";
import { setSesTopicArns } from "../data/shops.server";
import { takeSesPatch } from "../settings/ses-topics.server";

/** GET/PUT /api/v1/settings: PUT takes any subset and starts the re-attribution when it changes attribution. */
export const { loader, action } = apiRoute({
  GET: async ({ shop }) => json(await readSettings(shop.id)),
  PUT: async ({ request, shop, actor }) => {
    const text = await readText(request, ["application/json"]);
    // The same nesting limit as every other JSON ingress: a hostile body must not exhaust the stack.
    if (nestingDepth(text, DEFAULT_MAX_DEPTH) > DEFAULT_MAX_DEPTH) {
      throw invalid([{ path: "body", message: `JSON nesting is deeper than ${DEFAULT_MAX_DEPTH}` }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalid([{ path: "body", message: "not valid JSON" }], "The body is not valid JSON.");
    }
    const nul = nulPaths(body);
    if (nul.length) throw invalid(nul.map((path) => ({ path, message: "must not contain NUL (\\u0000) characters" })));
    // providers.ses (the pinned SNS topics) is not a secret: handled beside the settings schema.
    const ses = takeSesPatch(body);
    const parsed = parseWithDetails(settingsPatchSchema, ses.rest);
    const details = [...(parsed.ok ? [] : parsed.details), ...ses.details];
    if (!parsed.ok || details.length)
      throw invalid(details.map((d) => ({ path: d.path || "body", message: d.message })));
    if (ses.topicArns !== undefined) await setSesTopicArns(shop.id, ses.topicArns);
    return json(await changeSettings(shop.id, parsed.data, actor));
  },
});

/** Paths of strings holding NUL, which PostgreSQL text cannot store (it would fail the write with a 500). */
function nulPaths(v: unknown, path = ""): string[] {
  if (typeof v === "string") return v.includes("\u0000") ? [path || "body"] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulPaths(x, `${path}[${i}]`));
  if (v && typeof v === "object") {
    return Object.entries(v).flatMap(([k, x]) => [
      ...(k.includes("\u0000") ? [path || "body"] : []),
      ...nulPaths(x, path ? `${path}.${k}` : k),
    ]);
  }
  return [];
}
