/**
 * GET /extensions/orders/{id}/attribution, the backend of the order details block in Shopify admin, through the
 * built server: authenticated by the session token the admin adds to the extension's fetch (`authenticate.admin`),
 * CORS for the admin's origin, and the same attribution and explanation as GET /api/v1/orders/{id}/attribution.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, baseUrl, createShopWithKey, http, settled } from "../support/api";
import { sessionToken, storeOfflineSession } from "../support/admin-session";

const HOUR = 3_600_000;
let shop: { domain: string; key: string; shopId: string };
let other: { domain: string; key: string; shopId: string };

async function block(id: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl()}/extensions/orders/${encodeURIComponent(id)}/attribution`, {
    headers: { "User-Agent": BROWSER_UA, Origin: "https://extensions.shopifycdn.com", ...headers },
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const bearer = (domain: string) => ({ Authorization: `Bearer ${sessionToken(domain)}` });

beforeAll(async () => {
  shop = await createShopWithKey();
  other = await createShopWithKey();
  await storeOfflineSession(shop.domain);
  await storeOfflineSession(other.domain);
  const t0 = Date.now() - 10 * HOUR;
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const recipient = { email: "ada@example.com" };
  const base = { channel: "email", campaign_id: "spring", campaign_name: "Spring sale", message_id: "m-1", recipient };
  expect(
    (
      await http("POST", "/api/v1/events", {
        key: shop.key,
        body: {
          events: [
            { id: "e1", type: "sent", occurred_at: at(0), ...base },
            { id: "e2", type: "clicked", occurred_at: at(HOUR), ...base },
          ],
        },
      })
    ).status,
  ).toBe(202);
  expect(
    (
      await http("POST", "/api/v1/orders", {
        key: shop.key,
        body: {
          orders: [
            {
              id: "5001",
              name: "#1001",
              processed_at: at(2 * HOUR),
              currency: "USD",
              total_price: "120.00",
              email: "ada@example.com",
            },
            {
              id: "5002",
              name: "#1002",
              processed_at: at(2 * HOUR),
              currency: "USD",
              total_price: "30.00",
              email: "bob@example.com",
            },
          ],
        },
      })
    ).status,
  ).toBe(202);
  expect(
    (
      await http("POST", "/api/v1/orders/5001/refunds", {
        key: shop.key,
        body: { id: "r1", created_at: at(3 * HOUR), amount: "20.00", currency: "USD" },
      })
    ).status,
  ).toBe(202);
  await settled(shop.shopId);
});

describe("order details block backend", () => {
  it("answers the campaign that earned the order for a valid session token, with the API's explanation", async () => {
    const res = await block("gid://shopify/Order/5001", bearer(shop.domain));
    expect(res.status).toBe(200);
    const api = await http("GET", "/api/v1/orders/5001/attribution", { key: shop.key });
    expect(api.status).toBe(200);
    expect(res.body.attribution).toEqual(api.body);
    expect(res.body).toMatchObject({
      order: { id: "5001", name: "#1001" },
      enabled: true,
      currency: "USD",
      campaign: { id: "spring", name: "Spring sale", channel: "email", app_path: "/app/campaigns/spring" },
      money: { gross: "120.00", refunded: "20.00", net: "100.00", currency: "USD" },
    });
    expect(res.body.order.admin_url).toBe(
      `https://admin.shopify.com/store/${shop.domain.replace(".myshopify.com", "")}/orders/5001`,
    );
    expect(res.body.attribution).toMatchObject({ attributed: true, event_type: "clicked", name: "#1001" });
    // Readable by the extension, which runs on another origin than the app.
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("explains an order no campaign earned, without money", async () => {
    const res = await block("5002", bearer(shop.domain));
    expect(res.status).toBe(200);
    expect(res.body.campaign).toBeNull();
    expect(res.body.money).toBeNull();
    expect(res.body.attribution.attributed).toBe(false);
    const api = await http("GET", "/api/v1/orders/5002/attribution", { key: shop.key });
    expect(res.body.attribution.explanation).toBe(api.body.explanation);
  });

  it("refuses a request without a session token", async () => {
    const res = await block("5001");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
    expect(res.body.attribution).toBeUndefined();
  });

  it("refuses a token signed with another secret, an expired token and an API key", async () => {
    const forged = await block("5001", {
      Authorization: `Bearer ${sessionToken(shop.domain, { secret: "not-the-secret" })}`,
    });
    expect(forged.status).toBe(401);
    expect(forged.body?.attribution).toBeUndefined();
    const expired = await block("5001", {
      Authorization: `Bearer ${sessionToken(shop.domain, { now: new Date(Date.now() - 3_600_000) })}`,
    });
    expect(expired.status).toBe(401);
    const apiKey = await block("5001", { Authorization: `Bearer ${shop.key}` });
    expect(apiKey.status).toBe(401);
  });

  it("never shows one shop's order to another shop's session", async () => {
    const res = await block("5001", bearer(other.domain));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain("Spring");
  });

  it("answers the admin's CORS preflight", async () => {
    const res = await fetch(`${baseUrl()}/extensions/orders/5001/attribution`, {
      method: "OPTIONS",
      headers: {
        "User-Agent": BROWSER_UA,
        Origin: "https://extensions.shopifycdn.com",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
  });

  it("shows 'attribution is off' data when the merchant turned attribution off", async () => {
    const s = await createShopWithKey();
    await storeOfflineSession(s.domain);
    await http("POST", "/api/v1/orders", {
      key: s.key,
      body: { orders: [{ id: "7001", processed_at: new Date().toISOString(), currency: "USD", total_price: "5.00" }] },
    });
    expect((await http("PUT", "/api/v1/settings", { key: s.key, body: { enabled: false } })).status).toBe(200);
    await settled(s.shopId);
    const res = await block("7001", bearer(s.domain));
    expect(res.status).toBe(200);
    expect(res.body.enabled).toBe(false);
    expect(res.body.campaign).toBeNull();
  });
});
