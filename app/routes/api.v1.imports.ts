import { apiRoute, json } from "../http/api.server";
import { readText } from "../http/body.server";
import { invalid } from "../http/errors";
import { importsOf, parseImportRequest, requestImport } from "../imports/service.server";

/**
 * POST /api/v1/imports `{"since": "YYYY-MM-DD"}` (optional; `"kind": "reconciliation"` runs a reconciliation now)
 * -> 202 {import}; 409 while one runs. GET /api/v1/imports[?kind=history|reconciliation] -> {"imports": [...]}.
 */
export const { loader, action } = apiRoute({
  GET: async ({ request, shop }) => {
    const kind = new URL(request.url).searchParams.get("kind");
    if (kind !== null && kind !== "history" && kind !== "reconciliation") {
      throw invalid([{ path: "kind", message: 'must be "history" or "reconciliation"' }]);
    }
    return json({ imports: await importsOf(shop.id, kind) });
  },
  POST: async ({ request, shop, actor }) => {
    // an empty POST (no body, no Content-Type) is "import as far back as the scopes allow"
    const text = await readText(request, request.headers.get("content-type") ? ["application/json"] : []);
    let body: unknown = {};
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        throw invalid([{ path: "body", message: "not valid JSON" }], "The body is not valid JSON.");
      }
    }
    const started = await requestImport(shop.id, parseImportRequest(body), "api", actor);
    return json(started, 202);
  },
});
