/** The report endpoints' contract: JSON and CSV, validation (400 naming from/to), 404s, enabled off, and the presenters. */
import { describe, expect, it } from "vitest";
import { http, settled } from "../support/api";
import { EXAMPLE_SETTINGS, emailSendAndClick, newShop, postEvents, postOrders, report } from "../support/attribution";

async function exampleShop() {
  const shop = await newShop(EXAMPLE_SETTINGS);
  await postEvents(shop, [
    ...emailSendAndClick({
      campaign: "A",
      message: "m1",
      email: "a@x.com",
      sent: "2026-11-01T09:00:00Z",
      clicked: "2026-11-01T10:00:00Z",
      name: 'Black, "Friday"',
    }),
    ...emailSendAndClick({ campaign: "B", message: "m2", email: "b@x.com", sent: "2026-11-02T09:00:00Z" }),
  ]);
  await postOrders(shop, [
    { id: "5001", processed_at: "2026-11-01T20:00:00Z", currency: "USD", total_price: "100.00", email: "a@x.com" },
    { id: "5002", processed_at: "2026-11-01T21:00:00-05:00", currency: "USD", total_price: "33.33", email: "a@x.com" },
    { id: "5003", processed_at: "2026-11-03T12:00:00Z", currency: "USD", total_price: "7.00", email: "nobody@x.com" },
  ]);
  await settled(shop.shopId);
  return shop;
}

const RANGE = "from=2026-11-01T00:00:00Z&to=2026-11-05T00:00:00Z";

