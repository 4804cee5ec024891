import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/receive.server";

/** POST /webhooks/orders/create (declared in shopify.app.toml). */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "orders/create");
