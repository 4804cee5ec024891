/**
 * Issue 10, item 2: Shopify's HMAC covers the body, not the topic or the shop header. A signed body of one topic
 * must not act as another (a customers/data_request body posted to /webhooks/shop/redact deleted the whole shop),
 * the topic header must name the route's topic, shop/redact acts only on an uninstalled shop, and order/refund
 * webhooks for an unknown or uninstalled shop are refused instead of creating a shop.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordShopDetails } from "../../app/data/shops.server";
import {
  type Call,
  createShopWithKey,
  db,
  http,
  postShopifyWebhook,
  settled,
  shopifyHmac,
  uniqueShopDomain,
  waitFor,
} from "../support/api";
import { shopifyOrderBody, shopifyRefundBody } from "../support/faults";

const body = (o: unknown) => JSON.stringify(o);

/** A correctly signed delivery to `/webhooks/<routeTopic>` whose X-Shopify-Topic header says `headerTopic`. */
function postWithTopic(routeTopic: string, headerTopic: string | null, domain: string, raw: string): Promise<Call> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Shop-Domain": domain,
    "X-Shopify-Webhook-Id": randomBytes(8).toString("hex"),
    "X-Shopify-Hmac-Sha256": shopifyHmac(raw),
  };
  if (headerTopic !== null) headers["X-Shopify-Topic"] = headerTopic;
  return http("POST", `/webhooks/${routeTopic}`, { raw, headers });
}

async function seededShop() {
  const shop = await createShopWithKey();
  const res = await http("POST", "/api/v1/orders", {
    key: shop.key,
    body: { orders: [{ id: "1", processed_at: "2026-11-01T20:00:00Z", currency: "USD", total_price: "5.00" }] },
  });
  expect(res.status).toBe(202);
  await settled(shop.shopId);
  return shop;
}

async function uninstall(domain: string) {
  const res = await postShopifyWebhook("app/uninstalled", domain, body({ id: 1, name: "S", myshopify_domain: domain }));
  expect(res.status).toBe(200);
  await waitFor(async () => {
    const r = await db().query(`SELECT uninstalled_at FROM shops WHERE domain = $1`, [domain]);
    return r.rows[0]?.uninstalled_at != null;
  });
}

const shopExists = async (domain: string) =>
  (await db().query(`SELECT count(*)::int AS n FROM shops WHERE domain = $1`, [domain])).rows[0].n === 1;
const deliveries = async (domain: string) =>
  (await db().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [domain])).rows[0].n;

