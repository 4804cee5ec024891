/** Helpers for the attribution tests: post the worked examples' data through the public API and read results back. */
import { expect } from "vitest";
import { createShopWithKey, db, http, settled } from "./api";

export interface Shop {
  key: string;
  shopId: string;
}

export async function newShop(settings?: Record<string, unknown>): Promise<Shop> {
  const shop = await createShopWithKey();
  if (settings) {
    const res = await http("PUT", "/api/v1/settings", { key: shop.key, body: settings });
    expect(res.status, res.text).toBe(200);
    await settled(shop.shopId);
  }
  return { key: shop.key, shopId: shop.shopId };
}

export const EXAMPLE_SETTINGS = {
  currency: "USD",
  channels: { email: { event: "clicked", window_hours: 24 }, sms: { event: "clicked", window_hours: 24 } },
  excluded_tags: ["password-reset"],
};

export async function postEvents(shop: Shop, events: unknown[]) {
  const res = await http("POST", "/api/v1/events", { key: shop.key, body: { events } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

export async function postOrders(shop: Shop, orders: unknown[]) {
  const res = await http("POST", "/api/v1/orders", { key: shop.key, body: { orders } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

export async function postRefund(shop: Shop, orderId: string, refund: unknown) {
  const res = await http("POST", `/api/v1/orders/${encodeURIComponent(orderId)}/refunds`, {
    key: shop.key,
    body: refund,
  });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

export async function report(shop: Shop, from = "2026-10-01T00:00:00Z", to = "2026-12-01T00:00:00Z") {
  await settled(shop.shopId);
  const res = await http("GET", `/api/v1/reports/campaigns?from=${from}&to=${to}`, { key: shop.key });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export async function attributionOf(shop: Shop, orderId: string) {
  await settled(shop.shopId);
  const res = await http("GET", `/api/v1/orders/${encodeURIComponent(orderId)}/attribution`, { key: shop.key });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The stored attribution rows of a shop, keyed by order external id. */
export async function storedAttributions(shopId: string) {
  const r = await db().query(
    `SELECT o.external_id AS order_id, a.counted, a.reason, c.external_id AS campaign_id, m.external_id AS message_id,
            a.channel, a.event_type, a.event_at, a.gross::text, a.refunded::text, a.settings_version, a.linked_by
       FROM attributions a JOIN orders o ON o.id = a.order_id
       LEFT JOIN campaigns c ON c.id = a.campaign_id LEFT JOIN messages m ON m.id = a.message_id
      WHERE a.shop_id = $1 ORDER BY o.external_id`,
    [shopId],
  );
  return Object.fromEntries(r.rows.map((row) => [row.order_id, row]));
}

/** Email message events: sent + clicked. */
export function emailSendAndClick(p: {
  campaign: string;
  message: string;
  email: string;
  sent: string;
  clicked?: string;
  tags?: string[];
  name?: string;
}) {
  const base = {
    channel: "email",
    campaign_id: p.campaign,
    campaign_name: p.name ?? `Campaign ${p.campaign}`,
    message_id: p.message,
    recipient: { email: p.email },
    tags: p.tags ?? [],
  };
  const out: unknown[] = [{ ...base, id: `${p.message}-sent`, type: "sent", occurred_at: p.sent }];
  if (p.clicked) out.push({ ...base, id: `${p.message}-clicked`, type: "clicked", occurred_at: p.clicked });
  return out;
}
