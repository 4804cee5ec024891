/**
 * The merchant's pages in a real browser (Debian's Chromium through playwright-core) against the built app of the
 * test stack, authenticated exactly like inside Shopify admin: an offline session is stored for the shop and the page
 * is opened with a session token signed with the stack's API secret. The App Bridge CDN script is served by the
 * stand-in (public/app-bridge-standalone.js), as in `npm run demo` (docs/decisions/005-demo-auth.md).
 *
 * Every figure on the page is compared with GET /api/v1/reports/campaigns for the same shop and period.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminContext, launchChromium } from "../support/admin-browser";
import Decimal from "decimal.js";
import { BROWSER_UA, baseUrl, db, http, settled, stackEnv, uniqueShopDomain } from "../support/api";
import { ROOT } from "../support/processes";
import { embeddedUrl, signSessionToken } from "../../scripts/demo/session-token";
import { resolvePeriod } from "../../app/admin/period";
import { formatCount, formatMoney } from "../../app/components/format";
import { parseCsv } from "../support/csv";

const TZ = "America/New_York";
const ARTIFACTS = path.join(ROOT, "tests/artifacts");

let browser: Browser;
let context: BrowserContext;
let page: Page;
let domain: string;
let key: string;
let shopId: string;
const pageErrors: string[] = [];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (base: number, ms = 0) => new Date(base + ms).toISOString();

async function seed() {
  const T0 = Date.now() - 6 * DAY; // email campaign
  const T1 = Date.now() - 4 * DAY; // SMS campaign
  const T2 = Date.now() - 3 * DAY; // password resets (excluded tag)
  const events: unknown[] = [];
  const ev = (id: string, type: string, time: string, extra: Record<string, unknown>) =>
    events.push({ id, type, occurred_at: time, ...extra });
  for (let i = 0; i < 10; i++) {
    const base = {
      channel: "email",
      campaign_id: "spring-promo",
      campaign_name: "Spring promo",
      message_id: `sp-${i}`,
      recipient: { email: `a${i}@shop.test` },
    };
    ev(`sp-${i}-s`, "sent", at(T0), base);
    ev(`sp-${i}-d`, "delivered", at(T0, 60_000), base);
    if (i < 8) ev(`sp-${i}-o`, "opened", at(T0, 30 * 60_000), base);
    if (i < 6) ev(`sp-${i}-c`, "clicked", at(T0, HOUR), base);
  }
  for (let i = 0; i < 6; i++) {
    const base = {
      channel: "sms",
      campaign_id: "sms-flash",
      campaign_name: "SMS flash sale",
      message_id: `sf-${i}`,
      recipient: { phone: `+1 555 010 000${i}` },
    };
    ev(`sf-${i}-s`, "sent", at(T1), base);
    ev(`sf-${i}-d`, "delivered", at(T1, 30_000), base);
    if (i < 4) ev(`sf-${i}-c`, "clicked", at(T1, 10 * 60_000), base);
  }
  for (let i = 0; i < 3; i++) {
    const base = {
      channel: "email",
      campaign_id: "password-reset",
      campaign_name: "Password reset",
      message_id: `pr-${i}`,
      recipient: { email: `b${i}@shop.test` },
      tags: ["password-reset"],
    };
    ev(`pr-${i}-s`, "sent", at(T2), base);
    ev(`pr-${i}-c`, "clicked", at(T2, 5 * 60_000), base);
  }
  const orders: Record<string, unknown>[] = [];
  const order = (id: string, time: string, total: string, who: Record<string, unknown>) =>
    orders.push({ id, processed_at: time, currency: "USD", total_price: total, ...who });
  order("9001", at(T0, 3 * HOUR), "100.00", { email: "a0@shop.test" });
  order("9002", at(T0, 4 * HOUR), "50.00", { email: "a1@shop.test" });
  order("9003", at(T0, 5 * HOUR), "25.50", { email: "a2@shop.test" });
  order("9004", at(T0, 6 * HOUR), "80.00", { email: "A3@Shop.test " });
  order("9005", at(T0, HOUR + 30 * HOUR), "70.00", { email: "a4@shop.test" }); // 30 h after the click: outside 24 h, inside 48 h
  order("9011", at(T1, 2 * HOUR), "40.00", { phone: "+15550100000" });
  order("9012", at(T1, 3 * HOUR), "60.00", { phone: "+1 (555) 010-0001" });
  order("9013", at(T1, 5 * HOUR), "20.00", { customer: { phone: "+15550100002" } });
  for (let i = 0; i < 3; i++) order(`902${i}`, at(T2, HOUR), "30.00", { email: `b${i}@shop.test` });
  // Store orders no campaign earned (and enough of them that a re-attribution takes a moment).
  for (let i = 0; i < 1200; i++) {
    order(
      String(100_000 + i),
      at(Date.now() - 8 * DAY, (i * 9 * 60_000) % (6 * DAY)),
      `${10 + (i % 90)}.${String((i * 7) % 100).padStart(2, "0")}`,
      {
        email: `z${i}@other.test`,
      },
    );
  }

  expect((await http("PUT", "/api/v1/settings", { key, body: { excluded_tags: ["password-reset"] } })).status).toBe(
    200,
  );
  for (let i = 0; i < events.length; i += 5000) {
    expect((await http("POST", "/api/v1/events", { key, body: { events: events.slice(i, i + 5000) } })).status).toBe(
      202,
    );
  }
  for (let i = 0; i < orders.length; i += 1000) {
    expect((await http("POST", "/api/v1/orders", { key, body: { orders: orders.slice(i, i + 1000) } })).status).toBe(
      202,
    );
  }
  expect(
    (
      await http("POST", "/api/v1/orders/9012/refunds", {
        key,
        body: { id: "r-9012", created_at: at(T1, 2 * DAY), amount: "15.00", currency: "USD" },
      })
    ).status,
  ).toBe(202);
  await settled(shopId, 60_000);
}

function adminUrl(pathname: string, extra: Record<string, string> = {}) {
  const token = signSessionToken({
    shop: domain,
    apiKey: stackEnv().SHOPIFY_API_KEY,
    apiSecret: stackEnv().SHOPIFY_API_SECRET,
    ttlSeconds: 900,
  });
  return embeddedUrl(baseUrl(), pathname, token, domain, extra);
}

async function apiReport(period = resolvePeriod(new URLSearchParams("period=last30"), TZ)) {
  const q = new URLSearchParams({ from: period.from.toISOString(), to: period.to.toISOString() });
  const res = await http("GET", `/api/v1/reports/campaigns?${q}`, { key });
  expect(res.status).toBe(200);
  return res.body as {
    currency: string;
    summary: Record<string, string | number>;
    campaigns: Record<string, string | number>[];
  };
}

/** The campaign table as {campaign id -> {column title -> cell text}}. */
async function readTable(): Promise<Record<string, Record<string, string>>> {
  return page.evaluate(() => {
    const table = document.querySelector("table")!;
    const heads = [...table.querySelectorAll("thead th")].map((th) => (th.textContent ?? "").trim());
    const out: Record<string, Record<string, string>> = {};
    for (const tr of table.querySelectorAll("tbody tr")) {
      const cells = [...tr.querySelectorAll("td")].map((td) => (td as HTMLElement).innerText.trim());
      if (cells.length < 2) continue;
      const id = cells[0]!.split("\n").at(-1)!.trim();
      out[id] = Object.fromEntries(heads.map((h, i) => [h, cells[i] ?? ""]));
    }
    return out;
  });
}

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

