import { describe, expect, it } from "vitest";
import {
  attributeOrder,
  buildMessages,
  compareCodePoints,
  explain,
  isOrderCounted,
  resolveMessageId,
  timeOfSale,
  trackedMessageIds,
  TRACKED_LINK_PARAM,
} from "../../../app/domain/attribution";
import { stageOf } from "../../../app/domain/stages";
import { attributeAll } from "../../support/model";
import { NOVEMBER, ev, exampleSettings, order, refund } from "./fixtures";
import { at } from "../../support/at";

const ALICE = "alice@example.com";
const s = exampleSettings();

describe("stages and orders", () => {
  it("gives stages 1-4 to sent..clicked and 0 to anything else", () => {
    expect(["sent", "delivered", "opened", "clicked", "bounced", "toString", "Clicked"].map(stageOf)).toEqual([
      1, 2, 3, 4, 0, 0, 0,
    ]);
  });

  it("counts orders that are not tests, not cancelled, in the currency", () => {
    const base = { id: "1", at: "2026-11-01T00:00:00Z", total: "1" };
    expect(isOrderCounted(order(base), s)).toEqual({ counted: true });
    expect(isOrderCounted(order({ ...base, test: true, cancelled: true }), s)).toEqual({
      counted: false,
      reason: "test",
    });
    expect(isOrderCounted(order({ ...base, cancelled: true }), s)).toEqual({
      counted: false,
      reason: "cancelled",
    });
    expect(isOrderCounted(order({ ...base, currency: "EUR" }), s)).toEqual({
      counted: false,
      reason: "other_currency",
    });
  });

  it("sells at processed_at, else created_at", () => {
    const o = order({ id: "1", at: "2026-11-01T05:00:00Z", total: "1" });
    expect(timeOfSale(o).toISOString()).toBe("2026-11-01T05:00:00.000Z");
    expect(
      timeOfSale({
        processedAt: null,
        createdAt: new Date("2026-11-02T00:00:00Z"),
      }).toISOString(),
    ).toBe("2026-11-02T00:00:00.000Z");
  });

  it("compares ids by code point", () => {
    expect(compareCodePoints("m10", "m9")).toBeLessThan(0);
    expect(compareCodePoints("\uffff", "\u{1F600}")).toBeLessThan(0); // UTF-16 order would say the opposite
  });
});

