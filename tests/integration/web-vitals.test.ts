/**
 * Web vitals of the app's pages: POST /app/vitals (what the layout sends for each `shopify.webVitals.onReport`
 * report, with the page's session token) through the built server, and `npm run cli -- vitals --shop <domain>`
 * printing each page's p75 over 28 days.
 */
import { describe, expect, it } from "vitest";
import type { ErrorDetail } from "../../app/http/errors";
import { BROWSER_UA, baseUrl, createShopWithKey, db, stackEnv } from "../support/api";
import { sessionToken, storeOfflineSession } from "../support/admin-session";
import { runCli } from "../support/processes";

async function report(domain: string | null, body: unknown) {
  const headers: Record<string, string> = { "User-Agent": BROWSER_UA, "Content-Type": "application/json" };
  if (domain) headers.Authorization = `Bearer ${sessionToken(domain)}`;
  const res = await fetch(`${baseUrl()}/app/vitals`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  let json: { error: { code: string; details: ErrorDetail[] } } | null = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json };
}

const view = (n: number, lcp: number, cls: number, inp: number) => [
  { id: `v${n}-lcp`, name: "LCP", value: lcp },
  { id: `v${n}-cls`, name: "CLS", value: cls },
  { id: `v${n}-inp`, name: "INP", value: inp },
];

const stored = async (shopId: string) =>
  Number((await db().query(`SELECT count(*) AS n FROM web_vitals WHERE shop_id = $1`, [shopId])).rows[0].n);

describe("web vitals", () => {
  it("refuses a report without a session token and stores nothing", async () => {
    const s = await createShopWithKey();
    const res = await report(null, { page: "/app", metrics: view(1, 100, 0, 10) });
    expect(res.status).not.toBe(202);
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(await stored(s.shopId)).toBe(0);
  });

  it("answers 400 naming the bad field, storing nothing", async () => {
    const s = await createShopWithKey();
    await storeOfflineSession(s.domain);
    const res = await report(s.domain, { page: "/app", metrics: [{ id: "x", name: "LCP", value: -5 }] });
    expect(res.status).toBe(400);
    expect(res.body?.error.details.map((d) => d.path)).toEqual(["metrics.0.value"]);
    const page = await report(s.domain, { page: "https://evil.example/app", metrics: view(1, 1, 0, 1) });
    expect(page.status).toBe(400);
    expect(page.body?.error.details[0]?.path).toBe("page");
    expect(await stored(s.shopId)).toBe(0);
  });

  it("keeps reports per page pattern and prints each page's p75 over 28 days", async () => {
    const s = await createShopWithKey();
    const other = await createShopWithKey();
    await storeOfflineSession(s.domain);
    await storeOfflineSession(other.domain);
    // The report page: LCP 100..400 -> p75 325 (linear interpolation); INP 20, 40, 60, 80 -> 65; CLS 0, .02, .04, .08 -> .05.
    for (const [i, lcp] of [100, 200, 300, 400].entries()) {
      expect(
        (await report(s.domain, { page: "/app", metrics: view(i, lcp, [0, 0.02, 0.04, 0.08][i]!, 20 * (i + 1)) }))
          .status,
      ).toBe(202);
    }
    // Two campaign pages count as one page; a later report of the same measurement replaces its value.
    await report(s.domain, { page: "/app/campaigns/spring", metrics: view(10, 3000, 0.2, 300) });
    await report(s.domain, { page: "/app/campaigns/flash", metrics: view(11, 1000, 0.05, 100) });
    await report(s.domain, { page: "/app/campaigns/flash", metrics: [{ id: "v11-cls", name: "CLS", value: 0.06 }] });
    // Older than 28 days: not counted.
    await db().query(
      `INSERT INTO web_vitals (shop_id, page, metric, metric_id, value, created_at)
       VALUES ($1, '/app', 'LCP', 'old', 99999, now() - interval '40 days')`,
      [s.shopId],
    );
    await report(other.domain, { page: "/app", metrics: view(1, 88888, 0.9, 7777) });

    const cli = await runCli(["vitals", "--shop", s.domain], stackEnv());
    expect(cli.stderr).toBe("");
    expect(cli.code).toBe(0);
    const lines = cli.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/p75 over the last 28 days/);
    const row = (page: string) => lines.find((l) => l.startsWith(`${page} `))!.split(/\s{2,}/);
    expect(row("/app")).toEqual(["/app", "325 ms good", "0.050 good", "65 ms good", "4/4/4"]);
    // p75 of two values (1000, 3000) = 2500: exactly at the threshold is good.
    expect(row("/app/campaigns/:id")).toEqual([
      "/app/campaigns/:id",
      "2,500 ms good",
      "0.165 POOR",
      "250 ms POOR",
      "2/2/2",
    ]);
    expect(cli.stdout).not.toContain("88,888");
  });
});
