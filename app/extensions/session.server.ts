/**
 * Requests from the app's admin UI extensions (the order details block) and from App Bridge `fetch` in the app's
 * pages: authenticated by the Shopify session token (OpenID Connect ID token, HS256 with the app secret) that the
 * admin adds as `Authorization: Bearer …`, through `authenticate.admin` of @shopify/shopify-app-remix, which also
 * answers CORS preflights (OPTIONS -> 204) and adds CORS headers for the admin's origin.
 *
 * A request without a bearer token is refused here with 401 (and CORS headers, so the extension can read it),
 * rather than redirected to the login page as a document request would be.
 */
import { ensureShop, findShopByDomain } from "../data/shops.server";
import { ApiError, errorResponse } from "../http/errors";
import { authenticate } from "../shopify.server";

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
};

export type Cors = (response: Response) => Response;

/** The shop of the session token, and the helper that adds CORS headers to a response; throws a Response. */
export async function authenticateExtension(request: Request) {
  if (request.method !== "OPTIONS" && !/^Bearer\s+\S+/i.test(request.headers.get("authorization") ?? "")) {
    const refused = errorResponse(
      new ApiError("unauthorized", "A Shopify session token is required: Authorization: Bearer <id token>."),
    );
    for (const [k, v] of Object.entries(CORS)) refused.headers.set(k, v);
    throw refused;
  }
  const { session, cors } = await authenticate.admin(request);
  const shop = (await findShopByDomain(session.shop)) ?? (await ensureShop(session.shop));
  return { session, shop, cors: cors as Cors };
}

/** A JSON response with CORS headers. */
export function corsJson(cors: Cors, body: unknown, status = 200): Response {
  return cors(
    new Response(JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    }),
  );
}