describe("the rule", () => {
  it("lets a later stage stand for an earlier one", () => {
    const opened = exampleSettings({
      channels: { ...s.channels, email: { event: "opened", window_hours: 24 } },
    });
    const msgs = buildMessages([
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T10:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ]);
    const o = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "1",
      email: ALICE,
    });
    const r = attributeOrder(o, msgs, opened);
    expect(r).toMatchObject({ attributed: true, eventType: "clicked" });
    expect(explain(r, opened)).toContain("a click implies an open, which connects a sale within 24 hours");
    // but an earlier stage never stands for a later one
    const sentOnly = buildMessages([
      ev({
        type: "delivered",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ]);
    expect(attributeOrder(o, sentOnly, opened)).toMatchObject({
      attributed: false,
      reason: "outside_window",
    });
  });

  it("ignores machine opens when told to, but not machine clicks", () => {
    const opened = exampleSettings({
      channels: { ...s.channels, email: { event: "opened", window_hours: 24 } },
    });
    const o = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "1",
      email: ALICE,
    });
    const machineOpen = buildMessages([
      ev({
        type: "opened",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
        machine: true,
      }),
    ]);
    expect(attributeOrder(o, machineOpen, opened)).toMatchObject({
      attributed: false,
      reason: "outside_window",
    });
    expect(
      attributeOrder(o, machineOpen, {
        ...opened,
        ignore_machine_opens: false,
      }),
    ).toMatchObject({ attributed: true });
    const machineClick = buildMessages([
      ev({
        type: "clicked",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
        machine: true,
      }),
    ]);
    expect(attributeOrder(o, machineClick, opened)).toMatchObject({
      attributed: true,
      eventType: "clicked",
    });
    // machine opens still count in statistics
    const machineOpenEvent = ev({
      type: "opened",
      at: "2026-11-01T09:00:00Z",
      campaign: "A",
      message: "m1",
      email: ALICE,
      machine: true,
    });
    const all = attributeAll([o], [machineOpenEvent], [], opened, NOVEMBER);
    expect(all.report.campaigns[0]).toMatchObject({ opened: 1, purchases: 0 });
  });

  it("breaks ties by latest qualifying event, then greatest message id", () => {
    const o = order({
      id: "1",
      at: "2026-11-01T20:00:00Z",
      total: "1",
      email: ALICE,
    });
    const sameSent = [
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T12:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "B",
        message: "m2",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T11:00:00Z",
        campaign: "B",
        message: "m2",
        email: ALICE,
      }),
    ];
    expect(attributeOrder(o, buildMessages(sameSent), s)).toMatchObject({
      campaignId: "A",
      qualifyingMessages: 2,
    });
    const allSame = [
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m9",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T12:00:00Z",
        campaign: "A",
        message: "m9",
        email: ALICE,
      }),
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "B",
        message: "m10",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T12:00:00Z",
        campaign: "B",
        message: "m10",
        email: ALICE,
      }),
    ];
    expect(attributeOrder(o, buildMessages(allSame), s)).toMatchObject({
      campaignId: "A",
      messageId: "m9",
    });
  });

  it("takes the sent time from the earliest sent event, else the earliest stage event", () => {
    const msgs = buildMessages([
      ev({
        type: "bounced",
        at: "2026-11-01T01:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T05:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "delivered",
        at: "2026-11-01T03:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "sent",
        at: "2026-11-01T04:00:00Z",
        campaign: "B",
        message: "m2",
        email: ALICE,
      }),
      ev({
        type: "sent",
        at: "2026-11-01T02:00:00Z",
        campaign: "B",
        message: "m2",
        email: ALICE,
      }),
      ev({
        type: "bounced",
        at: "2026-11-01T02:00:00Z",
        campaign: "C",
        message: "m3",
        email: ALICE,
      }),
    ]);
    expect(msgs.map((m) => [m.messageId, new Date(m.sentAt).toISOString().slice(11, 16)])).toEqual([
      ["m1", "03:00"],
      ["m2", "02:00"],
      ["m3", "02:00"],
    ]);
  });

  it("derives the message of an event without message_id, and merges the keys of its events", () => {
    const e1 = ev({
      type: "sent",
      at: "2026-11-01T09:00:00Z",
      campaign: "A",
      email: " Alice@Example.com",
      customerId: "7",
    });
    const e2 = ev({
      type: "clicked",
      at: "2026-11-01T10:00:00Z",
      campaign: "A",
      email: ALICE,
    });
    expect(resolveMessageId(e1)).toBe("A:email:alice@example.com");
    const msgs = buildMessages([e1, e2]);
    expect(msgs).toHaveLength(1);
    const byCustomer = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "1",
      customer: { id: "7", email: null, phone: null },
    });
    expect(attributeOrder(byCustomer, msgs, s)).toMatchObject({
      attributed: true,
      messageId: "A:email:alice@example.com",
    });
  });

  it("matches through a tracked link whatever address the buyer used", () => {
    const msgs = buildMessages([
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ]);
    const o = order({
      id: "1",
      at: "2026-11-03T11:00:00Z",
      total: "1",
      email: "someone.else@example.com",
      landingSite: "/products/x?utm_source=mail&cr_mid=m1",
    });
    expect(trackedMessageIds(o)).toEqual(["m1"]);
    expect(TRACKED_LINK_PARAM).toBe("cr_mid");
    expect(trackedMessageIds({ landingSite: "/p?message_id=m1" })).toEqual([]);
    const r = attributeOrder(o, msgs, s);
    expect(r).toMatchObject({
      attributed: true,
      campaignId: "A",
      via: "tracked_link",
      eventVia: "tracked_link",
      eventType: "clicked",
    });
    expect(explain(r, s)).toContain("the buyer arrived through the message's tracked link");
    // a pixel click naming the order works the same
    const pixel = {
      ...ev({
        type: "clicked",
        at: "2026-11-03T10:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      source: "pixel" as const,
      orderExternalId: "2",
    };
    const o2 = order({
      id: "2",
      at: "2026-11-03T11:00:00Z",
      total: "1",
      email: "other@example.com",
    });
    expect(attributeOrder(o2, buildMessages([pixel]), s)).toMatchObject({
      attributed: true,
      via: "tracked_link",
      eventVia: "event",
    });
  });

  it("gives every reason with an explanation", () => {
    const msgs = buildMessages([
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T10:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ]);
    const base = {
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "1",
      email: ALICE,
    };
    const cases: [ReturnType<typeof order>, string, string][] = [
      [order({ ...base, test: true }), "test", "Not counted: this is a test order."],
      [order({ ...base, cancelled: true }), "cancelled", "Not counted: the order was cancelled."],
      [order({ ...base, email: "bob@example.com" }), "no_match", "Unattributed: no campaign message"],
      [order({ ...base, at: "2026-11-03T00:00:00Z" }), "outside_window", "(email: a click within 24 hours)"],
      [order({ ...base, at: "2026-11-01T09:30:00Z" }), "outside_window", "none had a connecting event"],
    ];
    for (const [o, reason, text] of cases) {
      const r = attributeOrder(o, msgs, s);
      expect(r).toMatchObject({ attributed: false, reason });
      expect(explain(r, s)).toContain(text);
    }
  });

  it("hides purchases and revenue when disabled, keeping message statistics", () => {
    const events = [
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T10:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ];
    const o = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "10.00",
      email: ALICE,
    });
    const r = attributeAll([o], events, [], exampleSettings({ enabled: false }), NOVEMBER);
    expect(r.report.campaigns).toEqual([
      expect.objectContaining({
        id: "A",
        sent: 1,
        clicked: 1,
        purchases: 0,
        revenue: "0.00",
      }),
    ]);
    expect(r.report.summary).toMatchObject({
      campaigns: 1,
      campaigns_with_revenue: 0,
      purchases: 0,
      store_revenue: "0.00",
    });
  });
});

