import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/receive.server";

/** POST /webhooks/bulk_operations/finish (declared in shopify.app.toml): HMAC first, like every webhook route. */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "bulk_operations/finish");
