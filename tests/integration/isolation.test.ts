/**
 * Tenant isolation (a key belongs to one shop and sees only that shop's data) and the per-key rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createShopWithKey, db, http, settled, waitFor } from "../support/api";
import { ownStack, type OwnStack } from "../support/faults";
import { pixelToken } from "../../app/pixel/token.server";

interface Shop {
  domain: string;
  key: string;
  shopId: string;
  token: string;
}

async function newShop(): Promise<Shop> {
  const s = await createShopWithKey();
  const settings = await http("GET", "/api/v1/settings", { key: s.key });
  return { ...s, token: settings.body.ingest.token };
}

async function counts(shopId: string) {
  const r = await db().query(
    `SELECT (SELECT count(*) FROM message_events WHERE shop_id = $1)::int AS events,
            (SELECT count(*) FROM orders WHERE shop_id = $1)::int AS orders,
            (SELECT count(*) FROM refunds WHERE shop_id = $1)::int AS refunds,
            (SELECT version FROM settings WHERE shop_id = $1) AS version,
            (SELECT string_agg(external_id || '=' || total_price::text || '/' || refunded_total::text, ',' ORDER BY external_id)
               FROM orders WHERE shop_id = $1) AS order_figures`,
    [shopId],
  );
  return r.rows[0];
}

const RANGE = "from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z";

describe("isolation", () => {
  it("one shop's key never reads or writes another shop's data", async () => {
    const a = await newShop();
    const b = await newShop();
    expect(a.token).not.toBe(b.token);

    // Shop A: a click and the order it earns.
    const ev = await http("POST", "/api/v1/events", {
      key: a.key,
      body: {
        events: [
          {
            id: "iso-ev-1",
            type: "clicked",
            channel: "email",
            occurred_at: "2026-03-01T09:00:00Z",
            campaign_id: "camp-A",
            campaign_name: "Only A",
            message_id: "iso-msg-1",
            recipient: { email: "ann@example.com" },
          },
        ],
      },
    });
    expect(ev.status, ev.text).toBe(202);
    const ord = await http("POST", "/api/v1/orders", {
      key: a.key,
      body: {
        orders: [
          {
            id: "ORD-A",
            processed_at: "2026-03-01T10:00:00Z",
            currency: "USD",
            total_price: "80.00",
            email: "ann@example.com",
          },
        ],
      },
    });
    expect(ord.status, ord.text).toBe(202);
    await settled(a.shopId);
    const aBefore = await counts(a.shopId);

    // Reads with B's key see nothing of A.
    const ownAttribution = await http("GET", "/api/v1/orders/ORD-A/attribution", { key: a.key });
    expect(ownAttribution.status, ownAttribution.text).toBe(200);
    expect(ownAttribution.body).toMatchObject({ order_id: "ORD-A", attributed: true, campaign_id: "camp-A" });
    const otherAttribution = await http("GET", "/api/v1/orders/ORD-A/attribution", { key: b.key });
    expect(otherAttribution.status).toBe(404);
    expect(otherAttribution.body.error.code).toBe("not_found");

    const ownCampaign = await http("GET", `/api/v1/campaigns/camp-A?${RANGE}`, { key: a.key });
    expect(ownCampaign.status, ownCampaign.text).toBe(200);
    const otherCampaign = await http("GET", `/api/v1/campaigns/camp-A?${RANGE}`, { key: b.key });
    expect(otherCampaign.status).toBe(404);

    const ownReport = await http("GET", `/api/v1/reports/campaigns?${RANGE}`, { key: a.key });
    expect(ownReport.status, ownReport.text).toBe(200);
    expect(ownReport.body.campaigns.map((c: { id: string }) => c.id)).toContain("camp-A");
    const otherReport = await http("GET", `/api/v1/reports/campaigns?${RANGE}`, { key: b.key });
    expect(otherReport.status, otherReport.text).toBe(200);
    expect(otherReport.body.campaigns).toEqual([]);
    expect(otherReport.body.summary).toMatchObject({ purchases: 0, campaigns: 0 });
    expect(JSON.stringify(otherReport.body)).not.toContain("camp-A");
    const otherCsv = await http("GET", `/api/v1/reports/campaigns?${RANGE}&format=csv`, { key: b.key });
    expect(otherCsv.text).not.toContain("camp-A");

    const otherSettings = await http("GET", "/api/v1/settings", { key: b.key });
    expect(otherSettings.body.ingest.token).toBe(b.token);
    expect(JSON.stringify(otherSettings.body)).not.toContain(a.token);

    // Writes with B's key, naming A's ids, land in B only.
    const refund = await http("POST", "/api/v1/orders/ORD-A/refunds", {
      key: b.key,
      body: { id: "iso-r-1", created_at: "2026-03-02T10:00:00Z", amount: "30.00", currency: "USD" },
    });
    expect(refund.status, refund.text).toBe(202);
    const sameId = await http("POST", "/api/v1/orders", {
      key: b.key,
      body: { orders: [{ id: "ORD-A", processed_at: "2026-03-05T10:00:00Z", currency: "USD", total_price: "1.00" }] },
    });
    expect(sameId.status).toBe(202);
    const sameEvent = await http("POST", "/api/v1/events", {
      key: b.key,
      body: {
        events: [
          {
            id: "iso-ev-1",
            type: "clicked",
            channel: "email",
            occurred_at: "2026-03-01T09:00:00Z",
            campaign_id: "camp-A",
            recipient: { email: "ann@example.com" },
          },
        ],
      },
    });
    // A's event id is no duplicate in B: each shop has its own ids.
    expect(sameEvent.body).toEqual({ accepted: 1, duplicates: 0 });
    const put = await http("PUT", "/api/v1/settings", { key: b.key, body: { excluded_tags: ["iso"] } });
    expect(put.status).toBe(200);

    // A provider delivery on A's ingest URL is A's; there is no way to name B from it.
    const sendgrid = [
      {
        email: "zed@example.com",
        timestamp: 1772355600,
        event: "open",
        sg_event_id: "iso-sg-1",
        sg_message_id: "iso-sg-msg.1",
        campaign_id: "camp-A2",
        shop_id: b.shopId,
        shop: b.domain,
      },
    ];
    const viaA = await http("POST", `/ingest/sendgrid/${a.token}`, { body: sendgrid });
    expect(viaA.status, viaA.text).toBe(200);
    expect((await http("POST", `/ingest/sendgrid/${a.token}x`, { body: sendgrid })).status).toBe(404);
    await settled(a.shopId);
    await settled(b.shopId);

    const aAfter = await counts(a.shopId);
    expect(aAfter).toEqual({ ...aBefore, events: aBefore.events + 1 });
    expect(aAfter.order_figures).toBe("ORD-A=80.0000/0.0000");
    const bAfter = await counts(b.shopId);
    expect(bAfter).toMatchObject({ events: 1, orders: 1, refunds: 1, order_figures: "ORD-A=1.0000/30.0000" });
    const sgRows = await db().query(
      `SELECT shop_id::text AS shop FROM message_events WHERE dedup_key LIKE '%iso-sg-1%'`,
    );
    expect(sgRows.rows).toEqual([{ shop: a.shopId }]);
    // A's attribution still A's own.
    const again = await http("GET", "/api/v1/orders/ORD-A/attribution", { key: a.key });
    expect(again.body).toMatchObject({ attributed: true, campaign_id: "camp-A" });
  });
});

describe("rate limit", () => {
  let stack: OwnStack;
  beforeAll(async () => {
    // One trusted proxy: X-Forwarded-For names the client, so each test can post as clients of its own.
    stack = await ownStack({
      env: { API_RATE_LIMIT_PER_MINUTE: "5", PIXEL_RATE_LIMIT_PER_IP_PER_MINUTE: "20", TRUST_PROXY_HOPS: "1" },
    });
    // The server's Redis connection is up before the first counted request: one still connecting after 300 ms lets a
    // request through uncounted (fail open), which would shift every count below by one.
    await waitFor(async () => (await stack.http("GET", "/healthz")).status === 200, 30_000, "the server's /healthz");
  }, 120_000);
  afterAll(async () => {
    await stack?.stop(); // also drops its queue prefix
  });

  it("answers 429 with Retry-After per key once the key's minute is used up", async () => {
    const one = await createShopWithKey();
    const two = await createShopWithKey();
    // The window is the clock minute: do not start right before it turns.
    const s = new Date().getSeconds();
    if (s >= 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    for (let i = 0; i < 5; i++) {
      const ok = await stack.http("GET", "/api/v1/settings", { key: one.key });
      expect(ok.status, `request ${i + 1}`).toBe(200);
    }
    const limited = await stack.http("POST", "/api/v1/events", { key: one.key, body: { events: [] } });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: "rate_limited", message: expect.any(String), details: [] } });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another key of another shop is not affected; a missing key is still 401, not 429.
    expect((await stack.http("GET", "/api/v1/settings", { key: two.key })).status).toBe(200);
    expect((await stack.http("GET", "/api/v1/settings")).status).toBe(401);
  }, 90_000);

  it("limits POST /pixel/<token> per shop in its own bucket (10x the API limit): 429 with Retry-After and CORS", async () => {
    const one = await createShopWithKey();
    const two = await createShopWithKey();
    const s = new Date().getSeconds();
    if (s >= 45) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    let client = 0;
    const post = (shop: { domain: string; shopId: string }) =>
      stack.http("POST", `/pixel/${pixelToken(BigInt(shop.shopId), stack.env.SHOPIFY_API_SECRET)}`, {
        raw: JSON.stringify({
          shop: shop.domain,
          order_id: "gid://shopify/Order/1001",
          checkout_token: "chk-1",
          message_id: "m-1",
          landed_at: new Date(Date.now() - 120_000).toISOString(),
          occurred_at: new Date(Date.now() - 60_000).toISOString(),
        }),
        // Each post from another client IP: the per-IP limit (20 here) is not what this test is about.
        headers: {
          "Content-Type": "text/plain",
          Origin: "https://shop.example.com",
          "X-Forwarded-For": `198.51.100.${++client}`,
        },
      });
    // The pixel's bucket is not the API key's: the key's 5 a minute are still all there afterwards. The 50 posts go
    // at once, so they all fall in the minute just checked even on a slow machine.
    const statuses = await Promise.all(Array.from({ length: 50 }, () => post(one).then((r) => r.status)));
    expect(statuses.filter((st) => st !== 202)).toEqual([]);
    const limited = await post(one);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: "rate_limited", message: expect.any(String), details: [] } });
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await post(two)).status).toBe(202);
    expect((await stack.http("GET", "/api/v1/settings", { key: one.key })).status).toBe(200);
  }, 90_000);

  it("limits POST /pixel/<token> per client IP across shops (PIXEL_RATE_LIMIT_PER_IP_PER_MINUTE): 429, other IPs unaffected", async () => {
    const one = await createShopWithKey();
    const two = await createShopWithKey();
    const s = new Date().getSeconds();
    if (s >= 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    const post = (shop: { domain: string; shopId: string }, ip: string, i: number) =>
      stack.http("POST", `/pixel/${pixelToken(BigInt(shop.shopId), stack.env.SHOPIFY_API_SECRET)}`, {
        raw: JSON.stringify({
          shop: shop.domain,
          order_id: String(5000 + i),
          checkout_token: `chk-${i}`,
          message_id: "m-1",
          landed_at: new Date(Date.now() - 120_000).toISOString(),
          occurred_at: new Date(Date.now() - 60_000).toISOString(),
        }),
        headers: { "Content-Type": "text/plain", "X-Forwarded-For": ip },
      });
    // 20 from one IP, spread over two shops (each far below its own per-shop limit of 50), at once.
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(i % 2 ? one : two, "203.0.113.7", i).then((r) => r.status)),
    );
    expect(statuses.filter((st) => st !== 202)).toEqual([]);
    const limited = await post(one, "203.0.113.7", 20);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect((await post(two, "203.0.113.7", 21)).status).toBe(429);
    expect((await post(one, "203.0.113.8", 22)).status).toBe(202);
  }, 90_000);
});
