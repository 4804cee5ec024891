/**
 * POST /pixel/<token> (the click pixel's endpoint) against the running stack: CORS, authentication (a shop's token
 * never writes another shop's data), validation, storage of the landing as a `clicked` event tied to the order, and
 * end to end: an order by an address that matches nothing is attributed through the pixel's link.
 */
import { describe, expect, it } from "vitest";
import { pixelToken } from "../../app/pixel/token.server";
import {
  createShopWithKey,
  db,
  http,
  postShopifyWebhook,
  settled,
  stackEnv,
  uniqueShopDomain,
  waitFor,
} from "../support/api";

const token = (shopId: string) => pixelToken(BigInt(shopId), stackEnv().SHOPIFY_API_SECRET);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const MIN = 60_000;

function pixelPost(tok: string, body: unknown, contentType = "text/plain;charset=UTF-8") {
  return http("POST", `/pixel/${encodeURIComponent(tok)}`, {
    raw: JSON.stringify(body),
    headers: { "Content-Type": contentType, Origin: "https://shop.example.com" },
  });
}

/** An order through the Add orders API (the pixel's link counts only when the order names the same checkout). */
async function postOrder(key: string, over: Record<string, unknown>) {
  const res = await http("POST", "/api/v1/orders", {
    key,
    body: {
      orders: [{ processed_at: iso(30 * MIN), currency: "USD", total_price: "10.00", email: "x@example.com", ...over }],
    },
  });
  expect(res.status, res.text).toBe(202);
}

async function eventsOf(shopId: string) {
  const r = await db().query(
    `SELECT message_key, campaign_key, channel, type, source, order_key, occurred_at FROM message_events WHERE shop_id = $1 ORDER BY id`,
    [shopId],
  );
  return r.rows;
}

const checkout = (shop: string, over: Record<string, unknown> = {}) => ({
  shop,
  order_id: "gid://shopify/Order/1001",
  checkout_token: "chk-1",
  message_id: "m-1",
  landed_at: iso(20 * MIN),
  occurred_at: iso(10 * MIN),
  ...over,
});

