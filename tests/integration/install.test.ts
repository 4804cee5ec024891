/**
 * After install (shopify.server.ts `afterAuth` -> onShopAuthenticated): the shop's currency and time zone are read
 * with the `shop` query, and the click pixel is activated with webPixelCreate / webPixelUpdate, its id stored in
 * shops.web_pixel_id. Shopify's Admin API is the msw fake of tests/msw/shopify-admin.ts; the GraphQL client is the
 * app's own (`unauthenticated.admin` on a stored offline session), so the real request goes out and is intercepted.
 */
import { Session } from "@shopify/shopify-api";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pixelToken } from "../../app/pixel/token.server";
import { FakeShopifyAdmin, createShopifyAdminHandlers } from "../msw/shopify-admin";
import { db, http, stackEnv, uniqueShopDomain } from "../support/api";

const admin = new FakeShopifyAdmin();
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

async function shopRow(domain: string) {
  const r = await db().query(
    `SELECT id, currency, timezone, name, web_pixel_id, installed_at FROM shops WHERE domain = $1`,
    [domain],
  );
  return r.rows[0];
}

describe("after install", () => {
  it("records currency and time zone, creates the pixel with its settings and stores its id", async () => {
    const domain = uniqueShopDomain("inst");
    const fake = admin.addShop(domain, { name: "Berlin Tea", currencyCode: "EUR", ianaTimezone: "Europe/Berlin" });
    await install(domain);

    const row = await shopRow(domain);
    expect(row).toMatchObject({ currency: "EUR", timezone: "Europe/Berlin", name: "Berlin Tea" });
    expect(row.installed_at).not.toBeNull();
    expect(admin.callsTo(domain).map((c) => c.operation)).toEqual(["shop", "webPixelCreate"]);
    expect(admin.callsTo(domain)[0]!.apiVersion).toMatch(/^\d{4}-\d{2}$/);
    expect(row.web_pixel_id).toBe(fake.webPixel!.id);
    expect(JSON.parse(fake.webPixel!.settings)).toEqual({
      app_url: stackEnv().SHOPIFY_APP_URL,
      shop_token: pixelToken(BigInt(row.id), stackEnv().SHOPIFY_API_SECRET),
    });

    // the token the pixel was given is accepted by the pixel endpoint for this shop
    const { shop_token } = JSON.parse(fake.webPixel!.settings);
    const res = await http("POST", `/pixel/${shop_token}`, {
      raw: JSON.stringify({
        shop: domain,
        order_id: "1",
        checkout_token: "chk-1",
        message_id: "m",
        landed_at: "2026-11-01T10:00:00Z",
        occurred_at: "2026-11-01T10:05:00Z",
      }),
      headers: { "Content-Type": "text/plain" },
    });
    expect(res.status).toBe(202);
  });

  it("on re-auth updates the stored pixel instead of creating another", async () => {
    const domain = uniqueShopDomain("reauth");
    const fake = admin.addShop(domain);
    await install(domain);
    const id = fake.webPixel!.id;
    await install(domain);
    expect(admin.callsTo(domain).map((c) => c.operation)).toEqual(["shop", "webPixelCreate", "shop", "webPixelUpdate"]);
    expect(admin.callsTo(domain, "webPixelUpdate")[0]!.variables.id).toBe(id);
    expect((await shopRow(domain)).web_pixel_id).toBe(id);
  });

  it("creates the pixel again when Shopify no longer has the stored one (reinstall after uninstall)", async () => {
    const domain = uniqueShopDomain("reinst");
    const fake = admin.addShop(domain);
    await install(domain);
    const oldId = fake.webPixel!.id;
    fake.webPixel = null; // Shopify deletes an app's pixel on uninstall
    await install(domain);
    expect(
      admin
        .callsTo(domain)
        .map((c) => c.operation)
        .slice(2),
    ).toEqual(["shop", "webPixelUpdate", "webPixelCreate"]);
    expect(fake.webPixel!.id).not.toBe(oldId);
    expect((await shopRow(domain)).web_pixel_id).toBe(fake.webPixel!.id);
  });

  it("adopts a pixel the app already has on the shop when the stored id was lost (TAKEN)", async () => {
    const domain = uniqueShopDomain("taken");
    const fake = admin.addShop(domain, { webPixel: { id: "gid://shopify/WebPixel/77", settings: "{}" } });
    await install(domain);
    expect(admin.callsTo(domain).map((c) => c.operation)).toEqual([
      "shop",
      "webPixelCreate",
      "webPixel",
      "webPixelUpdate",
    ]);
    expect((await shopRow(domain)).web_pixel_id).toBe("gid://shopify/WebPixel/77");
    expect(JSON.parse(fake.webPixel!.settings).shop_token).toMatch(/^\d+\./);
  });

  it("a failing pixel activation does not fail the install", async () => {
    const domain = uniqueShopDomain("pxfail");
    admin.addShop(domain, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo", requiredSettings: ["something_else"] });
    await expect(install(domain)).resolves.toBeTruthy();
    const row = await shopRow(domain);
    expect(row).toMatchObject({ currency: "JPY", timezone: "Asia/Tokyo", web_pixel_id: null });
  });
});
