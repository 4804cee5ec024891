/**
 * docs/attribution.md's worked examples, end to end through the public API: data posted in different arrival orders,
 * the worker attributes, the report and the attribution explanation are read back over HTTP.
 */
import { describe, expect, it } from "vitest";
import {
  EXAMPLE_SETTINGS,
  attributionOf,
  emailSendAndClick,
  newShop,
  postEvents,
  postOrders,
  postRefund,
  report,
  storedAttributions,
  type Shop,
} from "../support/attribution";
import { settled } from "../support/api";

const ALICE = "alice@example.com";
const m1 = () =>
  emailSendAndClick({
    campaign: "A",
    message: "m1",
    email: ALICE,
    sent: "2026-11-01T09:00:00Z",
    clicked: "2026-11-01T10:00:00Z",
  });
const m2 = (tags: string[] = []) =>
  emailSendAndClick({
    campaign: "B",
    message: "m2",
    email: ALICE,
    sent: "2026-11-01T12:00:00Z",
    clicked: "2026-11-01T13:00:00Z",
    tags,
  });
const order = (id: string, at: string, total: string, extra: Record<string, unknown> = {}) => ({
  id,
  processed_at: at,
  currency: "USD",
  total_price: total,
  email: ALICE,
  ...extra,
});

type Step = (shop: Shop) => Promise<unknown>;
/** Runs the example twice: events first, then orders first (each on its own shop); returns both shops. */
async function bothOrders(events: Step, orders: Step): Promise<[Shop, Shop]> {
  const a = await newShop(EXAMPLE_SETTINGS);
  await events(a);
  await settled(a.shopId);
  await orders(a);
  const b = await newShop(EXAMPLE_SETTINGS);
  await orders(b);
  await settled(b.shopId);
  await events(b);
  await Promise.all([settled(a.shopId), settled(b.shopId)]);
  return [a, b];
}

function campaign(rep: { campaigns: { id: string }[] }, id: string) {
  return rep.campaigns.find((c: { id: string }) => c.id === id);
}