describe("GET /api/v1/reports/campaigns", () => {
  it("returns the report; a sub-period with odd edges counts only its orders", async () => {
    const shop = await exampleShop();
    const rep = await report(shop, "2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z");
    expect(rep.summary).toEqual({
      campaigns: 2,
      campaigns_with_revenue: 1,
      purchases: 2,
      gross: "133.33",
      refunded: "0.00",
      revenue: "133.33",
      average_check: "66.67",
      store_revenue: "140.33",
      incremental_revenue: null,
    });
    expect(rep.campaigns.map((c: { id: string }) => c.id)).toEqual(["A", "B"]);
    // 5002 is 2026-11-02T02:00Z: within 24 h of A's click (10:00 on the 1st). A 2 ms period around 5001 holds it only.
    const edge = await report(shop, "2026-11-01T19:59:59.999Z", "2026-11-01T20:00:00.001Z");
    expect(edge.summary).toMatchObject({ purchases: 1, revenue: "100.00", campaigns: 0, campaigns_with_revenue: 1 });
    const head = await report(shop, "2026-11-01T00:00:00Z", "2026-11-02T01:59:59.999Z");
    const tail = await report(shop, "2026-11-02T01:59:59.999Z", "2026-11-05T00:00:00Z");
    expect(head.summary.purchases + tail.summary.purchases).toBe(rep.summary.purchases);
    expect(tail.summary).toMatchObject({ purchases: 1, revenue: "33.33", store_revenue: "40.33" });
  });

  it("gives CSV with a header of the row field names (format=csv or Accept: text/csv)", async () => {
    const shop = await exampleShop();
    for (const res of [
      await http("GET", `/api/v1/reports/campaigns?${RANGE}&format=csv`, { key: shop.key }),
      await http("GET", `/api/v1/reports/campaigns?${RANGE}`, { key: shop.key, headers: { Accept: "text/csv" } }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      const lines = res.text.trim().split("\n");
      expect(lines[0]).toBe(
        "id,name,channel,sent,delivered,opened,clicked,purchases,gross,refunded,revenue,average_check,sale_formula," +
          "holdout_treated,holdout_held_out,holdout_overlap,holdout_conversion_treated,holdout_conversion_held_out," +
          "holdout_lift,holdout_revenue_per_recipient_treated,holdout_revenue_per_recipient_held_out," +
          "holdout_incremental_revenue,holdout_incremental_revenue_low,holdout_incremental_revenue_high," +
          "holdout_significant,holdout_reason",
      );
      expect(lines[1]).toBe(
        'A,"Black, ""Friday""",email,1,0,0,1,2,133.33,0.00,133.33,66.67,"Sale = click on the message, then a purchase within 24 hours of the click.",,,,,,,,,,,,,',
      );
      expect(lines).toHaveLength(3);
    }
  });

  it("refuses to let a campaign id or name run as a spreadsheet formula in the CSV (leading apostrophe)", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postEvents(shop, [
      ...emailSendAndClick({
        campaign: '=HYPERLINK("http://x")',
        message: "mf1",
        email: "f@x.com",
        sent: "2026-11-01T09:00:00Z",
        name: "+SUM(1,2)",
      }),
      ...emailSendAndClick({
        campaign: "@cmd",
        message: "mf2",
        email: "g@x.com",
        sent: "2026-11-01T09:00:00Z",
        name: "-2+3",
      }),
    ]);
    await settled(shop.shopId);
    const res = await http("GET", `/api/v1/reports/campaigns?${RANGE}&format=csv`, { key: shop.key });
    expect(res.status).toBe(200);
    const lines = res.text.trim().split("\n").slice(1);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line, line).toMatch(/^"?'[=+\-@]/);
    expect(res.text).toContain(`"'=HYPERLINK(""http://x"")","'+SUM(1,2)"`);
    expect(res.text).toContain(`'@cmd,'-2+3,email`);
  });

  it("refuses bad periods with 400 naming from/to", async () => {
    const shop = await exampleShop();
    const bad = async (qs: string, path: string) => {
      const res = await http("GET", `/api/v1/reports/campaigns?${qs}`, { key: shop.key });
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    };
    await bad("from=yesterday&to=2026-11-05T00:00:00Z", "from");
    await bad("from=2026-11-01T00:00:00Z&to=2026-11-05", "to");
    await bad("from=2026-11-05T00:00:00Z&to=2026-11-01T00:00:00Z", "from");
    await bad(`${RANGE}&format=xml`, "format");
    // Defaults: the last 30 days up to now.
    const def = await http("GET", "/api/v1/reports/campaigns", { key: shop.key });
    expect(def.status).toBe(200);
    expect(Date.parse(def.body.to) - Date.parse(def.body.from)).toBe(30 * 86_400_000);
    // An unencoded + offset (a space once decoded) is read as +.
    const plus = await http("GET", "/api/v1/reports/campaigns?from=2026-11-01T00:00:00+00:00&to=2026-11-05T00:00:00Z", {
      key: shop.key,
    });
    expect(plus.status).toBe(200);
  });

  it("with enabled off: message statistics, no purchases or revenue", async () => {
    const shop = await exampleShop();
    await http("PUT", "/api/v1/settings", { key: shop.key, body: { enabled: false } });
    const rep = await report(shop, "2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z");
    expect(rep.summary).toMatchObject({
      campaigns: 2,
      campaigns_with_revenue: 0,
      purchases: 0,
      revenue: "0.00",
      store_revenue: "0.00",
    });
    expect(rep.campaigns.find((c: { id: string }) => c.id === "A")).toMatchObject({
      sent: 1,
      clicked: 1,
      purchases: 0,
      revenue: "0.00",
    });
  });
});

describe("GET /api/v1/campaigns/{id} and /api/v1/orders/{id}/attribution", () => {
  it("gives one campaign's row and its orders; 404 for an unknown campaign", async () => {
    const shop = await exampleShop();
    const res = await http("GET", `/api/v1/campaigns/A?${RANGE}`, { key: shop.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: "A", name: 'Black, "Friday"', purchases: 2, revenue: "133.33" });
    expect(res.body.orders).toEqual([
      {
        id: "5001",
        time_of_sale: "2026-11-01T20:00:00.000Z",
        gross: "100.00",
        refunded: "0.00",
        revenue: "100.00",
        name: null,
      },
      {
        id: "5002",
        time_of_sale: "2026-11-02T02:00:00.000Z",
        gross: "33.33",
        refunded: "0.00",
        revenue: "33.33",
        name: null,
      },
    ]);
    const b = await http("GET", `/api/v1/campaigns/B?${RANGE}`, { key: shop.key });
    expect(b.body).toMatchObject({ id: "B", sent: 1, purchases: 0, orders: [] });
    const missing = await http("GET", `/api/v1/campaigns/nope?${RANGE}`, { key: shop.key });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    // Another shop's campaign is unknown here.
    const other = await newShop();
    expect((await http("GET", `/api/v1/campaigns/A?${RANGE}`, { key: other.key })).status).toBe(404);
    expect((await http("GET", `/api/v1/campaigns/A?from=x`, { key: shop.key })).status).toBe(400);
  });

  it("explains an order; 404 for an unknown order", async () => {
    const shop = await exampleShop();
    const res = await http("GET", "/api/v1/orders/5001/attribution", { key: shop.key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      order_id: "5001",
      attributed: true,
      campaign_id: "A",
      message_id: "m1",
      channel: "email",
      event_type: "clicked",
    });
    expect(res.body.explanation).toMatch(/^Attributed to campaign “Black, "Friday"” \(email\)/);
    const none = await http("GET", "/api/v1/orders/5003/attribution", { key: shop.key });
    expect(none.body).toMatchObject({ attributed: false, campaign_id: null, reason: "no_match" });
    const missing = await http("GET", "/api/v1/orders/9999/attribution", { key: shop.key });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it("names the campaign in the explanation as the report does (its latest name, not the message's)", async () => {
    const shop = await exampleShop();
    // A later message of campaign A renames it: the report, and so the explanation, show the new name.
    await postEvents(shop, [
      ...emailSendAndClick({
        campaign: "A",
        message: "m9",
        email: "c@x.com",
        sent: "2026-11-03T09:00:00Z",
        name: "Black Friday (final)",
      }),
    ]);
    await settled(shop.shopId);
    const rep = await report(shop, "2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z");
    expect(rep.campaigns.find((c: { id: string }) => c.id === "A").name).toBe("Black Friday (final)");
    const res = await http("GET", "/api/v1/orders/5001/attribution", { key: shop.key });
    expect(res.body).toMatchObject({ attributed: true, campaign_id: "A", message_id: "m1" });
    expect(res.body.explanation).toMatch(/^Attributed to campaign “Black Friday \(final\)” \(email\)/);
  });
});

describe("presenters", () => {
  it("revenueSeries buckets by day and week in the shop's time zone", async () => {
    const shop = await exampleShop();
    const { revenueSeries, campaignReport } = await import("../../app/reports/campaigns.server");
    const range = { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-05T00:00:00Z") };
    const utc = await revenueSeries(BigInt(shop.shopId), range, "UTC", "day");
    expect(utc.map((p) => p.date)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]);
    expect(utc[0]).toEqual({ date: "2026-11-01", revenue: "100.00", store_revenue: "100.00", purchases: 1 });
    expect(utc[1]).toEqual({ date: "2026-11-02", revenue: "33.33", store_revenue: "33.33", purchases: 1 });
    // New York: 20:00Z on the 1st is 16:00 local on the 1st; the 5002 order is 21:00 local on the 1st.
    const ny = await revenueSeries(BigInt(shop.shopId), range, "America/New_York", "day");
    expect(ny[0]).toEqual({ date: "2026-10-31", revenue: "0.00", store_revenue: "0.00", purchases: 0 });
    expect(ny[1]).toEqual({ date: "2026-11-01", revenue: "133.33", store_revenue: "133.33", purchases: 2 });
    // Half-hour zones read rows exactly.
    const india = await revenueSeries(BigInt(shop.shopId), range, "Asia/Kolkata", "day");
    expect(india.find((p) => p.date === "2026-11-02")).toMatchObject({ store_revenue: "133.33" });
    const weeks = await revenueSeries(BigInt(shop.shopId), range, "UTC", "week");
    expect(weeks).toEqual([
      { date: "2026-10-26", revenue: "100.00", store_revenue: "100.00", purchases: 1 },
      { date: "2026-11-02", revenue: "33.33", store_revenue: "40.33", purchases: 1 },
    ]);
    const rep = await campaignReport(BigInt(shop.shopId), range);
    expect(rep.summary.store_revenue).toBe("140.33");
  });
});
