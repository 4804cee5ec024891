/**
 * Holdouts end to end (ATTRIBUTION.md, "Holdouts"): held_out events through the Generate event API, the figures in
 * the report rows, the summary, the campaign endpoint and the CSV; held-out messages never qualify and never count
 * in the message statistics; overlap, orders outside the window, refunds, other currencies, test orders; and random
 * data against the plain reference implementation.
 */
import { describe, expect, it } from "vitest";
import { http } from "../support/api";
import { newShop, postEvents, postOrders, postRefund, report, attributionOf, type Shop } from "../support/attribution";
import { parseCsv } from "../support/csv";
import { holdoutFromData, type RefEvent, type RefOrder } from "../support/holdout-reference";

const T0 = Date.parse("2026-11-02T12:00:00Z");
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

function ev(type: string, campaign: string, email: string, occurred: string, extra: Record<string, unknown> = {}) {
  return {
    type,
    channel: "email",
    campaign_id: campaign,
    campaign_name: `Campaign ${campaign}`,
    occurred_at: occurred,
    recipient: { email },
    ...extra,
  };
}

async function workedExample(): Promise<Shop> {
  const shop = await newShop({ currency: "USD", channels: { email: { event: "clicked", window_hours: 72 } } });
  await postEvents(shop, [
    ...["a", "b", "c", "d"].map((r) => ev("sent", "C", `${r}@x.com`, at(0))),
    ...["e", "f"].map((r) => ev("held_out", "C", `${r}@x.com`, at(0))),
  ]);
  await postOrders(shop, [
    { id: "o-a", processed_at: at(10), currency: "USD", total_price: "100.00", email: "a@x.com" },
    { id: "o-b", processed_at: at(80), currency: "USD", total_price: "50.00", email: "b@x.com" },
    { id: "o-e", processed_at: at(5), currency: "USD", total_price: "30.00", email: "e@x.com" },
  ]);
  return shop;
}

const WORKED = {
  treated: 4,
  held_out: 2,
  overlap: 0,
  conversion_treated: 0.25,
  conversion_held_out: 0.5,
  lift: -0.5,
  revenue_per_recipient_treated: "25.00",
  revenue_per_recipient_held_out: "15.00",
  incremental_revenue: "40.00",
  incremental_revenue_low: "-188.57",
  incremental_revenue_high: "268.57",
  significant: false,
  reason: null,
};

