/**
 * The order details block in a real browser: the bundle `shopify app build` makes of
 * extensions/order-attribution-block, loaded in Chromium in a harness page that plays Shopify admin's part (the
 * extension API as the global `shopify` with the order selected, and the admin's `fetch`: relative URLs resolved
 * against the app's URL, with the session token added), against the built server of the test stack, for a seeded
 * order. Polaris' web components are not available offline; the harness styles the `s-*` elements plainly.
 * Also: the report page's web vitals, reported by App Bridge (the stand-in) while the page is used, reach the app.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedUrl } from "../../scripts/demo/session-token";
import { BROWSER_USER_AGENT, adminContext, launchChromium, loadAndUseReportPage } from "../support/admin-browser";
import { sessionToken, storeOfflineSession } from "../support/admin-session";
import { baseUrl, createShopWithKey, db, http, settled } from "../support/api";
import { ROOT } from "../support/processes";

const ARTIFACTS = path.join(ROOT, "tests/artifacts");
const HOUR = 3_600_000;
// The admin's origin for the harness page (routed, never reached). A loopback name, so that Chromium's private
// network checks treat the page and the test server alike; the fetch is still cross-origin (CORS).
const ADMIN = "http://localhost:9";
let browser: Browser;
let bundle: string;
let shop: { domain: string; key: string; shopId: string };

/** The admin's side: the extension API, the admin's fetch, and a plain look for the `s-*` elements. */
function harnessHtml(orderId: string, token: string | null) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Order ${orderId}</title><style>
  body { font: 13px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; background: #f1f1f1; margin: 0; padding: 24px; color: #303030; }
  s-admin-block { display: block; max-width: 380px; background: #fff; border-radius: 12px; padding: 16px;
    box-shadow: 0 1px 0 rgba(0,0,0,.07), inset 0 0 0 1px rgba(0,0,0,.06); }
  s-admin-block::before { content: attr(heading); display: block; font-weight: 650; font-size: 14px; margin-bottom: 12px; }
  s-stack { display: flex; flex-direction: column; gap: 8px; }
  s-stack[direction="inline"] { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 8px 20px; }
  s-stack[gap="none"] { gap: 0; }
  s-text[type="strong"] { font-weight: 650; }
  s-text[color="subdued"], s-paragraph[color="subdued"] { color: #616161; }
  s-paragraph { display: block; }
  s-badge { display: inline-block; padding: 0 8px; border-radius: 8px; background: #e3e3e3; font-size: 12px; font-weight: 550; }
  s-badge[tone="info"] { background: #e0f0ff; color: #00527c; }
  s-badge[tone="success"] { background: #cdfee1; color: #0c5132; }
  s-banner { display: block; padding: 12px; border-radius: 8px; background: #fff1e3; }
  s-banner[tone="critical"] { background: #fee9e8; }
  s-banner::before { content: attr(heading); display: block; font-weight: 650; }
  s-link { color: #005bd3; text-decoration: underline; cursor: pointer; }
  s-button { display: inline-block; border: 1px solid #ccc; border-radius: 8px; padding: 2px 10px; cursor: pointer; }
</style></head><body><script>
  const APP = ${JSON.stringify(baseUrl())};
  const TOKEN = ${JSON.stringify(token)};
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const url = new URL(String(input), APP + "/");
    const headers = new Headers(init.headers);
    if (TOKEN && url.origin === new URL(APP).origin) headers.set("Authorization", "Bearer " + TOKEN);
    return nativeFetch(url, { ...init, headers });
  };
  let registered = null;
  globalThis.shopify = {
    extension: { target: "admin.order-details.block.render" },
    data: { selected: [{ id: "gid://shopify/Order/${orderId}" }] },
    i18n: { formatDate: (d, o) => new Intl.DateTimeFormat("en-US", { ...o, timeZone: "UTC" }).format(d) },
    extend: (target, fn) => { registered = { target, fn }; },
  };
</script><script src="${ADMIN}/extension.js"></script><script>
  window.__target = registered && registered.target;
  registered && registered.fn();
</script></body></html>`;
}

async function openBlock(orderId: string, token: string | null): Promise<Page> {
  // A browser's user agent: Shopify's bot check refuses headless Chromium's own.
  const context = await browser.newContext({ viewport: { width: 440, height: 420 }, userAgent: BROWSER_USER_AGENT });
  await context.route(`${ADMIN}/**`, (route) =>
    route.request().url().endsWith("/extension.js")
      ? route.fulfill({ status: 200, contentType: "application/javascript", body: bundle })
      : route.fulfill({ status: 200, contentType: "text/html", body: harnessHtml(orderId, token) }),
  );
  const page = await context.newPage();
  await page.goto(`${ADMIN}/store/demo/orders/${orderId}`);
  return page;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The bundle exactly as Shopify would receive it.
  await promisify(execFile)("npx", ["shopify", "app", "build", "--skip-dependencies-installation"], {
    cwd: ROOT,
    timeout: 120_000,
  });
  bundle = readFileSync(path.join(ROOT, "extensions/order-attribution-block/dist/order-attribution-block.js"), "utf8");
  shop = await createShopWithKey();
  await storeOfflineSession(shop.domain);
  const t0 = Date.now() - 30 * HOUR;
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const base = {
    channel: "email",
    campaign_id: "spring-promo",
    campaign_name: "Spring promo",
    message_id: "sp-1",
    recipient: { email: "ada@shop.test" },
  };
  await http("POST", "/api/v1/events", {
    key: shop.key,
    body: {
      events: [
        { id: "sp-1-s", type: "sent", occurred_at: at(0), ...base },
        { id: "sp-1-c", type: "clicked", occurred_at: at(HOUR), ...base },
      ],
    },
  });
  await http("POST", "/api/v1/orders", {
    key: shop.key,
    body: {
      orders: [
        {
          id: "5550001",
          name: "#1001",
          processed_at: at(3 * HOUR),
          currency: "USD",
          total_price: "129.90",
          email: "ada@shop.test",
        },
        {
          id: "5550002",
          name: "#1002",
          processed_at: at(3 * HOUR),
          currency: "USD",
          total_price: "35.00",
          email: "zed@shop.test",
        },
      ],
    },
  });
  await http("POST", "/api/v1/orders/5550001/refunds", {
    key: shop.key,
    body: { id: "r-1", created_at: at(20 * HOUR), amount: "29.90", currency: "USD" },
  });
  await settled(shop.shopId);
  // The harness page stands for admin.shopify.com, a public origin calling the app; here the app listens on
  // 127.0.0.1, which Chromium's local network access checks would refuse to a routed page.
  browser = await launchChromium(["--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests"]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe("order details block in a browser", () => {
  it("shows the campaign that earned a seeded order", async () => {
    const page = await openBlock("5550001", sessionToken(shop.domain, { ttlSeconds: 600 }));
    await page.getByText("Spring promo", { exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __target: string }).__target)).toBe(
      "admin.order-details.block.render",
    );
    const text = (await page.locator("body").innerText()).replace(/\s+/g, " ");
    expect(text).toContain("Email");
    expect(text).toContain("$129.90");
    expect(text).toContain("$29.90");
    expect(text).toContain("$100.00");
    expect(await page.locator("s-link").getAttribute("href")).toBe("app:/app/campaigns/spring-promo");
    await page.screenshot({ path: path.join(ARTIFACTS, "order-block.png") });
    await page.context().close();
  });

  it("says why no campaign earned another order", async () => {
    const page = await openBlock("5550002", sessionToken(shop.domain, { ttlSeconds: 600 }));
    await page.getByText("Not attributed").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, "order-block-not-attributed.png") });
    await page.context().close();
  });

  it("shows the error state when the backend refuses the request (no session token)", async () => {
    const page = await openBlock("5550001", null);
    await page.locator("s-banner[tone=critical]").waitFor({ timeout: 15_000 });
    const text = await page.locator("body").innerText();
    expect(text).toContain("A Shopify session token is required");
    expect(text).not.toContain("Spring promo");
    await page.context().close();
  });
});

describe("web vitals of the report page", () => {
  it("are reported by App Bridge while the page is used and stored for the page", async () => {
    const context = await adminContext(browser);
    const page = await context.newPage();
    const url = embeddedUrl(baseUrl(), "/app", sessionToken(shop.domain, { ttlSeconds: 600 }), shop.domain);
    const metrics = await loadAndUseReportPage(page, url);
    expect(metrics.map((m) => m.name).sort()).toEqual(["CLS", "INP", "LCP"]);
    const rows = await db().query(`SELECT page, metric, value FROM web_vitals WHERE shop_id = $1 ORDER BY metric`, [
      shop.shopId,
    ]);
    expect(rows.rows.map((r) => [r.page, r.metric])).toEqual([
      ["/app", "CLS"],
      ["/app", "INP"],
      ["/app", "LCP"],
    ]);
    expect(rows.rows.find((r) => r.metric === "LCP")!.value).toBeGreaterThan(0);
    await context.close();
  }, 120_000);
});
