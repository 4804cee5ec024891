/**
 * Redis outages: the app answers while Redis is down (PostgreSQL holds the work) and catches up once it returns.
 * Uses a Redis of its own on another port (the machine's shared Redis is never stopped) and its own server + worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueShopDomain, waitFor } from "../support/api";
import { ownRedis, ownStack, shopifyOrderBody, type OwnRedis, type OwnStack } from "../support/faults";

let redis: OwnRedis;
let stack: OwnStack;

beforeAll(async () => {
  redis = await ownRedis();
  // Own database too: the run's shared worker would otherwise process this data through the shared Redis.
  stack = await ownStack({ redisUrl: redis.url, worker: true, ownDatabase: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await redis?.dispose();
});

async function attributeHandlerExists(): Promise<boolean> {
  const { readFileSync } = await import("node:fs");
  return readFileSync(new URL("../../app/queue/handlers.server.ts", import.meta.url), "utf8").includes(
    '"attribute-shop"',
  );
}

describe("Redis down", () => {
  it("webhooks answered while Redis is down are all processed after Redis returns", async () => {
    // Order webhooks are taken only for a shop that has the app installed.
    const { domain: shop } = await stack.createShopWithKey(uniqueShopDomain("redis-down"));
    await redis.stop();
    const health = await stack.http("GET", "/healthz");
    expect(health.status).toBe(503);

    const n = 15;
    const ids = Array.from({ length: n }, (_, i) => String(9_100_000_000_000_000_000n + BigInt(i)));
    for (const [i, id] of ids.entries()) {
      const res = await stack.postShopifyWebhook(
        "orders/create",
        shop,
        shopifyOrderBody({ id, total: `${10 + i}.50` }),
      );
      expect(res.status, res.text).toBe(200);
      expect(res.ms).toBeLessThan(5000);
    }
    // The same delivery again while Redis is down: still 200, still stored once.
    const dup = await stack.postShopifyWebhook("orders/create", shop, shopifyOrderBody({ id: ids[0]! }), {
      webhookId: "dup-while-down",
    });
    expect(dup.status).toBe(200);
    const dup2 = await stack.postShopifyWebhook("orders/create", shop, shopifyOrderBody({ id: ids[0]! }), {
      webhookId: "dup-while-down",
    });
    expect(dup2.status).toBe(200);

    const stored = await stack.db.query(
      `SELECT count(*)::int AS n, count(processed_at)::int AS done FROM webhook_deliveries WHERE shop_domain = $1`,
      [shop],
    );
    expect(stored.rows[0]).toEqual({ n: n + 1, done: 0 });

    await redis.start();
    await waitFor(
      async () => {
        const r = await stack.db.query(
          `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS open FROM webhook_deliveries WHERE shop_domain = $1`,
          [shop],
        );
        return r.rows[0].open === 0;
      },
      60_000,
      "the inbox to drain after Redis returned",
    );
    const orders = await stack.db.query(
      `SELECT o.external_id, o.total_price::text AS total FROM orders o JOIN shops s ON s.id = o.shop_id
        WHERE s.domain = $1 ORDER BY o.external_id`,
      [shop],
    );
    expect(orders.rows.map((r) => r.external_id)).toEqual([...ids].sort());
    expect(orders.rows.find((r) => r.external_id === ids[3])!.total).toBe("13.5000");
    await waitFor(async () => (await stack.http("GET", "/healthz")).status === 200, 15_000, "healthz 200 again");
  }, 120_000);

  it("API writes answered 2xx while Redis is down are attributed once Redis returns", async (ctx) => {
    if (!(await attributeHandlerExists())) ctx.skip(); // the attribute-shop job handler is not written yet
    const { key, shopId } = await stack.createShopWithKey(uniqueShopDomain("redis-down-api"));
    await redis.stop();

    const events = await stack.http("POST", "/api/v1/events", {
      key,
      body: {
        events: [
          {
            id: "ev-1",
            type: "clicked",
            channel: "email",
            occurred_at: "2026-03-01T09:00:00Z",
            campaign_id: "spring",
            message_id: "msg-1",
            recipient: { email: "Ann@Example.com" },
          },
        ],
      },
    });
    expect(events.status, events.text).toBe(202);
    const orders = await stack.http("POST", "/api/v1/orders", {
      key,
      body: {
        orders: [
          {
            id: "5001",
            processed_at: "2026-03-01T10:00:00Z",
            currency: "USD",
            total_price: "80.00",
            email: "ann@example.com",
          },
        ],
      },
    });
    expect(orders.status, orders.text).toBe(202);
    const refund = await stack.http("POST", "/api/v1/orders/5001/refunds", {
      key,
      body: { id: "r-1", created_at: "2026-03-02T10:00:00Z", amount: "20.00", currency: "USD" },
    });
    expect(refund.status, refund.text).toBe(202);
    const pending = await stack.db.query(`SELECT count(*)::int AS n FROM pending_attributions WHERE shop_id = $1`, [
      shopId,
    ]);
    expect(pending.rows[0].n).toBeGreaterThan(0);

    await redis.start();
    await waitFor(
      async () => {
        const r = await stack.db.query(`SELECT count(*)::int AS n FROM pending_attributions WHERE shop_id = $1`, [
          shopId,
        ]);
        return r.rows[0].n === 0;
      },
      60_000,
      "pending attributions to drain",
    );
    const attributed = await stack.db.query(
      `SELECT a.channel, a.refunded::text AS refunded, c.external_id AS campaign
         FROM attributions a JOIN orders o ON o.id = a.order_id LEFT JOIN campaigns c ON c.id = a.campaign_id
        WHERE o.shop_id = $1 AND o.external_id = '5001'`,
      [shopId],
    );
    expect(attributed.rows).toEqual([{ channel: "email", refunded: "20.0000", campaign: "spring" }]);
  }, 120_000);
});