describe("POST /pixel/<token>", () => {
  it("answers the CORS preflight for any origin", async () => {
    const { shopId } = await createShopWithKey();
    const res = await http("OPTIONS", `/pixel/${token(shopId)}`, {
      headers: {
        Origin: "https://shop.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
  });

  it("refuses unknown, forged and foreign-shop tokens with 401 and writes nothing", async () => {
    const a = await createShopWithKey(uniqueShopDomain("pixa"));
    const b = await createShopWithKey(uniqueShopDomain("pixb"));
    const forged = `${b.shopId}.${token(a.shopId).split(".")[1]}`; // A's MAC with B's id

    for (const tok of ["nope", forged, `${b.shopId}.${"x".repeat(43)}`, token("999999999")]) {
      const res = await pixelPost(tok, checkout(b.domain));
      expect(res.status, tok).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "unauthorized" } });
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
    }
    // A's genuine token cannot write shop B's data
    const foreign = await pixelPost(token(a.shopId), checkout(b.domain));
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.details).toEqual([{ path: "shop", message: expect.any(String) }]);

    expect(await eventsOf(a.shopId)).toEqual([]);
    expect(await eventsOf(b.shopId)).toEqual([]);
  });

  it("validates the body, naming each bad field (400), and the media type (415)", async () => {
    const { shopId, domain } = await createShopWithKey();
    const res = await pixelPost(token(shopId), { shop: domain, order_id: null, landed_at: "soon" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      "checkout_token",
      "landed_at",
      "message_id",
      "occurred_at",
      "order_id",
    ]);
    const form = await pixelPost(token(shopId), checkout(domain), "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    expect(await eventsOf(shopId)).toEqual([]);
  });

  it("stores the landing once per (order, message) as a clicked event of the message's campaign, tied to the order", async () => {
    const { shopId, domain, key } = await createShopWithKey();
    const sent = await http("POST", "/api/v1/events", {
      key,
      body: {
        events: [
          {
            type: "sent",
            channel: "sms",
            occurred_at: iso(60 * MIN),
            campaign_id: "C-sms",
            message_id: "m-1",
            recipient: { phone: "+15550100000" },
          },
        ],
      },
    });
    expect(sent.status).toBe(202);
    await postOrder(key, { id: "1001", checkout_token: "chk-1" });

    const body = checkout(domain);
    const first = await pixelPost(token(shopId), body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 1, duplicates: 0 });
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    const again = await pixelPost(token(shopId), { ...body, occurred_at: iso(5 * MIN) }, "application/json");
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });

    const rows = (await eventsOf(shopId)).filter((r) => r.source === "pixel");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      message_key: "m-1",
      campaign_key: "C-sms",
      channel: "sms",
      type: "clicked",
      order_key: "1001",
    });
    expect(new Date(rows[0].occurred_at).toISOString()).toBe(body.landed_at);
    await settled(shopId);
  });

  it("stores a verified click of a message not seen yet under the placeholder campaign", async () => {
    const { shopId, domain, key } = await createShopWithKey();
    await postOrder(key, { id: "2002", checkout_token: "chk-1" });
    const res = await pixelPost(token(shopId), checkout(domain, { message_id: "later-msg", order_id: 2002 }));
    expect(res.status).toBe(202);
    const rows = await eventsOf(shopId);
    expect(rows).toMatchObject([{ message_key: "later-msg", campaign_key: "pixel:uncategorized", order_key: "2002" }]);
    await settled(shopId);
  });

  /** alice was sent and clicked a message; bob@example.com (matching nothing by identity) buys after the pixel's landing. */
  async function aliceClicksBobBuys() {
    const { shopId, domain, key } = await createShopWithKey();
    const events = await http("POST", "/api/v1/events", {
      key,
      body: {
        events: [
          {
            type: "sent",
            channel: "email",
            occurred_at: iso(120 * MIN),
            campaign_id: "autumn",
            campaign_name: "Autumn sale",
            message_id: "m-alice",
            recipient: { email: "alice@example.com" },
          },
          {
            type: "clicked",
            channel: "email",
            occurred_at: iso(60 * MIN),
            campaign_id: "autumn",
            message_id: "m-alice",
            recipient: { email: "alice@example.com" },
            url: "https://shop.example.com/?cr_mid=m-alice",
          },
        ],
      },
    });
    expect(events.status).toBe(202);
    const orders = await http("POST", "/api/v1/orders", {
      key,
      body: {
        orders: [
          {
            id: "7001",
            processed_at: iso(30 * MIN),
            currency: "USD",
            total_price: "80.00",
            email: "bob@example.com",
            checkout_token: "chk-1",
          },
        ],
      },
    });
    expect(orders.status).toBe(202);
    await settled(shopId);
    const before = await attributionRow(shopId, "7001");
    expect(before).toMatchObject({ campaign: null, linked_by: null, reason: "no_match" });

    const px = await pixelPost(
      token(shopId),
      checkout(domain, {
        order_id: "gid://shopify/Order/7001",
        message_id: "m-alice",
        landed_at: iso(40 * MIN),
        occurred_at: iso(30 * MIN),
      }),
    );
    expect(px.status).toBe(202);
    await settled(shopId);
    return { shopId, key };
  }

  async function attributionRow(shopId: string, orderId: string) {
    const r = await db().query(
      `SELECT c.external_id AS campaign, a.channel, a.event_type, a.event_at, a.linked_by, a.reason
         FROM attributions a JOIN orders o ON o.id = a.order_id LEFT JOIN campaigns c ON c.id = a.campaign_id
        WHERE o.shop_id = $1 AND o.external_id = $2`,
      [shopId, orderId],
    );
    return r.rows[0];
  }

  it("end to end (engine): the order by another address is attributed to the campaign through the pixel's click", async () => {
    const { shopId } = await aliceClicksBobBuys();
    const row = await attributionRow(shopId, "7001");
    expect(row).toMatchObject({
      campaign: "autumn",
      channel: "email",
      event_type: "clicked",
      linked_by: "click",
      reason: null,
    });
  });

  it("end to end (API): GET /api/v1/orders/{id}/attribution explains the link by the click", async () => {
    const { key } = await aliceClicksBobBuys();
    const after = await http("GET", "/api/v1/orders/7001/attribution", { key });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({
      order_id: "7001",
      attributed: true,
      campaign_id: "autumn",
      message_id: "m-alice",
      channel: "email",
      event_type: "clicked",
    });
    expect(after.body.explanation).toMatch(/tracked link/i);
    expect(after.body.explanation).toMatch(/click/i);
  });

  it("landing_site with cr_mid (orders API and Shopify order webhook) links the order to the message too", async () => {
    const { shopId, domain, key } = await createShopWithKey();
    await http("POST", "/api/v1/events", {
      key,
      body: {
        events: [
          {
            type: "sent",
            channel: "sms",
            occurred_at: iso(120 * MIN),
            campaign_id: "flash",
            message_id: "m-sms",
            recipient: { phone: "+15550100000" },
          },
        ],
      },
    });
    const api = await http("POST", "/api/v1/orders", {
      key,
      body: {
        orders: [
          {
            id: "8001",
            processed_at: iso(30 * MIN),
            currency: "USD",
            total_price: "10.00",
            email: "carol@example.com",
            landing_site: "/products/tea?cr_mid=m-sms&utm_source=sms",
          },
        ],
      },
    });
    expect(api.status).toBe(202);
    const webhookOrder = {
      id: 8002,
      admin_graphql_api_id: "gid://shopify/Order/8002",
      name: "#8002",
      email: "dave@example.com",
      created_at: iso(20 * MIN),
      processed_at: iso(20 * MIN),
      updated_at: iso(20 * MIN),
      currency: "USD",
      total_price: "12.00",
      test: false,
      cancelled_at: null,
      landing_site: "/?cr_mid=m-sms",
      refunds: [],
    };
    const wh = await postShopifyWebhook("orders/create", domain, JSON.stringify(webhookOrder));
    expect(wh.status).toBe(200);
    await settled(shopId);
    for (const id of ["8001", "8002"]) {
      expect(await attributionRow(shopId, id), id).toMatchObject({
        campaign: "flash",
        channel: "sms",
        event_type: "clicked",
        linked_by: "click",
      });
    }
  });

  async function campaignsOf(shopId: string) {
    const r = await db().query(`SELECT external_id FROM campaigns WHERE shop_id = $1 ORDER BY external_id`, [shopId]);
    return r.rows.map((x) => x.external_id);
  }

  /** alice was sent (and clicked) m-alice of "autumn"; bob's order 7001 matches nothing by identity. */
  async function aliceAndBobsOrder(checkoutToken: string | null) {
    const { shopId, domain, key } = await createShopWithKey();
    const events = await http("POST", "/api/v1/events", {
      key,
      body: {
        events: [
          {
            type: "sent",
            channel: "email",
            occurred_at: iso(120 * MIN),
            campaign_id: "autumn",
            message_id: "m-alice",
            recipient: { email: "alice@example.com" },
          },
        ],
      },
    });
    expect(events.status).toBe(202);
    if (checkoutToken !== null)
      await postOrder(key, { id: "7001", email: "bob@example.com", checkout_token: checkoutToken });
    return { shopId, domain, key };
  }

  const bobsLink = (domain: string, over: Record<string, unknown> = {}) =>
    checkout(domain, {
      order_id: "gid://shopify/Order/7001",
      message_id: "m-alice",
      checkout_token: "chk-real",
      landed_at: iso(40 * MIN),
      occurred_at: iso(30 * MIN),
      ...over,
    });

  it("refuses to count a link whose checkout_token is not the order's: the order does not move, no placeholder campaign", async () => {
    const { shopId, domain } = await aliceAndBobsOrder("chk-real");
    // A storefront visitor who read the public pixel token posts links for bob's real order: a guessed checkout token
    // with a real message, and an invented message.
    const forged = await pixelPost(token(shopId), bobsLink(domain, { checkout_token: "chk-guess" }));
    expect(forged.status).toBe(202);
    const invented = await pixelPost(
      token(shopId),
      bobsLink(domain, { checkout_token: "chk-guess", message_id: "never-sent" }),
    );
    expect(invented.status).toBe(202);
    await settled(shopId);
    expect(await attributionRow(shopId, "7001")).toMatchObject({ campaign: null, linked_by: null, reason: "no_match" });
    expect((await eventsOf(shopId)).filter((e) => e.source === "pixel")).toEqual([]);
    expect(await campaignsOf(shopId)).toEqual(["autumn"]);

    // The genuine checkout's link still attributes.
    expect((await pixelPost(token(shopId), bobsLink(domain))).status).toBe(202);
    await settled(shopId);
    expect(await attributionRow(shopId, "7001")).toMatchObject({ campaign: "autumn", linked_by: "click" });
  });

  it("keeps a link that arrives before its order unverified, and counts it once the order arrives with the same checkout (either arrival order)", async () => {
    // Link first, then the order (through a Shopify order webhook carrying checkout_token).
    const first = await aliceAndBobsOrder(null);
    expect((await pixelPost(token(first.shopId), bobsLink(first.domain))).status).toBe(202);
    expect(
      (await pixelPost(token(first.shopId), bobsLink(first.domain, { checkout_token: "chk-other", message_id: "m-x" })))
        .status,
    ).toBe(202);
    await settled(first.shopId);
    expect((await eventsOf(first.shopId)).filter((e) => e.source === "pixel")).toEqual([]);
    expect(await campaignsOf(first.shopId)).toEqual(["autumn"]);
    const webhookOrder = {
      id: 7001,
      email: "bob@example.com",
      created_at: iso(30 * MIN),
      processed_at: iso(30 * MIN),
      updated_at: iso(30 * MIN),
      currency: "USD",
      total_price: "10.00",
      checkout_token: "chk-real",
      refunds: [],
    };
    expect((await postShopifyWebhook("orders/create", first.domain, JSON.stringify(webhookOrder))).status).toBe(200);
    await settled(first.shopId);

    // Order first, then the link.
    const second = await aliceAndBobsOrder("chk-real");
    expect((await pixelPost(token(second.shopId), bobsLink(second.domain))).status).toBe(202);
    await settled(second.shopId);

    for (const { shopId } of [first, second]) {
      expect(await attributionRow(shopId, "7001"), shopId).toMatchObject({
        campaign: "autumn",
        event_type: "clicked",
        linked_by: "click",
      });
      const pixel = (await eventsOf(shopId)).filter((e) => e.source === "pixel");
      expect(pixel, shopId).toMatchObject([{ message_key: "m-alice", campaign_key: "autumn", order_key: "7001" }]);
    }
    expect(await campaignsOf(first.shopId)).toEqual(["autumn"]);
  });

  it("refuses (400 naming order_id) more links for one order than PIXEL_LINKS_PER_ORDER (5)", async () => {
    const { shopId, domain } = await aliceAndBobsOrder(null);
    for (let i = 0; i < 5; i++) {
      const res = await pixelPost(token(shopId), bobsLink(domain, { checkout_token: `chk-${i}` }));
      expect(res.status, `link ${i + 1}`).toBe(202);
    }
    const sixth = await pixelPost(token(shopId), bobsLink(domain));
    expect(sixth.status).toBe(400);
    expect(sixth.body.error.details).toEqual([{ path: "order_id", message: expect.any(String) }]);
    // The same link again is a duplicate, not a sixth link.
    expect((await pixelPost(token(shopId), bobsLink(domain, { checkout_token: "chk-0" }))).body).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    const r = await db().query(`SELECT count(*)::int AS n FROM pixel_links WHERE shop_id = $1`, [shopId]);
    expect(r.rows[0].n).toBe(5);
  });

  it("refuses to keep links still unverified after PIXEL_LINK_RETENTION_DAYS (30): the relay deletes them, verified and recent ones stay", async () => {
    const { shopId } = await createShopWithKey();
    await db().query(
      `INSERT INTO pixel_links (shop_id, order_key, message_key, checkout_token, landed_at, received_at, verified_at)
       VALUES ($1, 'old', 'm', 'c', now() - interval '31 days', now() - interval '31 days', NULL),
              ($1, 'old-verified', 'm', 'c', now() - interval '31 days', now() - interval '31 days', now()),
              ($1, 'recent', 'm', 'c', now() - interval '29 days', now() - interval '29 days', NULL)`,
      [shopId],
    );
    const keys = async () =>
      (await db().query(`SELECT order_key FROM pixel_links WHERE shop_id = $1 ORDER BY order_key`, [shopId])).rows.map(
        (r) => r.order_key,
      );
    await waitFor(async () => !(await keys()).includes("old"), 20_000, "the stale link deleted");
    expect(await keys()).toEqual(["old-verified", "recent"]);
  });
});
