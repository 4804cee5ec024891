import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createShopWithKey, db, http, postShopifyWebhook, settled, stackEnv, waitFor } from "../support/api";
import { adminFetch, storeOfflineSession } from "../support/admin";
import { shopifyOrderBody } from "../support/faults";
import { runCli } from "../support/processes";

/** Item 7 of issue 10: GDPR, complete — shop/redact erases everything, customers/redact every trace, data requests answered. */
const body = (o: unknown) => JSON.stringify(o);

/** A shop with data in as many tables as the app has: orders, refunds, events, tracked links, rollups, audit… */
async function seedShop() {
  const shop = await createShopWithKey();
  const orders = await http("POST", "/api/v1/orders", {
    key: shop.key,
    body: {
      orders: [
        {
          id: "5001",
          processed_at: "2026-11-01T20:00:00Z",
          currency: "USD",
          total_price: "100.00",
          email: "alice@example.com",
          phone: "+15550100000",
          customer: { id: 7001 },
          landing_site: "/products/tea?cr_mid=msg-alice-1",
          refunds: [
            {
              id: "r-1",
              created_at: "2026-11-02T10:00:00Z",
              transactions: [{ kind: "refund", status: "success", amount: "10.00", currency: "USD" }],
            },
          ],
        },
        {
          id: "5002",
          processed_at: "2026-11-01T21:00:00Z",
          currency: "USD",
          total_price: "40.00",
          email: "bob@example.com",
        },
      ],
    },
  });
  expect(orders.status, orders.text).toBe(202);
  const events = await http("POST", "/api/v1/events", {
    key: shop.key,
    body: {
      events: [
        {
          type: "sent",
          channel: "email",
          occurred_at: "2026-11-01T09:00:00Z",
          campaign_id: "A",
          campaign_name: "Autumn",
          message_id: "msg-alice-1",
          recipient: { email: "alice@example.com" },
        },
        {
          // id-less, with a URL: its dedup key is a hash over the address
          type: "clicked",
          channel: "email",
          occurred_at: "2026-11-01T10:00:00Z",
          campaign_id: "B",
          url: "https://shop.example/tea?email=alice@example.com",
          recipient: { email: "alice@example.com" },
        },
        {
          type: "sent",
          channel: "sms",
          occurred_at: "2026-11-01T09:00:00Z",
          campaign_id: "C",
          recipient: { phone: "+15550100000", customer_id: "7001" },
        },
        {
          type: "clicked",
          channel: "email",
          occurred_at: "2026-11-01T10:00:00Z",
          campaign_id: "A",
          url: "https://shop.example/bob",
          recipient: { email: "bob@example.com" },
        },
      ],
    },
  });
  expect(events.status, events.text).toBe(202);
  await settled(shop.shopId);
  return shop;
}

