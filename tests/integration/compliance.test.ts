import { afterAll, describe, expect, it } from "vitest";
import {
  applyAttributions,
  computeAttributions,
  lockShop,
  readEngineSettings,
} from "../../app/data/attribution.server";
import { deleteShopData } from "../../app/data/compliance.server";
import { disconnectDb, pool } from "../../app/db.server";
import { createShopWithKey, db, http, postShopifyWebhook, settled, waitFor } from "../support/api";
import { shopifyOrderBody } from "../support/faults";

/** Shopify's mandatory compliance webhooks do real work. */
async function seed() {
  const shop = await createShopWithKey();
  const orders = await http("POST", "/api/v1/orders", {
    key: shop.key,
    body: {
      orders: [
        {
          id: "9007199254740993001",
          processed_at: "2026-11-01T20:00:00Z",
          currency: "USD",
          total_price: "100.00",
          email: " Alice@Example.com ",
          phone: "+1 (555) 010-0000",
          customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        },
        {
          id: "2002",
          processed_at: "2026-11-01T21:00:00Z",
          currency: "USD",
          total_price: "40.00",
          email: "bob@example.com",
        },
      ],
    },
  });
  expect(orders.status).toBe(202);
  const events = await http("POST", "/api/v1/events", {
    key: shop.key,
    body: {
      events: [
        {
          type: "sent",
          channel: "email",
          occurred_at: "2026-11-01T09:00:00Z",
          campaign_id: "A",
          recipient: { email: "alice@example.com" },
        },
        {
          type: "clicked",
          channel: "email",
          occurred_at: "2026-11-01T10:00:00Z",
          campaign_id: "A",
          recipient: { email: "alice@example.com" },
        },
        {
          type: "sent",
          channel: "sms",
          occurred_at: "2026-11-01T09:00:00Z",
          campaign_id: "C",
          message_id: "sms-1",
          recipient: { phone: "+15550100000", customer_id: "7001" },
        },
        {
          type: "sent",
          channel: "email",
          occurred_at: "2026-11-01T09:00:00Z",
          campaign_id: "A",
          recipient: { email: "bob@example.com" },
        },
      ],
    },
  });
  expect(events.status).toBe(202);
  await settled(shop.shopId);
  return shop;
}

const body = (o: unknown) => JSON.stringify(o);