describe("admin pages in a browser", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    domain = uniqueShopDomain("browser");
    const { ensureShop } = await import("../../app/data/shops.server");
    const { createApiKey } = await import("../../app/data/api-keys.server");
    const shop = await ensureShop(domain, { currency: "USD", timezone: TZ, name: "Browser test shop" });
    shopId = shop.id.toString();
    key = (await createApiKey(shop.id, "browser test")).key;
    // What Shopify's token exchange stores on install.
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

  it("refuses the page without a valid session token", async () => {
    const res = await fetch(`${baseUrl()}/app/reports/export?period=last30`, {
      headers: { "User-Agent": BROWSER_UA },
      redirect: "manual",
    });
    expect(res.status).not.toBe(200);
    const forged = signSessionToken({ shop: domain, apiKey: stackEnv().SHOPIFY_API_KEY, apiSecret: "not-the-secret" });
    const bad = await fetch(`${baseUrl()}/app/reports/export?period=last30`, {
      headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${forged}` },
      redirect: "manual",
    });
    expect(bad.status).toBe(401);
  });

  it("renders the seeded figures of the report, as the API reports them", async () => {
    await page.goto(adminUrl("/app"), { waitUntil: "networkidle" });
    await page.getByTestId("stat-campaigns").waitFor();
    const api = await apiReport();
    const s = api.summary;
    expect(await page.getByTestId("stat-campaigns").textContent()).toBe(formatCount(s.campaigns as number));
    expect(await page.getByTestId("stat-purchases").textContent()).toBe(formatCount(s.purchases as number));
    expect(await page.getByTestId("stat-average-check").textContent()).toBe(
      formatMoney(s.average_check as string, "USD"),
    );
    expect(await page.getByTestId("stat-revenue").textContent()).toBe(formatMoney(s.revenue as string, "USD"));
    // The seed: spring promo 100 + 50 + 25.50 + 80; SMS 40 + 60 - 15 + 20; password resets excluded.
    expect(s.revenue).toBe("360.50");
    expect(s.refunded).toBe("15.00");
    await expect
      .poll(() => page.getByTestId("stat-share").textContent())
      .toContain(formatMoney(s.store_revenue as string, "USD"));

    const table = await readTable();
    expect(Object.keys(table).sort()).toEqual(api.campaigns.map((c) => c.id).sort());
    for (const c of api.campaigns) {
      const row = table[c.id as string]!;
      expect(row.Campaign).toContain(c.name as string);
      for (const [title, field] of [
        ["Sent", "sent"],
        ["Delivered", "delivered"],
        ["Opened", "opened"],
        ["Clicked", "clicked"],
      ] as const) {
        expect(row[title], `${c.id} ${title}`).toBe(formatCount(c[field] as number));
      }
      expect(row.Revenue).toBeUndefined(); // the $ toggle is off
    }
    await page.getByTestId("revenue-chart").locator("svg").first().waitFor();
    await shot("report.png");
  });

  it("shows purchases, average check and revenue with the $ toggle", async () => {
    await page.getByRole("button", { name: "Show revenue columns" }).click();
    await page.waitForURL(/revenue=1/);
    await page.locator("thead th", { hasText: "Revenue" }).waitFor();
    const api = await apiReport();
    const table = await readTable();
    for (const c of api.campaigns) {
      const row = table[c.id as string]!;
      expect(row.Purchases, `${c.id}`).toBe(formatCount(c.purchases as number));
      expect(row["Average check"], `${c.id}`).toBe(formatMoney(c.average_check as string, "USD"));
      expect(row.Revenue, `${c.id}`).toBe(formatMoney(c.revenue as string, "USD"));
    }
    expect(table["password-reset"]!.Revenue).toBe("$0.00");
    // Copy puts the visible table on the clipboard as TSV.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl() });
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByText(`Copied ${api.campaigns.length} rows`).waitFor();
    const tsv = await page.evaluate(() => navigator.clipboard.readText());
    const lines = tsv
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(lines[0]).toEqual([
      "Campaign",
      "Channel",
      "Sent",
      "Delivered",
      "Opened",
      "Clicked",
      "Purchases",
      "Average check (USD)",
      "Revenue (USD)",
    ]);
    expect(lines).toContainEqual(["Spring promo", "email", "10", "10", "8", "6", "4", "63.88", "255.50"]);
    // Sorted by revenue, highest first.
    const order = Object.keys(await readTable());
    expect(order[0]).toBe("spring-promo");
    await shot("report-revenue.png");
  });

  it("exports a CSV whose rows match the API", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^campaign-revenue_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const file = path.join(ARTIFACTS, "export.csv");
    await download.saveAs(file);
    const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
    expect(header).toEqual([
      "Campaign ID",
      "Campaign",
      "Channel",
      "Sent",
      "Delivered",
      "Opened",
      "Clicked",
      "Purchases",
      "Average check (USD)",
      "Revenue (USD)",
      "Gross (USD)",
      "Refunded (USD)",
      "Sale formula",
    ]);
    const api = await apiReport();
    expect(rows.map((r) => r[0]).sort()).toEqual(api.campaigns.map((c) => c.id).sort());
    for (const r of rows) {
      const c = api.campaigns.find((x) => x.id === r[0])!;
      expect(r).toEqual([
        c.id,
        c.name,
        c.channel,
        String(c.sent),
        String(c.delivered),
        String(c.opened),
        String(c.clicked),
        String(c.purchases),
        c.average_check,
        c.revenue,
        c.gross,
        c.refunded,
        c.sale_formula,
      ]);
    }
  });

  it("opens a campaign with its funnel, sale formula and orders linking to Shopify admin", async () => {
    await page.getByRole("link", { name: "Spring promo" }).click();
    await page.getByTestId("funnel").waitFor();
    expect(await page.getByTestId("funnel-sent").textContent()).toBe("10");
    expect(await page.getByTestId("funnel-clicked").textContent()).toBe("6");
    expect(await page.getByTestId("sale-formula").textContent()).toBe(
      "Sale = click on the message, then a purchase within 24 hours of the click.",
    );
    expect(await page.getByTestId("campaign-revenue").textContent()).toBe("$255.50");
    await expect.poll(() => page.locator('a[href="shopify:admin/orders/9001"]').count()).toBe(1);
    expect(await page.locator('a[href^="shopify:admin/orders/"]').count()).toBe(4);
    await shot("campaign.png");
    await page.goBack();
    await page.getByTestId("stat-revenue").waitFor();
  });

  it("shows the re-attribution progress after a settings change, then the changed figures", async () => {
    const before = await apiReport();
    const spring = (r: typeof before) => r.campaigns.find((c) => c.id === "spring-promo")!;
    await page
      .getByRole("link", { name: "Settings" })
      .or(page.getByRole("button", { name: "Settings" }))
      .first()
      .click();
    await page.getByRole("button", { name: "Save rules" }).waitFor();
    await shot("settings.png");
    await page.evaluate(() => {
      const w = window as unknown as { progressSeen: boolean };
      w.progressSeen = false;
      const check = () => {
        if (document.querySelector('[data-testid="attribution-progress"]')) w.progressSeen = true;
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true });
    });
    await page.getByLabel("Window").first().fill("48");
    await page.getByRole("button", { name: "Save rules" }).click();
    await page.getByTestId("attribution-progress").waitFor({ timeout: 5000 });
    await shot("settings-progress.png");
    await page.getByText("Re-attribution finished").waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { progressSeen: boolean }).progressSeen)).toBe(true);

    const settings = await http("GET", "/api/v1/settings", { key });
    expect(settings.body.channels.email.window_hours).toBe(48);
    expect(settings.body.attribution.state).toBe("idle");

    const after = await apiReport();
    // Order 9005 came 30 h after its click: outside 24 h, inside 48 h.
    expect(spring(after).revenue).toBe(new Decimal(spring(before).revenue as string).plus("70.00").toFixed(2));
    expect(spring(after).sale_formula).toBe("Sale = click on the message, then a purchase within 2 days of the click.");

    await page
      .getByRole("link", { name: "Reports" })
      .or(page.getByRole("button", { name: "Reports" }))
      .first()
      .click();
    await page.getByTestId("stat-revenue").waitFor();
    await expect
      .poll(() => page.getByTestId("stat-revenue").textContent())
      .toBe(formatMoney(after.summary.revenue as string, "USD"));
    expect(await page.getByTestId("stat-purchases").textContent()).toBe(formatCount(after.summary.purchases as number));
    await shot("report-after-settings.png");
  });

  it("shows a new shop how to connect orders and a provider", async () => {
    const fresh = uniqueShopDomain("fresh");
    const { ensureShop } = await import("../../app/data/shops.server");
    await ensureShop(fresh, { currency: "USD", timezone: "UTC" });
    await db().query(
      `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'test', false, $3, 'x')`,
      [`offline_${fresh}`, fresh, stackEnv().SCOPES],
    );
    const token = signSessionToken({
      shop: fresh,
      apiKey: stackEnv().SHOPIFY_API_KEY,
      apiSecret: stackEnv().SHOPIFY_API_SECRET,
    });
    const other = await context.newPage();
    await other.goto(embeddedUrl(baseUrl(), "/app", token, fresh), { waitUntil: "networkidle" });
    await other.getByText("Connect your orders and your messages").waitFor();
    expect(await other.getByRole("link", { name: "Connect a provider" }).count()).toBe(1);
    await other.screenshot({ path: path.join(ARTIFACTS, "report-empty.png"), fullPage: true });
    await other.close();
  });

  it("keeps working on a narrow screen and after a reload", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload({ waitUntil: "networkidle" });
    await page.getByTestId("stat-revenue").waitFor();
    expect(page.url()).toContain("id_token=");
    await expect.poll(() => page.getByRole("link", { name: "Spring promo" }).isVisible()).toBe(true);
    await shot("report-narrow.png");
    expect(pageErrors).toEqual([]);
  });
});
