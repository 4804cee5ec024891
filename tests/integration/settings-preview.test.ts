/**
 * POST /api/v1/settings/preview (ATTRIBUTION.md, "Previewing a settings change"): the period under the proposed
 * settings next to the current one, orders gained / lost / moved, nothing written; saving the same settings
 * afterwards gives exactly the previewed figures.
 */
import { describe, expect, it } from "vitest";
import { db, http, settled } from "../support/api";
import { newShop, postEvents, postOrders, report, storedAttributions, type Shop } from "../support/attribution";

const FROM = "2026-11-01T00:00:00Z";
const TO = "2026-11-08T00:00:00Z";

function ev(type: string, campaign: string, message: string, email: string, at: string, tags: string[] = []) {
  return {
    id: `${message}-${type}`,
    type,
    channel: "email",
    campaign_id: campaign,
    campaign_name: `Campaign ${campaign}`,
    message_id: message,
    occurred_at: at,
    recipient: { email },
    tags,
  };
}

async function shopWithData(): Promise<Shop> {
  const shop = await newShop({ currency: "USD", channels: { email: { event: "clicked", window_hours: 24 } } });
  await postEvents(shop, [
    ev("sent", "A", "m1", "a@x.com", "2026-11-01T09:00:00Z"),
    ev("clicked", "A", "m1", "a@x.com", "2026-11-01T10:00:00Z"),
    ev("sent", "B", "m2", "a@x.com", "2026-11-01T12:00:00Z"),
    ev("opened", "B", "m2", "a@x.com", "2026-11-01T13:00:00Z"),
    ev("sent", "C", "m3", "b@x.com", "2026-11-02T09:00:00Z"),
    ev("opened", "C", "m3", "b@x.com", "2026-11-02T09:30:00Z"),
    ev("sent", "D", "m4", "c@x.com", "2026-11-03T09:00:00Z", ["promo"]),
    ev("clicked", "D", "m4", "c@x.com", "2026-11-03T09:30:00Z", ["promo"]),
  ]);
  await postOrders(shop, [
    { id: "o1", processed_at: "2026-11-01T20:00:00Z", currency: "USD", total_price: "100.00", email: "a@x.com" },
    { id: "o2", processed_at: "2026-11-02T10:00:00Z", currency: "USD", total_price: "50.00", email: "b@x.com" },
    { id: "o3", processed_at: "2026-11-03T10:00:00Z", currency: "USD", total_price: "30.00", email: "c@x.com" },
    { id: "o4", processed_at: "2026-11-04T10:00:00Z", currency: "USD", total_price: "10.00", email: "n@x.com" },
    { id: "o5", processed_at: "2026-10-20T10:00:00Z", currency: "USD", total_price: "99.00", email: "a@x.com" },
  ]);
  await settled(shop.shopId);
  return shop;
}

const PATCH = { channels: { email: { event: "opened" } }, excluded_tags: ["promo"] };

async function snapshot(shopId: string) {
  const settings = await db().query(`SELECT version, channels, excluded_tags FROM settings WHERE shop_id = $1`, [
    shopId,
  ]);
  const rollups = await db().query(
    `SELECT grain, bucket, campaign_id, purchases, gross::text, refunded::text FROM rollup_sales
      WHERE shop_id = $1 ORDER BY 1, 2, 3`,
    [shopId],
  );
  return { settings: settings.rows, rollups: rollups.rows, attributions: await storedAttributions(shopId) };
}

