import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/receive.server";

/** POST /webhooks/shop/redact (declared in shopify.app.toml). */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "shop/redact");
