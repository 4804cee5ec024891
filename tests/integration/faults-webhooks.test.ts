/**
 * Delivery-order and duplicate robustness of the Shopify webhook path (and the API's refund route), on the run's
 * shared server + worker.
 */
import { describe, expect, it } from "vitest";
import { createShopWithKey, db, http, postShopifyWebhook, uniqueShopDomain, waitFor } from "../support/api";
import { shopifyOrderBody, shopifyRefundBody } from "../support/faults";

async function inboxDrained(domain: string, expected: number) {
  await waitFor(
    async () => {
      const r = await db().query(
        `SELECT count(*)::int AS n, count(processed_at)::int AS done FROM webhook_deliveries WHERE shop_domain = $1`,
        [domain],
      );
      return r.rows[0].n === expected && r.rows[0].done === expected;
    },
    30_000,
    `${expected} deliveries of ${domain} processed`,
  );
}

async function orderRow(domain: string, externalId: string) {
  const r = await db().query(
    `SELECT o.external_id, o.total_price::text AS total, o.refunded_total::text AS refunded, o.cancelled_at,
            o.customer_key
       FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.domain = $1 AND o.external_id = $2`,
    [domain, externalId],
  );
  return r.rows[0] ?? null;
}

describe("Shopify webhook delivery robustness", () => {
  it("a duplicate delivery is processed once", async () => {
    const { domain } = await createShopWithKey(uniqueShopDomain("dup"));
    const body = shopifyOrderBody({ id: "4001", total: "30.00" });
    const refund = shopifyRefundBody({ id: "4101", orderId: "4001", amount: "5.00" });
    for (let i = 0; i < 3; i++) {
      expect((await postShopifyWebhook("orders/create", domain, body, { webhookId: "dup-order-1" })).status).toBe(200);
      expect((await postShopifyWebhook("refunds/create", domain, refund, { webhookId: "dup-refund-1" })).status).toBe(
        200,
      );
    }
    // The same refund re-sent under another delivery id (Shopify retries a topic with a new id) changes nothing either.
    expect((await postShopifyWebhook("refunds/create", domain, refund, { webhookId: "dup-refund-2" })).status).toBe(
      200,
    );
    await inboxDrained(domain, 3);
    const rows = await db().query(
      `SELECT (SELECT count(*) FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.domain = $1)::int AS orders,
              (SELECT count(*) FROM refunds r JOIN shops s ON s.id = r.shop_id WHERE s.domain = $1)::int AS refunds`,
      [domain],
    );
    expect(rows.rows[0]).toEqual({ orders: 1, refunds: 1 });
    expect(await orderRow(domain, "4001")).toMatchObject({ total: "30.0000", refunded: "5.0000" });
  });

  it("an older orders/updated changes nothing", async () => {
    const { domain } = await createShopWithKey(uniqueShopDomain("older"));
    const id = "4201";
    const create = shopifyOrderBody({ id, total: "50.00", updatedAt: "2026-03-01T12:00:00Z" });
    expect((await postShopifyWebhook("orders/create", domain, create)).status).toBe(200);
    await inboxDrained(domain, 1);
    const older = shopifyOrderBody({
      id,
      total: "99.00",
      updatedAt: "2026-03-01T11:00:00Z",
      cancelledAt: "2026-03-01T11:00:00Z",
      customerId: "9999",
    });
    expect((await postShopifyWebhook("orders/updated", domain, older)).status).toBe(200);
    await inboxDrained(domain, 2);
    expect(await orderRow(domain, id)).toMatchObject({ total: "50.0000", cancelled_at: null, customer_key: "7001" });

    const newer = shopifyOrderBody({ id, total: "60.00", updatedAt: "2026-03-01T13:00:00Z" });
    expect((await postShopifyWebhook("orders/updated", domain, newer)).status).toBe(200);
    await inboxDrained(domain, 3);
    expect(await orderRow(domain, id)).toMatchObject({ total: "60.0000" });
  });

  it("a refund before its order is applied when the order arrives", async () => {
    const { domain } = await createShopWithKey(uniqueShopDomain("early-refund"));
    expect(
      (
        await postShopifyWebhook(
          "refunds/create",
          domain,
          shopifyRefundBody({ id: "4301", orderId: "4300", amount: "7.25" }),
        )
      ).status,
    ).toBe(200);
    await inboxDrained(domain, 1);
    expect(await orderRow(domain, "4300")).toBeNull();
    expect(
      (await postShopifyWebhook("orders/create", domain, shopifyOrderBody({ id: "4300", total: "40.00" }))).status,
    ).toBe(200);
    await inboxDrained(domain, 2);
    expect(await orderRow(domain, "4300")).toMatchObject({ total: "40.0000", refunded: "7.2500" });

    // The same through the public API.
    const { key, shopId } = await createShopWithKey();
    const early = await http("POST", "/api/v1/orders/A-1/refunds", {
      key,
      body: { id: "api-r1", created_at: "2026-03-02T10:00:00Z", amount: "3.10", currency: "USD" },
    });
    expect(early.status, early.text).toBe(202);
    const order = await http("POST", "/api/v1/orders", {
      key,
      body: { orders: [{ id: "A-1", created_at: "2026-03-01T10:00:00Z", currency: "USD", total_price: "20.00" }] },
    });
    expect(order.status, order.text).toBe(202);
    const r = await db().query(
      `SELECT refunded_total::text AS refunded FROM orders WHERE shop_id = $1 AND external_id = 'A-1'`,
      [shopId],
    );
    expect(r.rows[0].refunded).toBe("3.1000");
  });

  it("keeps ids > 2^53 exact (webhook and API, numbers and strings)", async () => {
    const { domain } = await createShopWithKey(uniqueShopDomain("bigids"));
    const orderId = "9223372036854775807"; // 2^63 - 1, as a bare JSON number
    const customerId = "9007199254740993"; // 2^53 + 1
    const refundId = "9007199254740995";
    const body = shopifyOrderBody({ id: orderId, customerId, refunds: [{ id: refundId, amount: "2.00" }] });
    expect((await postShopifyWebhook("orders/create", domain, body)).status).toBe(200);
    await inboxDrained(domain, 1);
    expect(await orderRow(domain, orderId)).toMatchObject({
      external_id: orderId,
      customer_key: customerId,
      refunded: "2.0000",
    });
    const refunds = await db().query(
      `SELECT r.external_id, r.order_external_id FROM refunds r JOIN shops s ON s.id = r.shop_id WHERE s.domain = $1`,
      [domain],
    );
    expect(refunds.rows).toEqual([{ external_id: refundId, order_external_id: orderId }]);

    const { key, shopId } = await createShopWithKey();
    const apiOrderId = "18446744073709551616"; // 2^64
    const raw =
      `{"orders":[{"id":${apiOrderId},"created_at":"2026-03-01T10:00:00Z","currency":"USD","total_price":12.345,` +
      `"customer":{"id":${customerId}}}]}`;
    const res = await http("POST", "/api/v1/orders", { key, raw, headers: { "Content-Type": "application/json" } });
    expect(res.status, res.text).toBe(202);
    const ev =
      `{"events":[{"id":36028797018963969,"type":"clicked","channel":"email","occurred_at":"2026-03-01T09:00:00Z",` +
      `"campaign_id":9007199254740997,"message_id":9007199254740999,"recipient":{"customer_id":${customerId}}}]}`;
    const evRes = await http("POST", "/api/v1/events", {
      key,
      raw: ev,
      headers: { "Content-Type": "application/json" },
    });
    expect(evRes.status, evRes.text).toBe(202);
    const stored = await db().query(
      `SELECT (SELECT external_id FROM orders WHERE shop_id = $1) AS order_id,
              (SELECT customer_key FROM orders WHERE shop_id = $1) AS customer,
              (SELECT total_price::text FROM orders WHERE shop_id = $1) AS total,
              (SELECT dedup_key || '|' || campaign_key || '|' || message_key || '|' || customer_key FROM message_events WHERE shop_id = $1) AS event`,
      [shopId],
    );
    expect(stored.rows[0]).toEqual({
      order_id: apiOrderId,
      customer: customerId,
      total: "12.3450",
      event: `36028797018963969|9007199254740997|9007199254740999|${customerId}`,
    });
  });
});