describe("compliance webhooks", () => {
  it("customers/redact erases the customer's emails, phones and ids but keeps amounts and attributions", async () => {
    const shop = await seed();
    const before = await db().query(
      `SELECT order_id, campaign_id, gross FROM attributions WHERE shop_id = $1 ORDER BY order_id`,
      [shop.shopId],
    );
    const res = await postShopifyWebhook(
      "customers/redact",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        orders_to_redact: ["9007199254740993001"],
      }),
    );
    expect(res.status).toBe(200);
    await settled(shop.shopId);
    await waitFor(async () => {
      const r = await db().query(
        `SELECT count(*)::int AS n FROM compliance_requests WHERE shop_id = $1 AND topic = 'customers/redact'`,
        [shop.shopId],
      );
      return r.rows[0].n === 1;
    });
    const order = await db().query(
      `SELECT email_keys, phone_keys, customer_key, total_price, redacted_at FROM orders WHERE shop_id = $1 AND external_id = '9007199254740993001'`,
      [shop.shopId],
    );
    expect(order.rows[0]).toMatchObject({
      email_keys: [],
      phone_keys: [],
      customer_key: null,
      total_price: "100.0000",
    });
    expect(order.rows[0].redacted_at).not.toBeNull();
    const leftovers = await db().query(
      `SELECT count(*)::int AS n FROM message_events
        WHERE shop_id = $1 AND (email_key = 'alice@example.com' OR phone_key = '+15550100000' OR customer_key = '7001'
              OR message_key LIKE '%alice@example.com%')`,
      [shop.shopId],
    );
    expect(leftovers.rows[0].n).toBe(0);
    const messages = await db().query(
      `SELECT count(*)::int AS n FROM messages WHERE shop_id = $1 AND (email_key = 'alice@example.com' OR external_id LIKE '%alice@%')`,
      [shop.shopId],
    );
    expect(messages.rows[0].n).toBe(0);
    // Bob is untouched.
    const bob = await db().query(`SELECT email_keys FROM orders WHERE shop_id = $1 AND external_id = '2002'`, [
      shop.shopId,
    ]);
    expect(bob.rows[0].email_keys).toEqual(["bob@example.com"]);
    const after = await db().query(
      `SELECT order_id, campaign_id, gross FROM attributions WHERE shop_id = $1 ORDER BY order_id`,
      [shop.shopId],
    );
    expect(after.rows).toEqual(before.rows);
    expect(before.rows.some((r) => r.campaign_id !== null)).toBe(true);
    // Settings changes re-attribute the whole history: the redacted order cannot be matched any more and keeps the
    // winner found before, while its own facts (here: the currency counted) still apply.
    const redacted = async () =>
      (
        await db().query(
          `SELECT a.campaign_id, a.counted, a.reason FROM attributions a JOIN orders o ON o.id = a.order_id
            WHERE o.shop_id = $1 AND o.external_id = '9007199254740993001'`,
          [shop.shopId],
        )
      ).rows[0];
    const kept = await redacted();
    expect(kept).toMatchObject({ counted: true, reason: null });
    expect(kept.campaign_id).not.toBeNull();
    expect((await http("PUT", "/api/v1/settings", { key: shop.key, body: { currency: "EUR" } })).status).toBe(200);
    await settled(shop.shopId);
    expect(await redacted()).toEqual({ campaign_id: kept.campaign_id, counted: false, reason: "other_currency" });
    expect((await http("PUT", "/api/v1/settings", { key: shop.key, body: { currency: "USD" } })).status).toBe(200);
    await settled(shop.shopId);
    expect(await redacted()).toEqual(kept);
    expect(
      (
        await db().query(`SELECT order_id, campaign_id, gross FROM attributions WHERE shop_id = $1 ORDER BY order_id`, [
          shop.shopId,
        ])
      ).rows,
    ).toEqual(before.rows);
    // Nothing personal is left in the inbox either: processed bodies are dropped.
    const inbox = await db().query(`SELECT payload FROM webhook_deliveries WHERE shop_domain = $1`, [shop.domain]);
    for (const row of inbox.rows) expect(row.payload).toBe("");
    // The request record holds no email or phone.
    const record = await db().query(`SELECT summary::text AS s FROM compliance_requests WHERE shop_id = $1`, [
      shop.shopId,
    ]);
    expect(record.rows[0].s).not.toMatch(/alice|555010/);
  });

  it("customers/redact erases the customer's keys gathered on messages (recipient_keys), even where other keys remain", async () => {
    const shop = await seed();
    const pii = `SELECT count(*)::int AS n FROM messages
                  WHERE shop_id = $1 AND array_to_string(recipient_keys, ' ') ~ '(alice@example\\.com|5550100000|c:7001)'`;
    expect((await db().query(pii, [shop.shopId])).rows[0].n).toBeGreaterThan(0);
    const res = await postShopifyWebhook(
      "customers/redact",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        orders_to_redact: [],
      }),
    );
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(
        `SELECT count(*)::int AS n FROM compliance_requests WHERE shop_id = $1 AND topic = 'customers/redact'`,
        [shop.shopId],
      );
      return r.rows[0].n === 1;
    });
    expect((await db().query(pii, [shop.shopId])).rows[0].n).toBe(0);
    // Bob's message keeps its key.
    const bob = await db().query(
      `SELECT count(*)::int AS n FROM messages WHERE shop_id = $1 AND 'e:bob@example.com' = ANY(recipient_keys)`,
      [shop.shopId],
    );
    expect(bob.rows[0].n).toBe(1);
  });

  it("an update of a redacted order does not bring back its customer id or landing site", async () => {
    const shop = await seed();
    const res = await postShopifyWebhook(
      "customers/redact",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        orders_to_redact: ["9007199254740993001"],
      }),
    );
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(
        `SELECT redacted_at FROM orders WHERE shop_id = $1 AND external_id = '9007199254740993001'`,
        [shop.shopId],
      );
      return r.rows[0]?.redacted_at;
    });
    // A late orders/updated (or an API re-send) still carries the customer.
    const again = await http("POST", "/api/v1/orders", {
      key: shop.key,
      body: {
        orders: [
          {
            id: "9007199254740993001",
            processed_at: "2026-11-01T20:00:00Z",
            updated_at: "2026-11-02T08:00:00Z",
            currency: "USD",
            total_price: "100.00",
            email: "alice@example.com",
            customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
            landing_site: "/?utm_source=mail&email=alice@example.com",
          },
        ],
      },
    });
    expect(again.status).toBe(202);
    const order = await db().query(
      `SELECT email_keys, phone_keys, customer_key, landing_site FROM orders WHERE shop_id = $1 AND external_id = '9007199254740993001'`,
      [shop.shopId],
    );
    expect(order.rows[0]).toEqual({ email_keys: [], phone_keys: [], customer_key: null, landing_site: null });
  });

  it("customers/redact first applies the customer's orders still waiting in the inbox, so they cannot restore the data later", async () => {
    const shop = await createShopWithKey();
    // An order delivery received (and queued) but not applied yet when the redaction request arrives.
    await db().query(
      `INSERT INTO webhook_deliveries (source, delivery_id, topic, shop_domain, payload, queued_at)
       VALUES ('shopify', $1, 'orders/create', $2, $3, now())`,
      [
        `waiting-${shop.shopId}`,
        shop.domain,
        shopifyOrderBody({ id: "5550001", email: "carol@example.com", customerId: "8001" }),
      ],
    );
    const res = await postShopifyWebhook(
      "customers/redact",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 8001, email: "carol@example.com" },
        orders_to_redact: ["5550001"],
      }),
    );
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT count(*)::int AS n FROM compliance_requests WHERE shop_id = $1`, [
        shop.shopId,
      ]);
      return r.rows[0].n === 1;
    });
    const order = await db().query(
      `SELECT email_keys, customer_key, redacted_at, total_price FROM orders WHERE shop_id = $1 AND external_id = '5550001'`,
      [shop.shopId],
    );
    expect(order.rows[0]).toMatchObject({ email_keys: [], customer_key: null, total_price: "50.0000" });
    expect(order.rows[0].redacted_at).not.toBeNull();
    const inbox = await db().query(`SELECT processed_at FROM webhook_deliveries WHERE delivery_id = $1`, [
      `waiting-${shop.shopId}`,
    ]);
    expect(inbox.rows[0].processed_at).not.toBeNull();
  });

  it("customers/data_request records the request and what the app holds", async () => {
    const shop = await seed();
    const res = await postShopifyWebhook(
      "customers/data_request",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        orders_requested: ["9007199254740993001"],
        data_request: { id: 9999 },
      }),
    );
    expect(res.status).toBe(200);
    const record = await waitFor(async () => {
      const r = await db().query(
        `SELECT customer_id, summary FROM compliance_requests WHERE shop_id = $1 AND topic = 'customers/data_request'`,
        [shop.shopId],
      );
      return r.rows[0];
    });
    expect(record.customer_id).toBe("7001");
    expect(record.summary.holdings.order_ids).toEqual(["9007199254740993001"]);
    expect(record.summary.holdings.message_events).toBeGreaterThanOrEqual(3);
  });

  it("shop/redact deletes all of the shop's data (once the shop has uninstalled the app)", async () => {
    const shop = await seed();
    const uninstalled = await postShopifyWebhook(
      "app/uninstalled",
      shop.domain,
      body({ id: 1, name: "Shop", myshopify_domain: shop.domain }),
    );
    expect(uninstalled.status).toBe(200);
    await settled(shop.shopId);
    const res = await postShopifyWebhook("shop/redact", shop.domain, body({ shop_id: 1, shop_domain: shop.domain }));
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT count(*)::int AS n FROM shops WHERE domain = $1`, [shop.domain]);
      return r.rows[0].n === 0;
    });
    for (const table of [
      "orders",
      "message_events",
      "refunds",
      "attributions",
      "api_keys",
      "settings",
      "messages",
      "campaigns",
    ]) {
      const r = await db().query(`SELECT count(*)::int AS n FROM ${table} WHERE shop_id = $1`, [shop.shopId]);
      expect(r.rows[0].n, table).toBe(0);
    }
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).status).toBe(401);
  });

  it("an attribution batch that meets shop/redact leaves nothing of the shop, whichever commits first", async () => {
    // attributions has no foreign key to shops: the engine takes the shop's row lock instead (lockShop, first thing
    // in a batch or chunk, and applyAttributions), which keeps rows of an erased shop from being written after its
    // erasure, and makes the batch and the erasure wait for each other in one order (no deadlock).
    const rowsOf = async (shopId: string) => {
      const r = await db().query(
        `SELECT (SELECT count(*)::int FROM attributions WHERE shop_id = $1) AS a,
                (SELECT count(*)::int FROM rollup_sales WHERE shop_id = $1) AS s`,
        [shopId],
      );
      return r.rows[0];
    };
    const compute = async (shopId: string, client: import("pg").PoolClient) => {
      const id = BigInt(shopId);
      const engine = (await readEngineSettings(client, id))!;
      const ids = await client.query<{ id: string }>(`SELECT id::text FROM orders WHERE shop_id = $1`, [shopId]);
      await computeAttributions(client, id, engine.settings, engine.version, { ids: ids.rows.map((r) => r.id) });
    };

    // The erasure commits between a pass's reads and its writes: applyAttributions writes nothing.
    const first = await seed();
    expect((await rowsOf(first.shopId)).a).toBe(2);
    const a = await pool().connect();
    try {
      await a.query("BEGIN");
      await compute(first.shopId, a);
      await deleteShopData(first.domain);
      expect(await applyAttributions(a, BigInt(first.shopId), { probe: true })).toBe(0);
      await a.query("COMMIT");
    } finally {
      a.release();
    }
    expect(await rowsOf(first.shopId)).toEqual({ a: 0, s: 0 });

    // A batch holds row locks of the shop's (here: the attribution rows it rewrites) when the erasure starts: the
    // erasure waits for the batch's commit (it does not deadlock with it), then deletes what the batch wrote.
    const second = await seed();
    const b = await pool().connect();
    let erased = false;
    try {
      await b.query("BEGIN");
      await lockShop(b, BigInt(second.shopId));
      await b.query(`DELETE FROM attributions WHERE shop_id = $1`, [second.shopId]);
      await b.query(`DELETE FROM rollup_sales WHERE shop_id = $1`, [second.shopId]);
      const erasing = deleteShopData(second.domain).then(() => (erased = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(erased).toBe(false);
      await compute(second.shopId, b);
      expect(await applyAttributions(b, BigInt(second.shopId), { probe: true })).toBe(2);
      await b.query("COMMIT");
      await erasing;
    } finally {
      b.release();
    }
    expect(await rowsOf(second.shopId)).toEqual({ a: 0, s: 0 });
  });

  it("refuses (401) a signed compliance body sent with another shop's X-Shopify-Shop-Domain (the header is not signed)", async () => {
    const victim = await seed();
    const other = await createShopWithKey();
    // A body Shopify signed for `other`, replayed under the victim's domain header and a fresh webhook id.
    const payload = body({ shop_id: 1, shop_domain: other.domain });
    const res = await postShopifyWebhook("shop/redact", victim.domain, payload);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    const redact = body({ shop_id: 1, shop_domain: other.domain, customer: { id: 7001 }, orders_to_redact: [] });
    expect((await postShopifyWebhook("customers/redact", victim.domain, redact)).status).toBe(401);
    const r = await db().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [
      victim.domain,
    ]);
    expect(r.rows[0].n).toBe(0);
    expect((await http("GET", "/api/v1/settings", { key: victim.key })).status).toBe(200);
  });

  it("app/uninstalled deletes the shop's sessions and marks it uninstalled", async () => {
    const shop = await createShopWithKey();
    await db().query(
      `INSERT INTO "Session" (id, shop, state, "isOnline", "accessToken") VALUES ($1, $2, '', false, 'tok')`,
      [`offline_${shop.domain}`, shop.domain],
    );
    const res = await postShopifyWebhook(
      "app/uninstalled",
      shop.domain,
      body({ id: 1, name: "Shop", myshopify_domain: shop.domain }),
    );
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT uninstalled_at FROM shops WHERE domain = $1`, [shop.domain]);
      return r.rows[0].uninstalled_at !== null;
    });
    const sessions = await db().query(`SELECT count(*)::int AS n FROM "Session" WHERE shop = $1`, [shop.domain]);
    expect(sessions.rows[0].n).toBe(0);
  });

  it("a webhook with a wrong or missing HMAC gets 401 and writes nothing", async () => {
    const shop = await createShopWithKey();
    const payload = body({ shop_id: 1, shop_domain: shop.domain });
    expect((await postShopifyWebhook("shop/redact", shop.domain, payload, { hmac: null })).status).toBe(401);
    expect((await postShopifyWebhook("shop/redact", shop.domain, payload, { hmac: "bm90IHRoZSBobWFj" })).status).toBe(
      401,
    );
    const r = await db().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [
      shop.domain,
    ]);
    expect(r.rows[0].n).toBe(0);
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).status).toBe(200);
  });
});

afterAll(async () => {
  await disconnectDb();
});
