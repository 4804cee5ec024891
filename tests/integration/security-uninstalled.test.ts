/**
 * Issue 10, item 4: an uninstalled shop's ways in (API keys, provider ingest URLs, the click pixel) answer 401 and
 * write nothing; reinstalling (the install's data path, recordShopDetails) restores them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { recordShopDetails } from "../../app/data/shops.server";
import { pixelToken } from "../../app/pixel/token.server";
import { createShopWithKey, db, http, postShopifyWebhook, stackEnv, waitFor } from "../support/api";
import { PROVIDER_FIXTURES_DIR } from "../support/fixtures";

const sendgridOpen = () => readFileSync(path.join(PROVIDER_FIXTURES_DIR, "sendgrid-open.json"));

async function eventCount(shopId: string): Promise<number> {
  const r = await db().query(`SELECT count(*)::int AS n FROM message_events WHERE shop_id = $1`, [shopId]);
  return r.rows[0].n;
}

describe("an uninstalled shop", () => {
  it("refuses (401) its API keys, ingest URLs and pixel until it is reinstalled, then accepts them again", async () => {
    const shop = await createShopWithKey();
    const settings = await http("GET", "/api/v1/settings", { key: shop.key });
    expect(settings.status).toBe(200);
    const ingestToken: string = settings.body.ingest.token;
    const pixel = pixelToken(BigInt(shop.shopId), stackEnv().SHOPIFY_API_SECRET);

    const ingest = () =>
      http("POST", `/ingest/sendgrid/${ingestToken}`, {
        raw: sendgridOpen(),
        headers: { "Content-Type": "application/json" },
      });
    const pixelPost = () =>
      http("POST", `/pixel/${pixel}`, {
        raw: JSON.stringify({
          shop: shop.domain,
          order_id: "1",
          checkout_token: "c1",
          message_id: "m1",
          landed_at: "2026-11-01T10:00:00Z",
          occurred_at: "2026-11-01T10:05:00Z",
        }),
        headers: { "Content-Type": "text/plain" },
      });

    const uninstalled = await postShopifyWebhook(
      "app/uninstalled",
      shop.domain,
      JSON.stringify({ id: 1, name: "Shop", myshopify_domain: shop.domain }),
    );
    expect(uninstalled.status).toBe(200);
    await waitFor(async () => {
      const r = await db().query(`SELECT uninstalled_at FROM shops WHERE id = $1`, [shop.shopId]);
      return r.rows[0].uninstalled_at !== null;
    });

    const api = await http("GET", "/api/v1/settings", { key: shop.key });
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe("unauthorized");
    const events = await http("POST", "/api/v1/events", {
      key: shop.key,
      body: {
        events: [
          {
            type: "sent",
            channel: "email",
            occurred_at: "2026-11-01T09:00:00Z",
            campaign_id: "A",
            recipient: { email: "a@example.com" },
          },
        ],
      },
    });
    expect(events.status).toBe(401);
    const ing = await ingest();
    expect(ing.status).toBe(401);
    expect(ing.body.error.code).toBe("unauthorized");
    expect((await pixelPost()).status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);

    // Reinstalled: the install records the shop's details again, which clears uninstalled_at.
    await recordShopDetails(shop.domain, { name: "Shop", currency: "USD", timezone: "UTC" });
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).status).toBe(200);
    expect((await ingest()).status).toBe(200);
    expect((await pixelPost()).status).toBe(202);
    expect(await eventCount(shop.shopId)).toBeGreaterThan(0);
  });
});
