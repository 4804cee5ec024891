import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateExtension, corsJson } from "../extensions/session.server";
import { orderBlock } from "../reports/order-block.server";

/**
 * GET /extensions/orders/{id}/attribution: what the order details block shows (app/reports/order-block.server.ts),
 * for the shop of the session token. `id` is the Shopify order id, numeric or as a GID (gid://shopify/Order/123).
 * OPTIONS (CORS preflight from the admin) is answered by `authenticate.admin`.
 */
async function handle({ request, params }: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> {
  const { shop, cors } = await authenticateExtension(request);
  if (request.method !== "GET") {
    return corsJson(cors, { error: { code: "method_not_allowed", message: "Only GET.", details: [] } }, 405);
  }
  const raw = decodeURIComponent(params.id ?? "");
  const id = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(raw)?.[1] ?? raw;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(id)) {
    return corsJson(
      cors,
      {
        error: {
          code: "invalid_request",
          message: "The order id is invalid.",
          details: [{ path: "id", message: "must be a Shopify order id" }],
        },
      },
      400,
    );
  }
  const body = await orderBlock({ id: shop.id, domain: shop.domain }, id);
  if (!body) {
    return corsJson(cors, { error: { code: "not_found", message: "The order was not found.", details: [] } }, 404);
  }
  return corsJson(cors, body);
}

export const loader = handle;
export const action = handle;
