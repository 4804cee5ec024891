/**
 * The settings page's privacy and secrets cards in a real browser (as tests/browser/admin.test.ts: Debian's Chromium,
 * a stored offline session, a session token signed with the stack's secret, the App Bridge stand-in): rotating the
 * ingest URLs, downloading a customer's data, and the activity list that records both.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { BROWSER_UA, baseUrl, createShopWithKey, http, settled, stackEnv } from "../support/api";
import { storeOfflineSession } from "../support/admin";
import { ROOT } from "../support/processes";
import { embeddedUrl, signSessionToken } from "../../scripts/demo/session-token";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const STAND_IN = readFileSync(path.join(ROOT, "public/app-bridge-standalone.js"), "utf8");

let browser: Browser;
let page: Page;
let shop: { domain: string; key: string; shopId: string };

describe("settings page: ingest URL rotation, customer data, activity", () => {
  beforeAll(async () => {
    shop = await createShopWithKey();
    await storeOfflineSession(shop.domain);
    await http("POST", "/api/v1/orders", {
      key: shop.key,
      body: {
        orders: [
          {
            id: "77",
            processed_at: "2026-11-01T20:00:00Z",
            currency: "USD",
            total_price: "12.00",
            email: "dana@example.com",
          },
        ],
      },
    });
    await settled(shop.shopId);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"],
    });
    const context = await browser.newContext({ userAgent: BROWSER_UA, acceptDownloads: true });
    await context.route("https://cdn.shopify.com/**", (route) =>
      route.request().url().endsWith("/shopifycloud/app-bridge.js")
        ? route.fulfill({ status: 200, contentType: "application/javascript", body: STAND_IN })
        : route.abort(),
    );
    page = await context.newPage();
    const token = signSessionToken({
      shop: shop.domain,
      apiKey: stackEnv().SHOPIFY_API_KEY,
      apiSecret: stackEnv().SHOPIFY_API_SECRET,
      userId: "9001",
      ttlSeconds: 900,
    });
    await page.goto(embeddedUrl(baseUrl(), "/app/settings", token, shop.domain), { waitUntil: "networkidle" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("rotates the ingest URLs after a confirmation; the page shows the new ones and the activity", async () => {
    const before = (await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token as string;
    expect(await page.getByRole("textbox", { name: "SendGrid webhook URL" }).inputValue()).toContain(before);
    await page.getByRole("button", { name: "Rotate ingest URLs" }).click();
    await page.getByRole("button", { name: "Rotate now" }).click();
    await page.getByText("New ingest URLs created").waitFor({ timeout: 20_000 });
    const after = (await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token as string;
    expect(after).not.toBe(before);
    await expect
      .poll(() => page.getByRole("textbox", { name: "SendGrid webhook URL" }).inputValue(), { timeout: 20_000 })
      .toContain(after);
    await page.getByText("Rotated the ingest URLs").waitFor({ timeout: 20_000 });
    expect(await page.getByText("Staff user 9001").count()).toBeGreaterThan(0);
  }, 60_000);

  it("downloads a customer's data as a JSON file", async () => {
    await page.getByLabel("Email", { exact: true }).fill("dana@example.com");
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 20_000 }),
      page.getByRole("button", { name: "Download customer data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customer-data_.*\.json$/);
    const file = JSON.parse(readFileSync((await download.path())!, "utf8")) as { orders: { id: string }[] };
    expect(file.orders.map((o) => o.id)).toEqual(["77"]);
    await page.getByText("Downloaded a customer's data").waitFor({ timeout: 20_000 });
  }, 60_000);
});
