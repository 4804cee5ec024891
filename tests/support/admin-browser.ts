/**
 * Driving the app's admin pages in headless Chromium (playwright-core + Debian's chromium), shared by browser tests
 * and the bench: the launch flags of these machines, the App Bridge stand-in served for Shopify's CDN script, and
 * "the report page loaded and used" (period change, `$` toggle) with its web vitals reported to the app.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "./processes";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...extraArgs,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A context where Shopify's App Bridge script is the stand-in (public/app-bridge-standalone.js). */
export async function adminContext(
  browser: Browser,
  options: { acceptDownloads?: boolean } = {},
): Promise<BrowserContext> {
  const standIn = readFileSync(path.join(ROOT, "public/app-bridge-standalone.js"), "utf8");
  const context = await browser.newContext({
    userAgent: BROWSER_USER_AGENT,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  await context.route("https://cdn.shopify.com/**", (route) =>
    route.request().url().endsWith("/shopifycloud/app-bridge.js")
      ? route.fulfill({ status: 200, contentType: "application/javascript", body: standIn })
      : route.abort(),
  );
  return context;
}

/**
 * Opens the report page at `url`, uses it (period "Last 7 days", then the `$` toggle), then has App Bridge report
 * the view's web vitals and waits until the app stored them. Returns the metrics reported.
 */
export async function loadAndUseReportPage(page: Page, url: string) {
  // networkidle: hydrated, so the controls respond (the vitals are the browser's own timings, not this wait).
  await page.goto(url, { waitUntil: "networkidle" });
  await page.getByTestId("stat-campaigns").waitFor();
  // Until the page is hydrated a change of the native select goes unheard: select again until the URL follows.
  const period = page.getByRole("combobox", { name: "Period" });
  for (let attempt = 1; ; attempt++) {
    await period.selectOption("last7");
    try {
      await page.waitForURL(/period=last7/, { timeout: 5000 });
      break;
    } catch (error) {
      if (attempt >= 6) throw error;
      await period.selectOption("last30");
    }
  }
  await page.getByTestId("stat-campaigns").waitFor();
  await page.getByRole("button", { name: "Show revenue columns" }).click();
  await page.waitForURL(/revenue=1/);
  await page.getByTestId("stat-revenue").waitFor();
  const stored = page.waitForResponse((r) => r.url().includes("/app/vitals") && r.request().method() === "POST");
  const report = await page.evaluate(() =>
    (
      window as unknown as {
        __appBridgeStandIn: { flushWebVitals(): { metrics: { name: string; value: number }[] } };
      }
    ).__appBridgeStandIn.flushWebVitals(),
  );
  const res = await stored;
  if (res.status() !== 202) throw new Error(`POST /app/vitals answered ${res.status()}`);
  return report.metrics;
}
