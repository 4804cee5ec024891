import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveFlowLifecycle } from "../flow/lifecycle.server";

/** POST /flow/lifecycle: Shopify Flow's trigger lifecycle callback (app/flow/lifecycle.server.ts). */
export const action = ({ request }: ActionFunctionArgs) => receiveFlowLifecycle(request);
export const loader = ({ request }: ActionFunctionArgs) => receiveFlowLifecycle(request);
