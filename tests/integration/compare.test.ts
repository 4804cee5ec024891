/** Comparing periods (ATTRIBUTION.md, "Comparing periods"): `compare` on the reports API and its CSV. */
import { describe, expect, it } from "vitest";
import { http, settled } from "../support/api";
import { emailSendAndClick, newShop, postEvents, postOrders, type Shop } from "../support/attribution";
import { parseCsv } from "../support/csv";

async function shopWithHistory(): Promise<Shop> {
  const shop = await newShop({ currency: "USD" });
  await postEvents(shop, [
    ...emailSendAndClick({
      campaign: "A",
      message: "y",
      email: "a@x.com",
      sent: "2025-11-02T09:00:00Z",
      clicked: "2025-11-02T10:00:00Z",
    }),
    ...emailSendAndClick({
      campaign: "A",
      message: "m1",
      email: "a@x.com",
      sent: "2026-10-28T09:00:00Z",
      clicked: "2026-10-28T10:00:00Z",
    }),
    ...emailSendAndClick({
      campaign: "A",
      message: "m2",
      email: "a@x.com",
      sent: "2026-11-02T09:00:00Z",
      clicked: "2026-11-02T10:00:00Z",
    }),
    ...emailSendAndClick({ campaign: "B", message: "b1", email: "b@x.com", sent: "2026-11-03T09:00:00Z" }),
  ]);
  await postOrders(shop, [
    { id: "y1", processed_at: "2025-11-02T12:00:00Z", currency: "USD", total_price: "25.00", email: "a@x.com" },
    { id: "p1", processed_at: "2026-10-28T12:00:00Z", currency: "USD", total_price: "50.00", email: "a@x.com" },
    { id: "p2", processed_at: "2026-10-29T12:00:00Z", currency: "USD", total_price: "10.00", email: "n@x.com" },
    { id: "c1", processed_at: "2026-11-02T12:00:00Z", currency: "USD", total_price: "100.00", email: "a@x.com" },
    { id: "c2", processed_at: "2026-11-03T12:00:00Z", currency: "USD", total_price: "20.00", email: "n@x.com" },
  ]);
  await settled(shop.shopId);
  return shop;
}

const PERIOD = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z";

describe("compare", () => {
  it("previous_period: the period of the same length before, the changes, each campaign's earlier figures", async () => {
    const shop = await shopWithHistory();
    const res = await http("GET", `/api/v1/reports/campaigns?${PERIOD}&compare=previous_period`, { key: shop.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.summary).toMatchObject({
      purchases: 1,
      revenue: "100.00",
      average_check: "100.00",
      store_revenue: "120.00",
    });
    expect(res.body.previous).toEqual({
      from: "2026-10-25T00:00:00.000Z",
      to: "2026-11-01T00:00:00.000Z",
      campaigns: 1,
      campaigns_with_revenue: 1,
      purchases: 1,
      gross: "50.00",
      refunded: "0.00",
      revenue: "50.00",
      average_check: "50.00",
      store_revenue: "60.00",
    });
    expect(res.body.change).toEqual({ purchases: 0, revenue: 1, average_check: 1, store_revenue: 1 });
    const byId = Object.fromEntries(res.body.campaigns.map((c: { id: string }) => [c.id, c]));
    expect(byId.A.previous).toEqual({ purchases: 1, revenue: "50.00" });
    expect(byId.B.previous).toEqual({ purchases: 0, revenue: "0.00" });
  });

  it("previous_year: the same dates a year earlier; a change is null where the earlier value is 0", async () => {
    const shop = await shopWithHistory();
    const res = await http("GET", `/api/v1/reports/campaigns?${PERIOD}&compare=previous_year`, { key: shop.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body.previous).toMatchObject({
      from: "2025-11-01T00:00:00.000Z",
      to: "2025-11-08T00:00:00.000Z",
      purchases: 1,
      revenue: "25.00",
      store_revenue: "25.00",
    });
    expect(res.body.change).toEqual({ purchases: 0, revenue: 3, average_check: 3, store_revenue: 3.8 });
    const a = res.body.campaigns.find((c: { id: string }) => c.id === "A");
    expect(a.previous).toEqual({ purchases: 1, revenue: "25.00" });

    const empty = await http(
      "GET",
      `/api/v1/reports/campaigns?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&compare=previous_year`,
      {
        key: shop.key,
      },
    );
    expect(empty.body.change).toEqual({ purchases: null, revenue: null, average_check: null, store_revenue: null });
  });

  it("without compare the report has no previous or change; CSV adds previous_purchases and previous_revenue", async () => {
    const shop = await shopWithHistory();
    const plain = await http("GET", `/api/v1/reports/campaigns?${PERIOD}`, { key: shop.key });
    expect(plain.body).not.toHaveProperty("previous");
    expect(plain.body).not.toHaveProperty("change");
    expect(plain.body.campaigns[0]).not.toHaveProperty("previous");
    const csv = await http("GET", `/api/v1/reports/campaigns?${PERIOD}&compare=previous_period&format=csv`, {
      key: shop.key,
    });
    const [header, ...rows] = parseCsv(csv.text);
    expect(header!.slice(-2)).toEqual(["previous_purchases", "previous_revenue"]);
    const a = rows.find((r) => r[0] === "A")!;
    expect(a.slice(-2)).toEqual(["1", "50.00"]);
  });

  it("refuses an unknown compare value with 400 naming compare", async () => {
    const shop = await newShop();
    const res = await http("GET", `/api/v1/reports/campaigns?${PERIOD}&compare=last_week`, { key: shop.key });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: "compare", message: expect.stringContaining("previous_period") }]);
  });
});