describe("shop/redact", () => {
  it("leaves no row of the shop in any table that has a shop_id (found in the catalog), rollups and tracked links included", async () => {
    const shop = await seedShop();
    await storeOfflineSession(shop.domain);
    // An audit event and a compliance record too.
    expect((await http("PUT", "/api/v1/settings", { key: shop.key, body: { excluded_tags: ["x"] } })).status).toBe(200);
    await settled(shop.shopId);
    await postShopifyWebhook(
      "customers/data_request",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 9 },
        orders_requested: [],
        data_request: { id: 1 },
      }),
    );
    await waitFor(async () => {
      const r = await db().query(`SELECT count(*)::int AS n FROM compliance_requests WHERE shop_id = $1`, [
        shop.shopId,
      ]);
      return r.rows[0].n === 1;
    });
    const tables = (
      await db().query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND column_name = 'shop_id' ORDER BY table_name`,
      )
    ).rows.map((r) => r.table_name);
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          tables.map(async (t) => {
            const r = await db().query(`SELECT count(*)::int AS n FROM "${t}" WHERE shop_id = $1`, [shop.shopId]);
            return [t, r.rows[0].n as number] as const;
          }),
        ),
      );
    const before = await counts();
    // The seed really reaches the tables the old cascade missed.
    for (const t of [
      "orders",
      "refunds",
      "message_events",
      "messages",
      "campaigns",
      "attributions",
      "rollup_sales",
      "rollup_messages",
      "order_tracked_messages",
      "audit_events",
      "compliance_requests",
      "settings_versions",
    ]) {
      expect(before[t], t).toBeGreaterThan(0);
    }

    // Shopify sends shop/redact 48 hours after the app was uninstalled.
    expect(
      (
        await postShopifyWebhook(
          "app/uninstalled",
          shop.domain,
          body({ id: 1, name: "S", myshopify_domain: shop.domain }),
        )
      ).status,
    ).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT uninstalled_at FROM shops WHERE id = $1`, [shop.shopId]);
      return r.rows[0]?.uninstalled_at !== null;
    });
    const res = await postShopifyWebhook("shop/redact", shop.domain, body({ shop_id: 1, shop_domain: shop.domain }));
    expect(res.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT count(*)::int AS n FROM shops WHERE id = $1`, [shop.shopId]);
      return r.rows[0].n === 0;
    });
    const after = await counts();
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    const sessions = await db().query(`SELECT count(*)::int AS n FROM "Session" WHERE shop = $1`, [shop.domain]);
    expect(sessions.rows[0].n).toBe(0);
    const inbox = await db().query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [
      shop.domain,
    ]);
    expect(inbox.rows[0].n).toBe(0);
  }, 120_000);

  it("covers a table added later without anyone listing it", async () => {
    const shop = await seedShop();
    const table = `later_${randomBytes(4).toString("hex")}`;
    await db().query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, shop_id BIGINT NOT NULL, note TEXT)`);
    try {
      await db().query(`INSERT INTO "${table}" (shop_id, note) VALUES ($1, 'x'), ($1, 'y')`, [shop.shopId]);
      await postShopifyWebhook(
        "app/uninstalled",
        shop.domain,
        body({ id: 1, name: "S", myshopify_domain: shop.domain }),
      );
      await waitFor(async () => {
        const r = await db().query(`SELECT uninstalled_at FROM shops WHERE id = $1`, [shop.shopId]);
        return r.rows[0]?.uninstalled_at !== null;
      });
      await postShopifyWebhook("shop/redact", shop.domain, body({ shop_id: 1, shop_domain: shop.domain }));
      await waitFor(async () => {
        const r = await db().query(`SELECT count(*)::int AS n FROM shops WHERE id = $1`, [shop.shopId]);
        return r.rows[0].n === 0;
      });
      const left = await db().query(`SELECT count(*)::int AS n FROM "${table}" WHERE shop_id = $1`, [shop.shopId]);
      expect(left.rows[0].n).toBe(0);
    } finally {
      await db().query(`DROP TABLE IF EXISTS "${table}"`);
    }
  });
});