describe("POST /api/v1/settings/preview", () => {
  it("shows the period under the proposed settings, orders gained, lost and moved, and writes nothing", async () => {
    const shop = await shopWithData();
    const before = await snapshot(shop.shopId);
    const res = await http("POST", `/api/v1/settings/preview?from=${FROM}&to=${TO}`, { key: shop.key, body: PATCH });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-08T00:00:00.000Z",
      current: {
        campaigns: 4,
        campaigns_with_revenue: 2,
        purchases: 2,
        gross: "130.00",
        refunded: "0.00",
        revenue: "130.00",
        average_check: "65.00",
        store_revenue: "190.00",
      },
      proposed: {
        campaigns: 4,
        campaigns_with_revenue: 2,
        purchases: 2,
        gross: "150.00",
        refunded: "0.00",
        revenue: "150.00",
        average_check: "75.00",
        store_revenue: "190.00",
      },
      campaigns: [
        {
          id: "A",
          name: "Campaign A",
          current: { purchases: 1, revenue: "100.00" },
          proposed: { purchases: 0, revenue: "0.00" },
        },
        {
          id: "B",
          name: "Campaign B",
          current: { purchases: 0, revenue: "0.00" },
          proposed: { purchases: 1, revenue: "100.00" },
        },
        {
          id: "C",
          name: "Campaign C",
          current: { purchases: 0, revenue: "0.00" },
          proposed: { purchases: 1, revenue: "50.00" },
        },
        {
          id: "D",
          name: "Campaign D",
          current: { purchases: 1, revenue: "30.00" },
          proposed: { purchases: 0, revenue: "0.00" },
        },
      ],
      orders: { gained: 1, lost: 1, moved: 1, unchanged: 1 },
    });
    expect(await snapshot(shop.shopId)).toEqual(before);
  });

  it("saving the previewed settings gives exactly the previewed figures", async () => {
    const shop = await shopWithData();
    for (const patch of [PATCH, { channels: { email: { event: "sent", window_hours: 2160 } } }, { enabled: false }]) {
      const preview = await http("POST", `/api/v1/settings/preview?from=${FROM}&to=${TO}`, {
        key: shop.key,
        body: patch,
      });
      expect(preview.status, preview.text).toBe(200);
      const put = await http("PUT", "/api/v1/settings", { key: shop.key, body: patch });
      expect(put.status, put.text).toBe(200);
      await settled(shop.shopId);
      const rep = await report(shop, FROM, TO);
      const { incremental_revenue: _ir, ...summary } = rep.summary;
      expect(summary).toEqual(preview.body.proposed);
      for (const c of preview.body.campaigns) {
        const row = rep.campaigns.find((r: { id: string }) => r.id === c.id);
        expect({ id: c.id, purchases: row?.purchases ?? 0, revenue: row?.revenue ?? "0.00" }).toEqual({
          id: c.id,
          ...c.proposed,
        });
      }
      // And a preview of the saved settings changes nothing.
      const again = await http("POST", `/api/v1/settings/preview?from=${FROM}&to=${TO}`, { key: shop.key, body: {} });
      expect(again.body.current).toEqual(again.body.proposed);
      expect(again.body.orders).toMatchObject({ gained: 0, lost: 0, moved: 0 });
    }
  });

  it("defaults to the last 30 days in the shop's time zone; refuses bad settings with 400 naming the field", async () => {
    const shop = await shopWithData();
    const res = await http("POST", "/api/v1/settings/preview", { key: shop.key, body: {} });
    expect(res.status, res.text).toBe(200);
    const days = (Date.parse(res.body.to) - Date.parse(res.body.from)) / 86_400_000;
    expect(days).toBe(30);
    expect(Date.parse(res.body.to)).toBeGreaterThan(Date.now());

    const before = await snapshot(shop.shopId);
    const bad = await http("POST", "/api/v1/settings/preview", {
      key: shop.key,
      body: { channels: { email: { window_hours: 0 } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["channels.email.window_hours"]);
    const badPeriod = await http("POST", "/api/v1/settings/preview?from=yesterday", { key: shop.key, body: {} });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.error.details.map((d: { path: string }) => d.path)).toEqual(["from"]);
    expect(await snapshot(shop.shopId)).toEqual(before);
    const unauth = await http("POST", "/api/v1/settings/preview", { body: {} });
    expect(unauth.status).toBe(401);
  });
});