describe("holdouts", () => {
  it("gives the worked example's figures in the report row, the summary, the campaign endpoint and the CSV", async () => {
    const shop = await workedExample();
    const rep = await report(shop);
    const c = rep.campaigns.find((x: { id: string }) => x.id === "C");
    expect(c.holdout).toEqual(WORKED);
    expect(rep.summary.incremental_revenue).toBe("40.00");

    const detail = await http("GET", `/api/v1/campaigns/C?from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z`, {
      key: shop.key,
    });
    expect(detail.status).toBe(200);
    expect(detail.body.holdout).toEqual(WORKED);

    const csv = await http(
      "GET",
      `/api/v1/reports/campaigns?from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=csv`,
      {
        key: shop.key,
      },
    );
    const [header, row] = parseCsv(csv.text);
    const cell = (name: string) => row![header!.indexOf(name)];
    expect(header).toContain("holdout_incremental_revenue_low");
    expect(cell("holdout_treated")).toBe("4");
    expect(cell("holdout_incremental_revenue")).toBe("40.00");
    expect(cell("holdout_incremental_revenue_low")).toBe("-188.57");
    expect(cell("holdout_significant")).toBe("false");
    expect(cell("holdout_reason")).toBe("");
    expect(cell("holdout_lift")).toBe("-0.5");
  });

  it("belongs to the period of its earliest t0 only; campaigns without held-out recipients have holdout null", async () => {
    const shop = await workedExample();
    await postEvents(shop, [ev("sent", "D", "a@x.com", at(1)), ev("sent", "D", "z@x.com", at(1))]);
    const rep = await report(shop);
    expect(rep.campaigns.find((x: { id: string }) => x.id === "D").holdout).toBeNull();
    const later = await report(shop, at(0.5), at(200));
    expect(later.campaigns.find((x: { id: string }) => x.id === "C")?.holdout ?? null).toBeNull();
    expect(later.summary.incremental_revenue).toBeNull();
  });

  it("held_out messages never qualify for an order and never count in sent, delivered, opened or clicked", async () => {
    // Connecting event `sent`: a held_out event, if it counted as a send, would win e's order.
    const shop = await newShop({ currency: "USD", channels: { email: { event: "sent", window_hours: 72 } } });
    await postEvents(shop, [
      ev("sent", "C", "a@x.com", at(0)),
      ev("held_out", "C", "e@x.com", at(0)),
      ev("held_out", "H", "e@x.com", at(1)),
      ev("held_out", "H", "f@x.com", at(1), { message_id: "h-f" }),
    ]);
    await postOrders(shop, [
      { id: "o-a", processed_at: at(5), currency: "USD", total_price: "10.00", email: "a@x.com" },
      { id: "o-e", processed_at: at(5), currency: "USD", total_price: "30.00", email: "e@x.com" },
    ]);
    const rep = await report(shop);
    const c = rep.campaigns.find((x: { id: string }) => x.id === "C");
    expect(c).toMatchObject({ sent: 1, delivered: 0, opened: 0, clicked: 0, purchases: 1, revenue: "10.00" });
    const h = rep.campaigns.find((x: { id: string }) => x.id === "H");
    expect(h ?? { sent: 0, delivered: 0, opened: 0, clicked: 0, purchases: 0 }).toMatchObject({
      sent: 0,
      delivered: 0,
      opened: 0,
      clicked: 0,
      purchases: 0,
    });
    expect(rep.summary).toMatchObject({ purchases: 1, revenue: "10.00", store_revenue: "40.00" });
    const e = await attributionOf(shop, "o-e");
    expect(e).toMatchObject({ attributed: false, campaign_id: null });
    // Groups of 1 treated / 1 held out: no figures yet.
    expect(c.holdout).toMatchObject({
      treated: 1,
      held_out: 1,
      reason: "insufficient_holdout",
      incremental_revenue: null,
    });
  });

  it("drops the overlap from both groups, counts refunds, ignores other currencies, test and cancelled orders", async () => {
    const shop = await newShop({ currency: "USD", channels: { email: { event: "clicked", window_hours: 24 } } });
    const events: RefEvent[] = [
      ...["a", "b", "c", "both"].map((r) => ev("sent", "C", `${r}@x.com`, at(0))),
      ev("sent", "C", "b@x.com", at(3)), // a second send: one recipient, earliest t0
      ...["e", "f", "g", "both"].map((r) => ev("held_out", "C", `${r}@x.com`, at(1))),
      ev("held_out", "C", " E@X.com ", at(2)), // the same identity once normalised
    ];
    const orders: (RefOrder & { refunds?: unknown })[] = [
      { id: "1", processed_at: at(2), currency: "USD", total_price: "80.00", email: "a@x.com", refunded: "30.00" },
      { id: "2", processed_at: at(2), currency: "USD", total_price: "20.00", email: "a@x.com" },
      { id: "3", processed_at: at(1), currency: "EUR", total_price: "500.00", email: "b@x.com" },
      { id: "4", processed_at: at(2), currency: "USD", total_price: "500.00", email: "c@x.com", test: true },
      { id: "5", processed_at: at(2), currency: "USD", total_price: "500.00", email: "c@x.com", cancelled_at: at(3) },
      { id: "6", processed_at: at(24), currency: "USD", total_price: "9.99", email: "b@x.com" }, // t0 + 24 h: in
      { id: "7", processed_at: at(25.5), currency: "USD", total_price: "7.00", email: "e@x.com" }, // t0(1h) + 24.5: out
      { id: "8", processed_at: at(3), currency: "USD", total_price: "12.00", email: "f@x.com", refunded: "40.00" },
      { id: "9", processed_at: at(3), currency: "USD", total_price: "1000.00", email: "both@x.com" },
      { id: "10", processed_at: at(-1), currency: "USD", total_price: "66.00", email: "g@x.com" }, // before t0
    ];
    await postEvents(shop, events);
    await postOrders(
      shop,
      orders.map(({ refunded: _r, ...o }) => o),
    );
    await postRefund(shop, "1", { id: "r1", created_at: at(30), amount: "30.00", currency: "USD" });
    await postRefund(shop, "8", { id: "r8", created_at: at(30), amount: "40.00", currency: "USD" });
    const rep = await report(shop);
    const c = rep.campaigns.find((x: { id: string }) => x.id === "C");
    const expected = holdoutFromData(events, orders, "C", 24, "USD");
    expect(expected).toMatchObject({ treated: 3, held_out: 3, overlap: 1 });
    expect(c.holdout).toEqual(expected);
    // a: 50 + 20 = 70; b: 9.99; c: 0 -> mean 26.66333...; f: 0 (refund capped) ; e, g: 0
    expect(c.holdout).toMatchObject({ revenue_per_recipient_treated: "26.66", conversion_held_out: 0.3333 });
  });

  it("agrees with the plain reference implementation on random data", async () => {
    let seed = 20261130;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let round = 0; round < 3; round++) {
      const window = pick([1, 24, 72]);
      const shop = await newShop({ currency: "USD", channels: { email: { event: "clicked", window_hours: window } } });
      const people = Array.from({ length: 25 }, (_, i) => `p${i}@x.com`);
      const events: RefEvent[] = [];
      for (const campaign of ["K1", "K2"]) {
        for (const p of people) {
          const roll = rnd();
          if (roll < 0.45) events.push(ev("sent", campaign, p, at(rnd() * 48)));
          else if (roll < 0.75) events.push(ev("held_out", campaign, p, at(rnd() * 48)));
          else if (roll < 0.8) {
            events.push(ev("sent", campaign, p, at(rnd() * 48)));
            events.push(ev("held_out", campaign, p, at(rnd() * 48)));
          }
          if (rnd() < 0.2) events.push(ev(pick(["opened", "clicked", "delivered"]), campaign, p, at(rnd() * 48)));
        }
      }
      const orders: RefOrder[] = Array.from({ length: 40 }, (_, i) => ({
        id: `r${round}-${i}`,
        processed_at: at(rnd() * 120 - 5),
        currency: rnd() < 0.9 ? "USD" : "EUR",
        total_price: (Math.floor(rnd() * 20000) / 100).toFixed(2),
        email: pick(people),
        ...(rnd() < 0.05 ? { test: true } : {}),
      }));
      await postEvents(shop, events);
      await postOrders(shop, orders);
      const rep = await report(shop);
      for (const campaign of ["K1", "K2"]) {
        const row = rep.campaigns.find((x: { id: string }) => x.id === campaign);
        expect(row.holdout, `round ${round} ${campaign}`).toEqual(
          holdoutFromData(events, orders, campaign, window, "USD"),
        );
      }
    }
  });
});