describe("customers/redact", () => {
  it("also erases the customer's event URLs and every hash computed over their address", async () => {
    const shop = await seedShop();
    const old = await db().query<{ dedup_key: string; message_key: string }>(
      `SELECT dedup_key, message_key FROM message_events WHERE shop_id = $1 AND (email_key = 'alice@example.com' OR phone_key = '+15550100000')`,
      [shop.shopId],
    );
    expect(old.rows.some((r) => r.dedup_key.startsWith("h:"))).toBe(true);
    const oldOrder = await db().query(`SELECT content_hash FROM orders WHERE shop_id = $1 AND external_id = '5001'`, [
      shop.shopId,
    ]);
    const res = await postShopifyWebhook(
      "customers/redact",
      shop.domain,
      body({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 7001, email: "alice@example.com", phone: "+15550100000" },
        orders_to_redact: ["5001"],
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
    const events = await db().query(
      `SELECT dedup_key, message_key, url, email_key, phone_key, customer_key FROM message_events WHERE shop_id = $1 ORDER BY id`,
      [shop.shopId],
    );
    // Alice's events: no URL, no key, no old hash; Bob's untouched.
    const bob = events.rows.filter((r) => r.email_key === "bob@example.com");
    expect(bob).toHaveLength(1);
    expect(bob[0].url).toBe("https://shop.example/bob");
    const alice = events.rows.filter((r) => r.email_key !== "bob@example.com");
    expect(alice).toHaveLength(3);
    for (const e of alice) {
      expect(e.url).toBeNull();
      expect([e.email_key, e.phone_key, e.customer_key]).toEqual([null, null, null]);
    }
    const oldHashes = old.rows.map((r) => r.dedup_key).filter((k) => k.startsWith("h:"));
    const keysNow = events.rows.map((r) => r.dedup_key);
    for (const h of oldHashes) expect(keysNow).not.toContain(h);
    // Derived message keys embedded the address; now neither the address nor its plain md5 remains.
    const dump =
      JSON.stringify((await db().query(`SELECT external_id FROM messages WHERE shop_id = $1`, [shop.shopId])).rows) +
      JSON.stringify(events.rows);
    expect(dump).not.toContain("alice@example.com");
    expect(dump).not.toContain("15550100000");
    const md5s = await db().query<{ h: string }>(`SELECT md5(k) AS h FROM unnest($1::text[]) k`, [
      old.rows.map((r) => r.message_key),
    ]);
    for (const { h } of md5s.rows) expect(dump).not.toContain(h);
    const order = await db().query(`SELECT content_hash FROM orders WHERE shop_id = $1 AND external_id = '5001'`, [
      shop.shopId,
    ]);
    expect(order.rows[0].content_hash).not.toBe(oldOrder.rows[0].content_hash);
    expect(order.rows[0].content_hash).toMatch(/^redacted:/);
  });

  it("is not blocked forever by an earlier order delivery that keeps failing", async () => {
    const shop = await seedShop();
    const orderId = `9${randomBytes(6).readUIntBE(0, 6)}`;
    // A fault only this order meets: every attempt to store it fails (not a data error, so it would be retried).
    const fn = `fail_${randomBytes(4).toString("hex")}`;
    await db().query(
      `CREATE FUNCTION ${fn}() RETURNS trigger AS $$ BEGIN
         IF NEW.external_id = '${orderId}' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await db().query(`CREATE TRIGGER ${fn} BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      const order = await postShopifyWebhook(
        "orders/create",
        shop.domain,
        shopifyOrderBody({ id: orderId, email: "carol@example.com", customerId: "7009" }),
      );
      expect(order.status).toBe(200);
      await waitFor(async () => {
        const r = await db().query(
          `SELECT attempts FROM webhook_deliveries WHERE shop_domain = $1 AND topic = 'orders/create'`,
          [shop.domain],
        );
        return r.rows[0]?.attempts >= 0 && r.rows.length === 1;
      });
      const redact = await postShopifyWebhook(
        "customers/redact",
        shop.domain,
        body({
          shop_id: 1,
          shop_domain: shop.domain,
          customer: { id: 7009, email: "carol@example.com" },
          orders_to_redact: [orderId],
        }),
      );
      expect(redact.status).toBe(200);
      // The redaction completes although the earlier delivery still cannot be applied...
      await waitFor(
        async () => {
          const r = await db().query(
            `SELECT count(*)::int AS n FROM compliance_requests WHERE shop_id = $1 AND topic = 'customers/redact'`,
            [shop.shopId],
          );
          return r.rows[0].n === 1;
        },
        30_000,
        "the redaction",
      );
      // ...and that delivery, holding the customer's data, is closed unapplied with its body dropped.
      const d = await db().query(
        `SELECT processed_at, payload, last_error FROM webhook_deliveries WHERE shop_domain = $1 AND topic = 'orders/create'`,
        [shop.domain],
      );
      expect(d.rows[0].processed_at).not.toBeNull();
      expect(d.rows[0].payload).toBe("");
      expect(d.rows[0].last_error).toMatch(/closed unapplied/);
    } finally {
      await db().query(`DROP TRIGGER IF EXISTS ${fn} ON orders`);
      await db().query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
  });
});

describe("customers/data_request, answered", () => {
  it("the merchant downloads the customer's orders, messages and events as a file from the admin", async () => {
    const shop = await seedShop();
    await storeOfflineSession(shop.domain);
    const res = await adminFetch(shop.domain, "/app/customer-data?email=Alice@Example.com", { userId: "31" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="customer-data_\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const file = (await res.json()) as {
      customer: Record<string, string>;
      orders: { id: string; total_price: string; campaign_id: string | null }[];
      messages: { id: string; campaign_id: string }[];
      events: { type: string; url: string | null; campaign_id: string }[];
    };
    expect(file.customer).toEqual({ email: "alice@example.com" });
    expect(file.orders.map((o) => o.id)).toEqual(["5001"]);
    expect(file.orders[0]!.total_price).toBe("100.0000");
    expect(file.messages.map((m) => m.campaign_id).sort()).toEqual(["A", "B"]);
    expect(file.events.map((e) => `${e.campaign_id}:${e.type}`).sort()).toEqual(["A:sent", "B:clicked"]);
    expect(file.events.find((e) => e.type === "clicked")!.url).toBe("https://shop.example/tea?email=alice@example.com");
    // Nothing of Bob's.
    expect(JSON.stringify(file)).not.toContain("bob@example.com");
    // By phone: the SMS message and Alice's order.
    const byPhone = (await (
      await adminFetch(shop.domain, "/app/customer-data?phone=%2B1%20555%20010%200000")
    ).json()) as {
      orders: { id: string }[];
      events: { channel: string }[];
    };
    expect(byPhone.orders.map((o) => o.id)).toEqual(["5001"]);
    expect(byPhone.events.map((e) => e.channel)).toEqual(["sms"]);
    // Recorded in the audit trail, without the customer's address.
    const audit = await db().query(
      `SELECT actor, details FROM audit_events WHERE shop_id = $1 AND action = 'export.customer_data' ORDER BY id`,
      [shop.shopId],
    );
    expect(audit.rows[0].actor).toBe("staff:31");
    expect(audit.rows[0].details).toMatchObject({ by: "email", orders: 1 });
    expect(JSON.stringify(audit.rows)).not.toContain("alice");
  });

  it("refuses a request without exactly one valid identifier (400 naming it), and one without a session", async () => {
    const shop = await seedShop();
    await storeOfflineSession(shop.domain);
    const none = await adminFetch(shop.domain, "/app/customer-data");
    expect(none.status).toBe(400);
    const bad = await adminFetch(shop.domain, "/app/customer-data?email=not-an-email");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe("email");
    const two = await adminFetch(shop.domain, "/app/customer-data?email=a@b.c&phone=%2B15550100000");
    expect(two.status).toBe(400);
    const anonymous = await fetch(`${stackEnv().SHOPIFY_APP_URL}/app/customer-data?email=alice@example.com`, {
      redirect: "manual",
    });
    expect(anonymous.status).not.toBe(200);
  });

  it("the CLI writes the same data (`data-request --shop --customer-id`)", async () => {
    const shop = await seedShop();
    const out = await runCli(["data-request", "--shop", shop.domain, "--customer-id", "7001"], stackEnv());
    expect(out.code, out.stderr).toBe(0);
    const file = JSON.parse(out.stdout) as { orders: { id: string }[]; events: { channel: string }[] };
    expect(file.orders.map((o) => o.id)).toEqual(["5001"]);
    expect(file.events.map((e) => e.channel)).toEqual(["sms"]);
    const audit = await db().query(`SELECT actor, action FROM audit_events WHERE shop_id = $1`, [shop.shopId]);
    expect(audit.rows).toContainEqual({ actor: "cli", action: "export.customer_data" });
    const missing = await runCli(["data-request", "--shop", shop.domain], stackEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/exactly one of email, phone, customer-id/);
  }, 120_000);
});
