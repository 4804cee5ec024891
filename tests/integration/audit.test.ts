import { describe, expect, it } from "vitest";
import { createShopWithKey, db, http, stackEnv } from "../support/api";
import { adminFetch, storeOfflineSession } from "../support/admin";
import { runCli } from "../support/processes";
import { embeddedUrl, signSessionToken } from "../../scripts/demo/session-token";
import { BROWSER_UA } from "../support/api";

async function settingsPage(domain: string): Promise<string> {
  const token = signSessionToken({
    shop: domain,
    apiKey: stackEnv().SHOPIFY_API_KEY,
    apiSecret: stackEnv().SHOPIFY_API_SECRET,
    ttlSeconds: 600,
  });
  const res = await fetch(embeddedUrl(stackEnv().SHOPIFY_APP_URL, "/app/settings", token, domain), {
    headers: { "User-Agent": BROWSER_UA },
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** Item 8 of issue 10: who changed what, and when — written by every way in, shown on the settings page. */
async function auditOf(shopId: string) {
  const r = await db().query<{ actor: string; action: string; details: Record<string, unknown> }>(
    `SELECT actor, action, details FROM audit_events WHERE shop_id = $1 ORDER BY id`,
    [shopId],
  );
  return r.rows;
}

describe("audit trail", () => {
  it("records settings changes through the API under the key's prefix, field names only (never a secret)", async () => {
    const shop = await createShopWithKey();
    const prefix = shop.key.slice(0, "cr_live_".length + 6);
    const put = await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { excluded_tags: ["password-reset"], providers: { mailgun: { signing_key: "very-secret-signing-key" } } },
    });
    expect(put.status).toBe(200);
    // The same body again changes nothing and records nothing.
    await http("PUT", "/api/v1/settings", { key: shop.key, body: { excluded_tags: ["password-reset"] } });
    const rows = (await auditOf(shop.shopId)).filter((r) => r.action === "settings.update");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: `api-key:${prefix}`,
      details: { fields: ["excluded_tags", "providers.mailgun"] },
    });
    expect(JSON.stringify(rows)).not.toContain("very-secret");
  });

  it("records an import started through the API under the key's prefix", async () => {
    const shop = await createShopWithKey();
    await storeOfflineSession(shop.domain);
    const prefix = shop.key.slice(0, "cr_live_".length + 6);
    const res = await http("POST", "/api/v1/imports", { key: shop.key, body: { since: "2026-01-01" } });
    expect(res.status).toBe(202);
    const rows = (await auditOf(shop.shopId)).filter((r) => r.action === "import.start");
    expect(rows).toEqual([
      {
        actor: `api-key:${prefix}`,
        action: "import.start",
        details: expect.objectContaining({ import_id: res.body.id, kind: "history" }),
      },
    ]);
  });

  it("records keys created and revoked by the CLI as `cli`, and by the settings page as the staff user", async () => {
    const shop = await createShopWithKey();
    const created = await runCli(["api-key", "create", "--shop", shop.domain, "--label", "warehouse"], stackEnv());
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1)!;
    const prefix = key.slice(0, "cr_live_".length + 6);
    expect((await runCli(["api-key", "revoke", "--shop", shop.domain, prefix], stackEnv())).code).toBe(0);

    await storeOfflineSession(shop.domain);
    const form = new URLSearchParams({ intent: "create-key", label: "from the page" });
    const page = await adminFetch(shop.domain, "/app/settings?_data=routes%2Fapp.settings", {
      method: "POST",
      body: form,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      userId: "55",
    });
    expect(page.status).toBe(200);
    const rules = new URLSearchParams({ intent: "currency", currency: "EUR" });
    await adminFetch(shop.domain, "/app/settings?_data=routes%2Fapp.settings", {
      method: "POST",
      body: rules,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      userId: "55",
    });

    const rows = (await auditOf(shop.shopId)).filter((r) => r.action !== "api_key.create" || r.actor !== "unknown");
    expect(rows.map((r) => [r.actor, r.action])).toEqual([
      ["cli", "api_key.create"],
      ["cli", "api_key.revoke"],
      ["staff:55", "api_key.create"],
      ["staff:55", "settings.update"],
    ]);
    expect(rows[0]!.details).toMatchObject({ prefix, label: "warehouse" });
    expect(rows[1]!.details).toMatchObject({ prefixes: [prefix] });
    expect(rows[3]!.details).toMatchObject({ fields: ["currency"] });
  }, 120_000);

  it("records a report export from the admin, and shows the trail on the settings page", async () => {
    const shop = await createShopWithKey();
    await storeOfflineSession(shop.domain);
    const csv = await adminFetch(shop.domain, "/app/reports/export?period=last30", { userId: "66" });
    expect(csv.status).toBe(200);
    await http("POST", "/api/v1/settings/ingest-token/rotate", { key: shop.key });
    const rows = await auditOf(shop.shopId);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(["export.report", "ingest_token.rotate"]));
    expect(rows.find((r) => r.action === "export.report")!.actor).toBe("staff:66");

    // The settings page, rendered as Shopify admin opens it, shows the trail newest first.
    const html = await settingsPage(shop.domain);
    const activity = html.slice(html.indexOf(">Activity<"));
    expect(activity).toContain("Rotated the ingest URLs");
    expect(activity).toContain("Exported the campaign report");
    expect(activity).toContain("Staff user 66");
    expect(activity).toContain(`API key ${shop.key.slice(0, "cr_live_".length + 6)}…`);
    expect(activity.indexOf("Rotated the ingest URLs")).toBeLessThan(activity.indexOf("Exported the campaign report"));
    // Another shop's trail is not shown.
    const other = await createShopWithKey();
    await storeOfflineSession(other.domain);
    const otherHtml = await settingsPage(other.domain);
    expect(otherHtml).not.toContain("Exported the campaign report");
    expect(otherHtml).not.toContain("Staff user 66");
  });
});