describe("worked examples through the API", () => {
  it("1: a click then an order by the same email earns campaign A", async () => {
    for (const shop of await bothOrders(
      (s) => postEvents(s, m1()),
      (s) => postOrders(s, [order("1001", "2026-11-01T20:00:00Z", "100.00")]),
    )) {
      const rep = await report(shop);
      expect(rep.currency).toBe("USD");
      expect(campaign(rep, "A")).toEqual({
        id: "A",
        name: "Campaign A",
        channel: "email",
        sent: 1,
        delivered: 0,
        opened: 0,
        clicked: 1,
        purchases: 1,
        gross: "100.00",
        refunded: "0.00",
        revenue: "100.00",
        average_check: "100.00",
        sale_formula: "Sale = click on the message, then a purchase within 24 hours of the click.",
        holdout: null,
      });
      expect(rep.summary).toEqual({
        campaigns: 1,
        campaigns_with_revenue: 1,
        purchases: 1,
        gross: "100.00",
        refunded: "0.00",
        revenue: "100.00",
        average_check: "100.00",
        store_revenue: "100.00",
        incremental_revenue: null,
      });
      const why = await attributionOf(shop, "1001");
      expect(why).toMatchObject({
        order_id: "1001",
        attributed: true,
        campaign_id: "A",
        message_id: "m1",
        channel: "email",
        event_type: "clicked",
        event_at: "2026-11-01T10:00:00.000Z",
        linked_by: "identity",
      });
      expect(why.explanation).toContain("Campaign A");
      expect((await storedAttributions(shop.shopId))["1001"]).toMatchObject({ campaign_id: "A", message_id: "m1" });
    }
  });

  it("2: one second past the window is unattributed (outside the window)", async () => {
    for (const shop of await bothOrders(
      (s) => postEvents(s, m1()),
      (s) => postOrders(s, [order("1002", "2026-11-02T10:00:01Z", "100.00")]),
    )) {
      const rep = await report(shop);
      expect(campaign(rep, "A")).toMatchObject({ purchases: 0, revenue: "0.00", sent: 1, clicked: 1 });
      expect(rep.summary).toMatchObject({ purchases: 0, campaigns_with_revenue: 0, store_revenue: "100.00" });
      const why = await attributionOf(shop, "1002");
      expect(why).toMatchObject({ attributed: false, campaign_id: null, reason: "outside_window" });
      expect(why.explanation).toMatch(/window/);
    }
  });

  it("3: the latest sent qualifying message wins (campaign B)", async () => {
    for (const shop of await bothOrders(
      (s) => postEvents(s, [...m2(), ...m1()]),
      (s) => postOrders(s, [order("1003", "2026-11-01T14:00:00Z", "50.00")]),
    )) {
      const rep = await report(shop);
      expect(campaign(rep, "B")).toMatchObject({ purchases: 1, revenue: "50.00" });
      expect(campaign(rep, "A")).toMatchObject({ purchases: 0, revenue: "0.00", sent: 1 });
      expect(rep.summary).toMatchObject({ campaigns: 2, campaigns_with_revenue: 1, revenue: "50.00" });
      const why = await attributionOf(shop, "1003");
      expect(why).toMatchObject({ attributed: true, campaign_id: "B", message_id: "m2" });
      expect(why.explanation).toContain("last sent of 2 messages");
    }
  });

  it("4: a message tagged Password-Reset never earns (campaign A instead)", async () => {
    for (const shop of await bothOrders(
      (s) => postEvents(s, [...m1(), ...m2(["Password-Reset"])]),
      (s) => postOrders(s, [order("1004", "2026-11-01T14:00:00Z", "50.00")]),
    )) {
      const rep = await report(shop);
      expect(campaign(rep, "A")).toMatchObject({ purchases: 1, revenue: "50.00" });
      expect(campaign(rep, "B")).toMatchObject({ purchases: 0, sent: 1 });
      expect(await attributionOf(shop, "1004")).toMatchObject({ attributed: true, campaign_id: "A" });
    }
  });

  it("4b: only an excluded message qualifies -> unattributed, excluded tag", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postEvents(shop, m2(["Password-Reset"]));
    await postOrders(shop, [order("1004b", "2026-11-01T14:00:00Z", "50.00")]);
    const why = await attributionOf(shop, "1004b");
    expect(why).toMatchObject({ attributed: false, reason: "excluded_tag" });
    expect(why.explanation).toContain("password-reset");
  });

  it("5: refunds lower revenue, capped at the gross, the purchase stays", async () => {
    const [a, b] = await bothOrders(
      (s) => postEvents(s, m1()),
      (s) => postOrders(s, [order("1005", "2026-11-01T20:00:00Z", "100.00")]),
    );
    // Shop a: refunds after the order. Shop b: the first refund before the order is even known.
    await postRefund(a, "1005", { id: "r1", created_at: "2026-11-05T10:00:00Z", amount: "30.00", currency: "USD" });
    expect(campaign(await report(a), "A")).toMatchObject({
      gross: "100.00",
      refunded: "30.00",
      revenue: "70.00",
      purchases: 1,
    });
    await postRefund(a, "1005", { id: "r2", created_at: "2026-11-06T10:00:00Z", amount: "90.00", currency: "USD" });
    const rep = await report(a);
    expect(campaign(rep, "A")).toMatchObject({
      gross: "100.00",
      refunded: "100.00",
      revenue: "0.00",
      purchases: 1,
      average_check: "0.00",
    });
    expect(rep.summary).toMatchObject({ refunded: "100.00", revenue: "0.00", store_revenue: "0.00", purchases: 1 });
    // The same refund again changes nothing.
    await postRefund(a, "1005", { id: "r2", created_at: "2026-11-06T10:00:00Z", amount: "90.00", currency: "USD" });
    expect(await report(a)).toEqual(rep);

    const early = await newShop(EXAMPLE_SETTINGS);
    await postRefund(early, "1005", { id: "r1", created_at: "2026-11-05T10:00:00Z", amount: "30.00", currency: "USD" });
    await postEvents(early, m1());
    await postOrders(early, [order("1005", "2026-11-01T20:00:00Z", "100.00")]);
    expect(campaign(await report(early), "A")).toMatchObject({ refunded: "30.00", revenue: "70.00", purchases: 1 });
    expect(b).toBeDefined();
  });

  it("6: an order in EUR is not counted anywhere", async () => {
    for (const shop of await bothOrders(
      (s) => postEvents(s, m1()),
      (s) => postOrders(s, [order("1006", "2026-11-01T20:00:00Z", "100.00", { currency: "EUR" })]),
    )) {
      const rep = await report(shop);
      expect(rep.summary).toMatchObject({ purchases: 0, gross: "0.00", store_revenue: "0.00", campaigns: 1 });
      const why = await attributionOf(shop, "1006");
      expect(why).toMatchObject({ attributed: false, reason: "other_currency" });
      expect(why.explanation).toContain("EUR");
    }
  });

  it("7: a click that arrives after the order moves it to campaign A", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    const [sent, clicked] = m1();
    await postEvents(shop, [sent]);
    await postOrders(shop, [order("1007", "2026-11-01T20:00:00Z", "100.00")]);
    expect(await attributionOf(shop, "1007")).toMatchObject({ attributed: false, reason: "outside_window" });
    expect((await report(shop)).summary).toMatchObject({ purchases: 0, store_revenue: "100.00" });
    await postEvents(shop, [clicked]);
    expect(await attributionOf(shop, "1007")).toMatchObject({ attributed: true, campaign_id: "A" });
    expect(campaign(await report(shop), "A")).toMatchObject({ purchases: 1, revenue: "100.00" });
  });

  it("8: SMS to a formatted phone number earns campaign C from an E.164 order phone", async () => {
    const sms = (type: string) => ({
      id: `m3-${type}`,
      type,
      channel: "sms",
      occurred_at: "2026-11-01T09:00:00Z",
      campaign_id: "C",
      message_id: "m3",
      recipient: { phone: "+1 (555) 010-0000" },
    });
    for (const shop of await bothOrders(
      (s) => postEvents(s, [sms("sent"), sms("clicked")]),
      (s) =>
        postOrders(s, [
          {
            id: "1008",
            processed_at: "2026-11-01T09:30:00Z",
            currency: "USD",
            total_price: "20.00",
            phone: "+15550100000",
          },
        ]),
    )) {
      const rep = await report(shop);
      expect(campaign(rep, "C")).toMatchObject({ channel: "sms", purchases: 1, revenue: "20.00", name: "C" });
      expect(await attributionOf(shop, "1008")).toMatchObject({ attributed: true, campaign_id: "C", channel: "sms" });
    }
  });

  it("no message for the buyer at all: no match", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postEvents(shop, m1());
    await postOrders(shop, [order("1009", "2026-11-01T20:00:00Z", "10.00", { email: "bob@example.com" })]);
    const why = await attributionOf(shop, "1009");
    expect(why).toMatchObject({ attributed: false, reason: "no_match" });
    expect(why.explanation).toMatch(/no campaign message/);
  });

  it("test and cancelled orders are not counted", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postEvents(shop, m1());
    await postOrders(shop, [
      order("1010", "2026-11-01T20:00:00Z", "10.00", { test: true }),
      order("1011", "2026-11-01T20:00:00Z", "10.00", { cancelled_at: "2026-11-01T21:00:00Z" }),
    ]);
    expect(await attributionOf(shop, "1010")).toMatchObject({ attributed: false, reason: "test" });
    expect(await attributionOf(shop, "1011")).toMatchObject({ attributed: false, reason: "cancelled" });
    expect((await report(shop)).summary).toMatchObject({ purchases: 0, store_revenue: "0.00" });
  });

  it("a tracked link (landing site cr_mid) earns the sale whatever address the buyer used", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postOrders(shop, [
      order("1012", "2026-11-03T11:00:00Z", "42.00", {
        email: "other@example.com",
        landing_site: "/products/x?utm_source=mail&cr_mid=m1",
      }),
    ]);
    await settled(shop.shopId);
    await postEvents(shop, m1());
    const why = await attributionOf(shop, "1012");
    expect(why).toMatchObject({ attributed: true, campaign_id: "A", linked_by: "click", event_type: "clicked" });
    expect(why.explanation).toContain("tracked link");
    expect((await storedAttributions(shop.shopId))["1012"]).toMatchObject({ campaign_id: "A", linked_by: "click" });
    expect(campaign(await report(shop), "A")).toMatchObject({ purchases: 1, revenue: "42.00" });
  });
});
