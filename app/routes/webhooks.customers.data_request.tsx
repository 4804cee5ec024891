import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/receive.server";

/** POST /webhooks/customers/data_request (declared in shopify.app.toml). */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "customers/data_request");