describe("Shopify webhooks: topics and shops", () => {
  it("refuses a customers/data_request body posted to /webhooks/shop/redact (each topic has its own strict shape)", async () => {
    const shop = await seededShop();
    await uninstall(shop.domain);
    const dataRequest = body({
      shop_id: 1,
      shop_domain: shop.domain,
      orders_requested: [],
      customer: { id: 1, email: "a@example.com", phone: null },
      data_request: { id: 9 },
    });
    const asRedact = await postShopifyWebhook("shop/redact", shop.domain, dataRequest);
    expect(asRedact.status).toBe(400);
    expect(asRedact.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(["data_request", "orders_requested", "customer"]),
    );
    // The same body under the customers/redact route is refused too (it lacks orders_to_redact, has data_request).
    const asCustomerRedact = await postShopifyWebhook("customers/redact", shop.domain, dataRequest);
    expect(asCustomerRedact.status).toBe(400);
    // And a customers/redact body is no data request.
    const redact = body({ shop_id: 1, shop_domain: shop.domain, customer: { id: 1 }, orders_to_redact: [] });
    expect((await postShopifyWebhook("customers/data_request", shop.domain, redact)).status).toBe(400);
    expect((await postShopifyWebhook("shop/redact", shop.domain, redact)).status).toBe(400);
    expect(await shopExists(shop.domain)).toBe(true);
    expect(await deliveries(shop.domain)).toBe(1); // the app/uninstalled delivery only
  });

  it("refuses (401) a delivery whose X-Shopify-Topic is missing or is not the route's topic", async () => {
    const shop = await seededShop();
    await uninstall(shop.domain);
    const redact = body({ shop_id: 1, shop_domain: shop.domain });
    for (const topic of ["customers/data_request", "orders/create", null]) {
      const res = await postWithTopic("shop/redact", topic, shop.domain, redact);
      expect(res.status, String(topic)).toBe(401);
      expect(res.body.error.details).toEqual([{ path: "headers.X-Shopify-Topic", message: expect.any(String) }]);
    }
    expect(await deliveries(shop.domain)).toBe(1);
    expect(await shopExists(shop.domain)).toBe(true);
    // The right topic header is accepted.
    expect((await postWithTopic("shop/redact", "shop/redact", shop.domain, redact)).status).toBe(200);
  });

  it("refuses to erase an installed (or reinstalled) shop on shop/redact; erases it once uninstalled", async () => {
    const shop = await seededShop();
    const redact = body({ shop_id: 1, shop_domain: shop.domain });
    const installed = await postShopifyWebhook("shop/redact", shop.domain, redact);
    expect(installed.status).toBe(200);
    await settled(shop.shopId);
    expect(await shopExists(shop.domain)).toBe(true);
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).status).toBe(200);

    // Uninstalled, then reinstalled before the redaction arrives: still kept.
    await uninstall(shop.domain);
    await recordShopDetails(shop.domain, { name: "S", currency: "USD", timezone: "UTC" });
    expect((await postShopifyWebhook("shop/redact", shop.domain, redact)).status).toBe(200);
    await settled(shop.shopId);
    expect(await shopExists(shop.domain)).toBe(true);
    const orders = await db().query(`SELECT count(*)::int AS n FROM orders WHERE shop_id = $1`, [shop.shopId]);
    expect(orders.rows[0].n).toBe(1);

    await uninstall(shop.domain);
    expect((await postShopifyWebhook("shop/redact", shop.domain, redact)).status).toBe(200);
    await waitFor(async () => !(await shopExists(shop.domain)), 20_000, "shop erased");
  });

  it("refuses (401) order and refund webhooks for an unknown shop instead of creating it", async () => {
    const domain = uniqueShopDomain("unknown");
    const order = shopifyOrderBody({ id: "77", createdAt: "2026-11-01T10:00:00Z", total: "9.00", email: "x@y.z" });
    const res = await postShopifyWebhook("orders/create", domain, order);
    expect(res.status).toBe(401);
    const refund = shopifyRefundBody({ id: "5", orderId: "77", createdAt: "2026-11-02T10:00:00Z", amount: "1.00" });
    expect((await postShopifyWebhook("refunds/create", domain, refund)).status).toBe(401);
    expect(await shopExists(domain)).toBe(false);
    expect(await deliveries(domain)).toBe(0);
  });

  it("refuses (401) order and refund webhooks for an uninstalled shop, writing no order", async () => {
    const shop = await createShopWithKey();
    await uninstall(shop.domain);
    const order = shopifyOrderBody({ id: "78", createdAt: "2026-11-01T10:00:00Z", total: "9.00", email: "x@y.z" });
    expect((await postShopifyWebhook("orders/create", shop.domain, order)).status).toBe(401);
    expect((await postShopifyWebhook("orders/updated", shop.domain, order)).status).toBe(401);
    const refund = shopifyRefundBody({ id: "6", orderId: "78", createdAt: "2026-11-02T10:00:00Z", amount: "1.00" });
    expect((await postShopifyWebhook("refunds/create", shop.domain, refund)).status).toBe(401);
    expect(await deliveries(shop.domain)).toBe(1); // app/uninstalled
    const orders = await db().query(`SELECT count(*)::int AS n FROM orders WHERE shop_id = $1`, [shop.shopId]);
    expect(orders.rows[0].n).toBe(0);
  });
});
