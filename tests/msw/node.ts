/**
 * Starts msw in a Node process (the test server, via `node --import tsx --import ./tests/msw/node.ts server.mjs`),
 * so outbound calls to outside services are answered by the handlers, one file per service. Anything else (local
 * PostgreSQL, Redis, the app itself) passes through.
 */
import { setupServer } from "msw/node";
import { awsSnsHandlers } from "./aws-sns";
import { shopifyAdminHandlers } from "./shopify-admin";

export const server = setupServer(...awsSnsHandlers, ...shopifyAdminHandlers);
server.listen({ onUnhandledRequest: "bypass" });
