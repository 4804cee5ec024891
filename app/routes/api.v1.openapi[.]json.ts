import { openApiDocument } from "../http/openapi.server";

/**
 * GET /api/v1/openapi.json: the API reference (OpenAPI 3.1), generated from the routes' own zod schemas. Public: it
 * describes the API and holds no shop data (the same document is docs/openapi.json in the repository).
 */
export async function loader() {
  return new Response(JSON.stringify(openApiDocument(), null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" },
  });
}
