/**
 * Starts msw in a Node process (the test server, via `node --import tsx --import ./tests/msw/node.ts server.mjs`),
 * so outbound calls to outside services are answered by the handlers, one file per service. Anything else (local
 * PostgreSQL, Redis, the app itself) passes through.
 */
import { setupServer } from "msw/node";
import { awsSnsHandlers } from "./aws-sns";

const extra: Array<import("msw").RequestHandler> = [];
try {
  const shopify = await import("./shopify-admin");
  extra.push(...((shopify as { shopifyAdminHandlers?: import("msw").RequestHandler[] }).shopifyAdminHandlers ?? []));
} catch {
  /* no Shopify Admin handlers yet */
}

export const server = setupServer(...awsSnsHandlers, ...extra);
server.listen({ onUnhandledRequest: "bypass" });