describe("data the database cannot hold", () => {
  it("a signed refund whose total exceeds what NUMERIC(19,4) holds is closed with its error, not retried forever", async () => {
    const shop = await createShopWithKey();
    const body = JSON.stringify({
      id: 8801,
      order_id: 8802,
      created_at: "2026-11-01T10:00:00Z",
      transactions: [
        { id: 1, kind: "refund", status: "success", amount: "999999999999999.99", currency: "USD" },
        { id: 2, kind: "refund", status: "success", amount: "999999999999999.99", currency: "USD" },
      ],
    });
    const res = await postShopifyWebhook("refunds/create", shop.domain, body);
    expect(res.status).toBe(200);
    const row = await waitFor(async () => {
      const r = await db().query(`SELECT processed_at, last_error FROM webhook_deliveries WHERE shop_domain = $1`, [
        shop.domain,
      ]);
      return r.rows[0]?.processed_at ? r.rows[0] : null;
    });
    expect(row.last_error).toMatch(/rejected by the database \(SQLSTATE 22003\)/);
    const refunds = await db().query(`SELECT count(*)::int AS n FROM refunds WHERE shop_id = $1`, [shop.shopId]);
    expect(refunds.rows[0].n).toBe(0);
  });

  it("the same through the API is a 400 in the error body, nothing stored", async () => {
    const shop = await createShopWithKey();
    const res = await http("POST", "/api/v1/orders", {
      key: shop.key,
      body: {
        orders: [
          {
            id: "9901",
            processed_at: "2026-11-01T10:00:00Z",
            currency: "USD",
            total_price: "10.00",
            refunds: [
              {
                id: "r1",
                created_at: "2026-11-02T10:00:00Z",
                transactions: [
                  { kind: "refund", status: "success", amount: "999999999999999.99", currency: "USD" },
                  { kind: "refund", status: "success", amount: "999999999999999.99", currency: "USD" },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    const orders = await db().query(`SELECT count(*)::int AS n FROM orders WHERE shop_id = $1`, [shop.shopId]);
    expect(orders.rows[0].n).toBe(0);
  });
});

describe("compliance for a shop the app does not hold", () => {
  it("customers/redact for an unknown shop creates nothing", async () => {
    const domain = uniqueShopDomain("gone");
    const res = await postShopifyWebhook(
      "customers/redact",
      domain,
      JSON.stringify({
        shop_id: 1,
        shop_domain: domain,
        customer: { id: 1, email: "x@example.com" },
        orders_to_redact: [],
      }),
    );
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT processed_at FROM webhook_deliveries WHERE shop_domain = $1`, [domain]);
      return r.rows[0]?.processed_at;
    });
    const shops = await db().query(`SELECT count(*)::int AS n FROM shops WHERE domain = $1`, [domain]);
    expect(shops.rows[0].n).toBe(0);
  });
});
