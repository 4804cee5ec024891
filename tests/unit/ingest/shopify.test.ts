import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseAppUninstalled,
  parseCustomersDataRequest,
  parseCustomersRedact,
  parseShopRedact,
  parseShopifyOrder,
  parseShopifyRefund,
  parseShopifyWebhook,
  readShopifyHeaders,
  verifyShopifyHmac,
} from "~/ingest/shopify";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");
const ORDER = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/shopify-order-create.json"), "utf8");

describe("Shopify HMAC", () => {
  const body = fx("shopify-hmac-vector-body.txt");
  it("verifies the published vector", () => {
    expect(body).toBe('{"foo": "bar"}');
    expect(verifyShopifyHmac(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "test_secret_key")).toBe(true);
    expect(
      verifyShopifyHmac(Buffer.from(body), "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "test_secret_key"),
    ).toBe(true);
  });
  it("refuses wrong secrets, bodies, and signatures", () => {
    expect(verifyShopifyHmac(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "wrong")).toBe(false);
    expect(verifyShopifyHmac(`${body}\n`, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "test_secret_key")).toBe(
      false,
    );
    expect(verifyShopifyHmac('{"foo":"bar"}', "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "test_secret_key")).toBe(
      false,
    );
    expect(verifyShopifyHmac(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7h=", "test_secret_key")).toBe(false);
    expect(verifyShopifyHmac(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g", "test_secret_key")).toBe(false);
    expect(verifyShopifyHmac(body, "", "test_secret_key")).toBe(false);
    expect(verifyShopifyHmac(body, null, "test_secret_key")).toBe(false);
    expect(verifyShopifyHmac(body, "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "")).toBe(false);
  });
  it("reads the documented headers (the example's HMAC has no body or key: not verifiable)", () => {
    const lines = fx("shopify-webhook-request-headers-example.txt").split(/\r?\n/).slice(1);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    expect(readShopifyHeaders(headers)).toEqual({
      topic: "products/update",
      shopDomain: "snowdevil.myshopify.com",
      webhookId: "545ebdd4-b7be-4d3d-b14e-54aa78e0e0f9",
      eventId: "59d6d79c-595f-4e7e-bc6f-72f5c3d0c66f",
      apiVersion: "2026-07",
      triggeredAt: new Date("2025-07-10T16:15:47Z"),
      hmac: "xT6yH5jZfQm6Q3lC8nA0r7sV2bP9dK1eL4wG0hM5nYI=",
      test: false,
    });
    expect(verifyShopifyHmac("", headers["x-shopify-hmac-sha256"], "any")).toBe(false);
    expect(readShopifyHeaders({ "shopify-topic": "orders/create", "shopify-webhook-id": "w1" })).toMatchObject({
      topic: "orders/create",
      webhookId: "w1",
    });
  });
});

describe("Shopify orders", () => {
  it("parses the orders/create fixture: exact ids, shop money, contact fields", () => {
    const r = parseShopifyOrder(ORDER);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.order).toEqual({
      externalId: "9007199254740993123",
      name: "#1042",
      processedAt: new Date("2026-03-14T09:22:40Z"),
      createdAt: new Date("2026-03-14T09:22:41Z"),
      updatedAt: new Date("2026-03-14T09:22:43Z"),
      currency: "USD",
      totalPrice: "404.95",
      email: "Anna.Schmidt@Example.de",
      phone: "+49 30 1234567",
      customer: { id: "9007199254741234567", email: "anna.schmidt@example.de", phone: "+4930 1234567" },
      test: false,
      cancelledAt: null,
      landingSite:
        "/products/aviator-sunglasses?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale&cr_mid=msg_01HXZ4N7Q2",
      refunds: [],
      checkoutToken: "c1b2f8a7e0d94b1f8e3f2a7c9d5e4b3a",
    });
  });

  it("uses shop money, not presentment money, and the order's rate for presentment-currency refunds", () => {
    const o = JSON.parse(ORDER);
    const raw = ORDER.replace(/"id": 9007199254740993123/, '"id": 9007199254740993124').replace(
      '"refunds": []',
      `"refunds": [{"id": 18014398509482001, "order_id": 9007199254740993124, "created_at": "2026-03-20T12:00:00+01:00",
        "transactions": [
          {"id": 1, "kind": "refund", "status": "success", "amount": "37.26", "currency": "EUR"},
          {"id": 2, "kind": "refund", "status": "failure", "amount": "10.00", "currency": "EUR"}
        ]},
        {"id": 18014398509482002, "created_at": "2026-03-21T12:00:00Z",
        "transactions": [{"id": 3, "kind": "refund", "status": "success", "amount": "9.20", "currency": "EUR",
          "amount_set": {"shop_money": {"amount": "10.00", "currency_code": "USD"}, "presentment_money": {"amount": "9.20", "currency_code": "EUR"}}}]}]`,
    );
    expect(o.total_price_set.presentment_money.amount).toBe("372.55");
    const r = parseShopifyOrder(raw);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.order.externalId).toBe("9007199254740993124");
    expect(r.order.totalPrice).toBe("404.95");
    // 37.26 EUR * 404.95 / 372.55 = 40.5006... USD -> 40.50
    expect(r.order.refunds).toEqual([
      {
        externalId: "18014398509482001",
        orderExternalId: "9007199254740993124",
        createdAt: new Date("2026-03-20T11:00:00Z"),
        amount: "40.50",
        currency: "USD",
      },
      {
        externalId: "18014398509482002",
        orderExternalId: "9007199254740993124",
        createdAt: new Date("2026-03-21T12:00:00Z"),
        amount: "10.00",
        currency: "USD",
      },
    ]);
  });

  it("falls back to total_price and contact_email, and reads cancelled/test orders", () => {
    const r = parseShopifyOrder(
      '{"id": 820982911946154508, "created_at": "2021-12-31T19:00:00-05:00", "cancelled_at": "2021-12-31T19:00:00-05:00", "test": true, "currency": "USD", "total_price": "404.95", "email": "", "contact_email": "jon@example.com", "customer": null}',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.order).toMatchObject({
      externalId: "820982911946154508",
      processedAt: null,
      createdAt: new Date("2022-01-01T00:00:00Z"),
      cancelledAt: new Date("2022-01-01T00:00:00Z"),
      test: true,
      totalPrice: "404.95",
      email: "jon@example.com",
      customer: null,
    });
  });

  it("reports bad fields by path", () => {
    const o = JSON.parse(ORDER);
    o.total_price_set.shop_money.amount = "-1.00";
    o.processed_at = "2026-02-30T10:00:00+01:00";
    o.customer.id = 1.5;
    o.currency = "usd";
    const r = parseShopifyOrder(JSON.stringify(o));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path).sort()).toEqual([
        "currency",
        "customer.id",
        "processed_at",
        "total_price_set.shop_money.amount",
      ]);
    }
    expect(parseShopifyOrder('{"id": 1, "currency": "USD", "total_price": "1.00"}')).toEqual({
      ok: false,
      errors: [{ path: "processed_at", message: "processed_at or created_at is required" }],
    });
    expect(parseShopifyOrder('{"id": 1, "created_at": "2026-01-01T00:00:00Z", "currency": "USD"}')).toMatchObject({
      ok: false,
      errors: [{ path: "total_price_set.shop_money.amount" }],
    });
    expect(parseShopifyOrder("[]")).toEqual({
      ok: false,
      errors: [{ path: "", message: "body must be a JSON object" }],
    });
  });
});

describe("Shopify refunds/create", () => {
  it("parses the shopify.dev sample: exact ids, sum of successful refund transactions, null currency", () => {
    const r = parseShopifyRefund(fx("shopify-refunds-create-shopifydev-sample.json"));
    expect(r).toEqual({
      ok: true,
      refund: {
        externalId: "890088186047892319",
        orderExternalId: "820982911946154508",
        createdAt: new Date("2022-01-01T00:00:00Z"),
        amount: "85.00",
        currency: null,
      },
    });
  });

  it("parses the shopify-app-js 2025-07 refund", () => {
    const r = parseShopifyRefund(fx("shopify-refund-rest-2025-07-shopify-app-js.json"));
    expect(r).toEqual({
      ok: true,
      refund: {
        externalId: "929361472",
        orderExternalId: "450789469",
        createdAt: new Date("2025-04-02T16:38:34Z"),
        amount: "41.94",
        currency: "USD",
      },
    });
  });

  it("refuses a refund without order_id or with bad amounts", () => {
    expect(parseShopifyRefund('{"id": 1, "created_at": "2026-01-01T00:00:00Z", "transactions": []}')).toEqual({
      ok: false,
      errors: [{ path: "order_id", message: "is required" }],
    });
    const bad = parseShopifyRefund(
      '{"id": 1, "order_id": 2, "created_at": "2026-01-01T00:00:00Z", "transactions": [{"kind": "refund", "status": "success", "amount": 1e400}]}',
    );
    expect(bad).toMatchObject({ ok: false, errors: [{ path: "transactions[0].amount" }] });
  });
});

describe("Shopify compliance and lifecycle topics", () => {
  it("customers/redact", () => {
    const body =
      '{"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com", "customer": {"id": 9007199254740993, "email": "john@example.com", "phone": "555-625-1199"}, "orders_to_redact": [299938, 280263, 820982911946154508]}';
    expect(parseCustomersRedact(body)).toEqual({
      ok: true,
      redact: {
        shopId: "954889",
        shopDomain: "snowdevil.myshopify.com",
        customer: { id: "9007199254740993", email: "john@example.com", phone: "555-625-1199" },
        ordersToRedact: ["299938", "280263", "820982911946154508"],
      },
    });
    expect(parseCustomersRedact('{"shop_id": 1, "shop_domain": "x.myshopify.com"}')).toMatchObject({
      ok: false,
      errors: [{ path: "customer" }, { path: "orders_to_redact" }],
    });
  });

  it("refuses a compliance body of another topic (fields only that topic has, unknown fields named)", () => {
    const dataRequest =
      '{"shop_id": 1, "shop_domain": "x.myshopify.com", "orders_requested": [], "customer": {"id": 1}, "data_request": {"id": 9}}';
    const asShopRedact = parseShopRedact(dataRequest);
    expect(asShopRedact.ok).toBe(false);
    expect(asShopRedact.ok ? [] : asShopRedact.errors.map((e) => e.path).sort()).toEqual([
      "customer",
      "data_request",
      "orders_requested",
    ]);
    const asRedact = parseCustomersRedact(dataRequest);
    expect(asRedact.ok ? [] : asRedact.errors.map((e) => e.path).sort()).toEqual([
      "data_request",
      "orders_requested",
      "orders_to_redact",
    ]);
    const redact = '{"shop_id": 1, "shop_domain": "x.myshopify.com", "customer": {"id": 1}, "orders_to_redact": []}';
    const asDataRequest = parseCustomersDataRequest(redact);
    expect(asDataRequest.ok ? [] : asDataRequest.errors.map((e) => e.path).sort()).toEqual([
      "data_request",
      "orders_requested",
      "orders_to_redact",
    ]);
    expect(parseShopRedact('{"shop_id": 1, "shop_domain": "x.myshopify.com", "extra": true}')).toMatchObject({
      ok: false,
      errors: [{ path: "extra" }],
    });
  });

  it("customers/data_request", () => {
    const body =
      '{"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com", "orders_requested": [299938, 280263, 220458], "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}, "data_request": {"id": 9999}}';
    expect(parseCustomersDataRequest(body)).toEqual({
      ok: true,
      request: {
        shopId: "954889",
        shopDomain: "snowdevil.myshopify.com",
        customer: { id: "191167", email: "john@example.com", phone: "555-625-1199" },
        ordersRequested: ["299938", "280263", "220458"],
        dataRequestId: "9999",
      },
    });
  });

  it("shop/redact and app/uninstalled", () => {
    expect(parseShopRedact('{"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com"}')).toEqual({
      ok: true,
      redact: { shopId: "954889", shopDomain: "snowdevil.myshopify.com" },
    });
    expect(parseShopRedact('{"shop_id": "x"}')).toMatchObject({ ok: false, errors: [{ path: "shop_domain" }] });
    const shop =
      '{"id": 548380009, "name": "Super Toys", "email": "super@supertoys.com", "domain": "super.myshopify.com", "myshopify_domain": "super.myshopify.com", "currency": "USD"}';
    expect(parseAppUninstalled(shop)).toEqual({
      ok: true,
      shop: {
        shopId: "548380009",
        shopDomain: "super.myshopify.com",
        name: "Super Toys",
        email: "super@supertoys.com",
      },
    });
  });

  it("dispatches by topic", () => {
    expect(parseShopifyWebhook("orders/cancelled", ORDER)).toMatchObject({
      ok: true,
      payload: { topic: "orders/cancelled", order: { externalId: "9007199254740993123" } },
    });
    expect(parseShopifyWebhook("refunds/create", fx("shopify-refunds-create-shopifydev-sample.json"))).toMatchObject({
      ok: true,
      payload: { topic: "refunds/create" },
    });
    expect(parseShopifyWebhook("products/create", "{}")).toMatchObject({ ok: false, errors: [{ path: "topic" }] });
  });

  it("the HMAC over the fixture order body verifies with the matching secret only", () => {
    const sig = createHmac("sha256", "shpss_test").update(ORDER).digest("base64");
    expect(verifyShopifyHmac(ORDER, sig, "shpss_test")).toBe(true);
    expect(verifyShopifyHmac(ORDER.replace("404.95", "404.96"), sig, "shpss_test")).toBe(false);
  });
});
