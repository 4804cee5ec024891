/**
 * The first install starts the history import (as far back as the scopes allow); a re-auth does not start another.
 * Shopify's Admin API for the install itself is the msw fake in this process (as in install.test.ts); the import
 * runs in the worker against the worker's fake.
 */
import { Session } from "@shopify/shopify-api";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeShopifyAdmin, createShopifyAdminHandlers } from "../msw/shopify-admin";
import { db, stackEnv, uniqueShopDomain, waitFor } from "../support/api";

const admin = new FakeShopifyAdmin({ anyShop: true });
const server = setupServer(...createShopifyAdminHandlers(admin));
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());

async function install(domain: string) {
  const { sessionStorage, unauthenticated } = await import("../../app/shopify.server");
  const { onShopAuthenticated } = await import("../../app/shops/install.server");
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${domain}`,
      shop: domain,
      state: "test",
      isOnline: false,
      accessToken: "shpat_test",
      scope: stackEnv().SCOPES,
    }),
  );
  const { admin: client } = await unauthenticated.admin(domain);
  return onShopAuthenticated(domain, (query, variables) => client.graphql(query, { variables }));
}

describe("install", () => {
  it("starts the history import once, without a start date", async () => {
    const domain = uniqueShopDomain("autoimp");
    const shop = await install(domain);
    const runs = async () =>
      (
        await db().query(`SELECT trigger, since, state FROM imports WHERE shop_id = $1 AND kind = 'history'`, [
          shop.id.toString(),
        ])
      ).rows;
    expect(await runs()).toEqual([expect.objectContaining({ trigger: "install", since: null })]);
    // the worker runs it (the fake has no orders for this shop: Shopify gives no result file)
    await waitFor(async () => (await runs())[0]?.state === "completed", 30_000, "the install's import");
    await install(domain);
    expect(await runs()).toHaveLength(1);
  });
});
