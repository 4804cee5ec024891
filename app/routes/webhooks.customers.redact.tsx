import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/receive.server";

/** POST /webhooks/customers/redact (declared in shopify.app.toml). */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "customers/redact");
