/**
 * Holdouts, period comparison and the settings preview in a real browser (Debian's Chromium through playwright-core),
 * authenticated like inside Shopify admin (see tests/browser/admin.test.ts). Every figure on the page is compared
 * with the public API for the same shop and period. `UPDATE_DOC_IMAGES=1` saves the campaign page with a holdout as
 * docs/images/campaign-holdout-card.png for the README (otherwise under tests/artifacts/ like every screenshot).
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminContext, launchChromium } from "../support/admin-browser";
import { parseCsv } from "../support/csv";
import { baseUrl, db, http, settled, stackEnv, uniqueShopDomain } from "../support/api";
import { ROOT } from "../support/processes";
import { embeddedUrl, signSessionToken } from "../../scripts/demo/session-token";
import { resolvePeriod } from "../../app/admin/period";
import { formatCount, formatMoney } from "../../app/components/format";

const TZ = "UTC";
const ARTIFACTS = path.join(ROOT, "tests/artifacts");
const DOC_IMAGES = path.join(ROOT, "docs/images");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (base: number, ms = 0) => new Date(base + ms).toISOString();

let browser: Browser;
let context: BrowserContext;
let page: Page;
let domain: string;
let key: string;
let shopId: string;
const pageErrors: string[] = [];

async function post(pathname: string, body: unknown) {
  const res = await http("POST", pathname, { key, body });
  expect(res.status, res.text).toBe(202);
}

async function seed() {
  const T0 = Date.now() - 5 * DAY;
  const EARLY = Date.now() - 35 * DAY;
  const events: Record<string, unknown>[] = [];
  const orders: Record<string, unknown>[] = [];
  const base = (i: number) => ({
    channel: "email",
    campaign_id: "winter-sale",
    campaign_name: "Winter sale",
    recipient: { email: `w${i}@shop.test` },
  });
  // 300 recipients got the campaign, 100 were held out at random. 45 of the treated bought (clicking first), 5 of
  // the control group bought anyway.
  for (let i = 0; i < 400; i++) {
    if (i < 300) {
      events.push({ ...base(i), id: `ws-${i}-s`, message_id: `ws-${i}`, type: "sent", occurred_at: at(T0) });
      if (i < 45) {
        events.push({ ...base(i), id: `ws-${i}-c`, message_id: `ws-${i}`, type: "clicked", occurred_at: at(T0, HOUR) });
        orders.push({
          id: `w-${i}`,
          processed_at: at(T0, 2 * HOUR + i * 60_000),
          currency: "USD",
          total_price: `${60 + ((i * 37) % 61)}.00`,
          email: `w${i}@shop.test`,
        });
      }
    } else {
      events.push({ ...base(i), id: `ws-${i}-h`, type: "held_out", occurred_at: at(T0) });
      if (i < 305)
        orders.push({
          id: `w-${i}`,
          processed_at: at(T0, 3 * HOUR),
          currency: "USD",
          total_price: "50.00",
          email: `w${i}@shop.test`,
        });
    }
  }
  // A campaign sent in both the previous period and this one: its row shows its earlier revenue.
  const autumn = (id: string, when: number, total: string) => {
    const b = { channel: "email", campaign_id: "autumn-sale", campaign_name: "Autumn sale", message_id: id };
    const recipient = { email: `${id}@shop.test` };
    events.push({ ...b, recipient, id: `${id}-s`, type: "sent", occurred_at: at(when) });
    events.push({ ...b, recipient, id: `${id}-c`, type: "clicked", occurred_at: at(when, HOUR) });
    orders.push({ id: `o-${id}`, processed_at: at(when, 2 * HOUR), currency: "USD", total_price: total, ...recipient });
  };
  autumn("au-1", EARLY, "200.00");
  autumn("au-2", Date.now() - 10 * DAY, "80.00");
  for (let i = 0; i < 40; i++) {
    orders.push({
      id: `store-${i}`,
      processed_at: at(Date.now() - (i % 2 ? 10 : 40) * DAY, i * HOUR),
      currency: "USD",
      total_price: "25.00",
      email: `z${i}@other.test`,
    });
  }
  await post("/api/v1/events", { events });
  await post("/api/v1/orders", { orders });
  await settled(shopId, 60_000);
}

function adminUrl(pathname: string, extra: Record<string, string> = {}) {
  const token = signSessionToken({
    shop: domain,
    apiKey: stackEnv().SHOPIFY_API_KEY!,
    apiSecret: stackEnv().SHOPIFY_API_SECRET!,
    ttlSeconds: 900,
  });
  return embeddedUrl(baseUrl(), pathname, token, domain, extra);
}

const last30 = () => resolvePeriod(new URLSearchParams("period=last30"), TZ);
const range = () => {
  const p = last30();
  return `from=${p.from.toISOString()}&to=${p.to.toISOString()}`;
};
const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

describe("holdouts, comparison and preview in the admin", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (process.env.UPDATE_DOC_IMAGES === "1") mkdirSync(DOC_IMAGES, { recursive: true });
    domain = uniqueShopDomain("insight");
    const { ensureShop } = await import("../../app/data/shops.server");
    const { createApiKey } = await import("../../app/data/api-keys.server");
    const shop = await ensureShop(domain, { currency: "USD", timezone: TZ, name: "Insight test shop" });
    shopId = shop.id.toString();
    key = (await createApiKey(shop.id, "browser test")).key;
    await db().query(
      `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'test', false, $3, 'test-offline-token')`,
      [`offline_${domain}`, domain, stackEnv().SCOPES],
    );
    const [launched] = await Promise.all([launchChromium(), seed()]);
    browser = launched;
    // No internet here, and outside the admin iframe the real App Bridge would redirect: serve the stand-in instead.
    context = await adminContext(browser, { acceptDownloads: true });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("shows attributed next to incremental revenue, the interval and the verdict on the campaign page", async () => {
    const api = await http("GET", `/api/v1/campaigns/winter-sale?${range()}`, { key });
    expect(api.status).toBe(200);
    const h = api.body.holdout;
    expect(h).toMatchObject({ treated: 300, held_out: 100, overlap: 0, significant: true, reason: null });
    await page.goto(adminUrl("/app/campaigns/winter-sale"), { waitUntil: "networkidle" });
    await page.getByTestId("holdout-incremental").waitFor();
    expect(await page.getByTestId("holdout-attributed").textContent()).toBe(formatMoney(api.body.revenue, "USD"));
    expect(await page.getByTestId("holdout-incremental").textContent()).toBe(formatMoney(h.incremental_revenue, "USD"));
    expect(await page.getByTestId("holdout-verdict").textContent()).toBe(
      `With 95% confidence this campaign added between ${formatMoney(h.incremental_revenue_low, "USD")} and ${formatMoney(
        h.incremental_revenue_high,
        "USD",
      )}`,
    );
    expect(await page.getByRole("img", { name: /95% interval of the incremental revenue/ }).count()).toBe(1);
    const groups = await page.getByTestId("holdout-groups").innerText();
    expect(groups).toContain(formatCount(300));
    expect(groups).toContain(formatMoney(h.revenue_per_recipient_held_out, "USD"));
    await shot(page, "campaign-holdout.png");
    // For the README (docs/images/ with UPDATE_DOC_IMAGES=1): the page from its top to the end of the holdout card.
    const card = await page.getByTestId("holdout-card").boundingBox();
    expect(card).not.toBeNull();
    await page.screenshot({
      path: path.join(process.env.UPDATE_DOC_IMAGES === "1" ? DOC_IMAGES : ARTIFACTS, "campaign-holdout-card.png"),
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(card!.y + card!.height + 24) },
      fullPage: true,
    });
  });

  it("compares the report with the previous period: summary changes, earlier series, each row's earlier revenue", async () => {
    await page.goto(adminUrl("/app"), { waitUntil: "networkidle" });
    await page.getByTestId("stat-revenue").waitFor();
    await page.getByLabel("Compare to").selectOption("previous_period");
    await page.getByTestId("change-revenue").waitFor();
    const api = await http("GET", `/api/v1/reports/campaigns?${range()}&compare=previous_period`, { key });
    expect(api.status).toBe(200);
    const { previous, change } = api.body;
    expect(previous.revenue).toBe("200.00");
    const note = page.getByTestId("change-revenue");
    expect(await note.getAttribute("aria-label")).toBe(
      `Up ${Math.abs(change.revenue * 100).toFixed(0)}% from ${formatMoney(previous.revenue, "USD")} in the previous period`,
    );
    expect(await note.getAttribute("data-direction")).toBe("up");
    expect(await page.getByTestId("change-purchases").getAttribute("aria-label")).toContain(
      `from ${formatCount(previous.purchases)} in the previous period`,
    );
    const autumnRow = api.body.campaigns.find((c: { id: string }) => c.id === "autumn-sale");
    expect(autumnRow.previous).toEqual({ purchases: 1, revenue: "200.00" });
    expect(
      await page.getByRole("row").filter({ hasText: "Autumn sale" }).getByTestId("row-previous-revenue").textContent(),
    ).toBe("was $200.00");
    expect(page.url()).toContain("compare=previous_period");
    expect(api.body.summary.incremental_revenue).not.toBeNull();
    expect(await page.getByTestId("stat-incremental").textContent()).toBe(
      `Incremental revenue of campaigns with a holdout: ${formatMoney(api.body.summary.incremental_revenue, "USD")}`,
    );
    await expect.poll(() => page.locator(".recharts-line").count()).toBeGreaterThan(0);
    await shot(page, "report-compare.png");

    // Export (revenue columns on): the holdout and the earlier period's figures after the other columns.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export" }).click(),
    ]);
    const file = path.join(ARTIFACTS, "export-compare.csv");
    await download.saveAs(file);
    const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
    const col = (name: string) => header!.indexOf(name);
    expect(col("Holdout: incremental revenue (USD)")).toBeGreaterThan(col("Sale formula"));
    expect(header!.slice(-2)).toEqual(["Earlier purchases", "Earlier revenue (USD)"]);
    const winter = rows.find((r) => r[0] === "winter-sale")!;
    const winterApi = api.body.campaigns.find((c: { id: string }) => c.id === "winter-sale");
    expect(winter[col("Holdout: incremental revenue (USD)")]).toBe(winterApi.holdout.incremental_revenue);
    expect(winter[col("Holdout: significant")]).toBe("true");
    const autumn = rows.find((r) => r[0] === "autumn-sale")!;
    expect(autumn.slice(-2)).toEqual(["1", "200.00"]);
    expect(autumn[col("Holdout: treated")]).toBe("");
  });

  it("previews a rules change on the settings page, then saving gives the previewed figures", async () => {
    await page.goto(adminUrl("/app/settings"), { waitUntil: "networkidle" });
    await page.getByLabel("Window for Email").fill("1");
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await page.getByTestId("settings-preview").waitFor();
    const patch = { channels: { email: { event: "clicked", window_hours: 1 } } };
    const api = await http("POST", "/api/v1/settings/preview", { key, body: patch });
    expect(api.status).toBe(200);
    const p = api.body;
    expect(p.orders.lost).toBeGreaterThan(0);
    expect(await page.getByTestId("preview-revenue").textContent()).toBe(
      `${formatMoney(p.current.revenue, "USD")} → ${formatMoney(p.proposed.revenue, "USD")}`,
    );
    expect(await page.getByTestId("preview-orders").textContent()).toContain(
      `${formatCount(p.orders.lost)} would lose theirs`,
    );
    await shot(page, "settings-preview.png");
    await page.getByRole("button", { name: "Save rules" }).click();
    await expect
      .poll(async () => (await http("GET", "/api/v1/settings", { key })).body.channels.email.window_hours)
      .toBe(1);
    await settled(shopId, 60_000);
    const after = await http("GET", `/api/v1/reports/campaigns?from=${p.from}&to=${p.to}`, { key });
    expect(after.body.summary.revenue).toBe(p.proposed.revenue);
    expect(after.body.summary.purchases).toBe(p.proposed.purchases);
    expect(pageErrors).toEqual([]);
  });
});