describe("attributeAll bookkeeping", () => {
  const events = [
    ev({
      id: "e1",
      type: "sent",
      at: "2026-11-01T09:00:00Z",
      campaign: "A",
      message: "m1",
      email: ALICE,
      name: "Old",
    }),
    ev({
      id: "e2",
      type: "clicked",
      at: "2026-11-01T10:00:00Z",
      campaign: "A",
      message: "m1",
      email: ALICE,
      name: "Spring sale",
    }),
  ];

  it("collapses duplicate events, refunds and order versions", () => {
    const v1 = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "10.00",
      email: ALICE,
      updatedAt: new Date("2026-11-01T11:00:00Z"),
    });
    const v2 = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "12.00",
      email: ALICE,
      updatedAt: new Date("2026-11-01T12:00:00Z"),
    });
    const r1 = refund("r1", "1", "2.00");
    const a = attributeAll([v2, v1, v2], [...events, at(events, 1), at(events, 0)], [r1, r1], s, NOVEMBER);
    const b = attributeAll([v1, v2], events, [r1], s, NOVEMBER);
    expect(a).toEqual(b);
    expect(a.report.campaigns[0]).toMatchObject({
      name: "Spring sale",
      sent: 1,
      clicked: 1,
      purchases: 1,
      gross: "12.00",
      refunded: "2.00",
      revenue: "10.00",
    });
  });

  it("holds a refund for a missing order until the order arrives", () => {
    const r = refund("r1", "1", "4.00");
    const before = attributeAll([], events, [r], s, NOVEMBER);
    expect(before.report.summary.refunded).toBe("0.00");
    const o = order({
      id: "1",
      at: "2026-11-01T11:00:00Z",
      total: "10.00",
      email: ALICE,
    });
    const after = attributeAll([o], events, [r], s, NOVEMBER);
    expect(after.report.summary).toMatchObject({
      refunded: "4.00",
      revenue: "6.00",
      store_revenue: "6.00",
    });
  });

  it("credits a refund to the period of its order, whenever it is made", () => {
    const o = order({
      id: "1",
      at: "2026-11-30T23:00:00Z",
      total: "10.00",
      email: ALICE,
    });
    const late = {
      ...refund("r1", "1", "4.00"),
      createdAt: new Date("2027-01-15T00:00:00Z"),
    };
    const evs = [
      ev({
        type: "clicked",
        at: "2026-11-30T22:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ];
    expect(attributeAll([o], evs, [late], s, NOVEMBER).report.summary.refunded).toBe("4.00");
    const dec = {
      from: new Date("2026-12-01T00:00:00Z"),
      to: new Date("2027-02-01T00:00:00Z"),
    };
    expect(attributeAll([o], evs, [late], s, dec).report.summary).toMatchObject({ purchases: 0, refunded: "0.00" });
  });

  it("uses the currency's minor units and rounds the average check half away from zero", () => {
    const jpy = exampleSettings({ currency: "JPY" });
    const evs = [
      ev({
        type: "clicked",
        at: "2026-11-01T10:00:00Z",
        campaign: "A",
        message: "m1",
        email: ALICE,
      }),
    ];
    const orders = [
      order({
        id: "1",
        at: "2026-11-01T11:00:00Z",
        total: "1000",
        currency: "JPY",
        email: ALICE,
      }),
      order({
        id: "2",
        at: "2026-11-01T12:00:00Z",
        total: "1001",
        currency: "JPY",
        email: ALICE,
      }),
    ];
    const r = attributeAll(orders, evs, [], jpy, NOVEMBER);
    expect(r.report.campaigns[0]).toMatchObject({
      purchases: 2,
      revenue: "2001",
      average_check: "1001",
    }); // 1000.5 -> 1001
  });
});
