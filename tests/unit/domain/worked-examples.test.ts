/** docs/attribution.md, "Worked examples" 1-8, one test each. */
import { describe, expect, it } from "vitest";
import { attributeOrder, buildMessages, explain } from "../../../app/domain/attribution";
import { attributeAll } from "../../support/model";
import { NOVEMBER, ev, exampleSettings, order, refund } from "./fixtures";

const settings = exampleSettings();
const ALICE = "alice@example.com";

const m1: [ReturnType<typeof ev>, ReturnType<typeof ev>] = [
  ev({
    type: "sent",
    at: "2026-11-01T09:00:00Z",
    campaign: "A",
    message: "m1",
    email: ALICE,
    name: "Campaign A",
  }),
  ev({
    type: "clicked",
    at: "2026-11-01T10:00:00Z",
    campaign: "A",
    message: "m1",
    email: ALICE,
  }),
];
const m2 = (tags: string[] = []) => [
  ev({
    type: "sent",
    at: "2026-11-01T12:00:00Z",
    campaign: "B",
    message: "m2",
    email: ALICE,
    tags,
  }),
  ev({
    type: "clicked",
    at: "2026-11-01T13:00:00Z",
    campaign: "B",
    message: "m2",
    email: ALICE,
  }),
];

function campaignRow(result: ReturnType<typeof attributeAll>, id: string) {
  return result.report.campaigns.find((c) => c.id === id);
}

describe("docs/attribution.md worked examples", () => {
  it("example 1: a purchase 10 hours after the click goes to campaign A", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T20:00:00Z",
      total: "100.00",
      email: ALICE,
    });
    const r = attributeOrder(o, buildMessages(m1), settings);
    expect(r).toMatchObject({
      attributed: true,
      campaignId: "A",
      messageId: "m1",
      eventType: "clicked",
    });
    const all = attributeAll([o], m1, [], settings, NOVEMBER);
    expect(campaignRow(all, "A")).toMatchObject({
      purchases: 1,
      gross: "100.00",
      refunded: "0.00",
      revenue: "100.00",
    });
    expect(all.report.summary).toMatchObject({
      purchases: 1,
      revenue: "100.00",
      store_revenue: "100.00",
    });
    expect(explain(r, settings)).toBe(
      "Attributed to campaign “Campaign A” (email): the recipient clicked the message on 2026-11-01 10:00 UTC, " +
        "10 hours before the purchase; the click connects a sale within 24 hours.",
    );
  });

  it("example 2: one second past the 24-hour window is unattributed", () => {
    const o = order({
      id: "o1",
      at: "2026-11-02T10:00:01Z",
      total: "100.00",
      email: ALICE,
    });
    const r = attributeOrder(o, buildMessages(m1), settings);
    expect(r).toMatchObject({ attributed: false, reason: "outside_window" });
    // exactly at the end of the window still counts (both ends included)
    const edge = order({
      id: "o2",
      at: "2026-11-02T10:00:00Z",
      total: "100.00",
      email: ALICE,
    });
    expect(attributeOrder(edge, buildMessages(m1), settings)).toMatchObject({
      attributed: true,
      campaignId: "A",
    });
    const all = attributeAll([o], m1, [], settings, NOVEMBER);
    expect(all.report.summary).toMatchObject({
      purchases: 0,
      revenue: "0.00",
      store_revenue: "100.00",
    });
  });

  it("example 3: the latest sent qualifying message wins (campaign B)", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T14:00:00Z",
      total: "50.00",
      email: ALICE,
    });
    const r = attributeOrder(o, buildMessages([...m1, ...m2()]), settings);
    expect(r).toMatchObject({
      attributed: true,
      campaignId: "B",
      messageId: "m2",
    });
    const all = attributeAll([o], [...m1, ...m2()], [], settings, NOVEMBER);
    expect(campaignRow(all, "B")).toMatchObject({
      purchases: 1,
      revenue: "50.00",
    });
    expect(campaignRow(all, "A")).toMatchObject({
      purchases: 0,
      revenue: "0.00",
      sent: 1,
      clicked: 1,
    });
    expect(all.report.summary).toMatchObject({
      campaigns: 2,
      campaigns_with_revenue: 1,
      purchases: 1,
    });
  });

  it("example 4: a message tagged Password-Reset never earns a sale (campaign A)", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T14:00:00Z",
      total: "50.00",
      email: ALICE,
    });
    const r = attributeOrder(o, buildMessages([...m1, ...m2(["Password-Reset"])]), settings);
    expect(r).toMatchObject({
      attributed: true,
      campaignId: "A",
      messageId: "m1",
    });
    // and alone, the tagged message leaves the order unattributed with the reason
    const alone = attributeOrder(o, buildMessages(m2(["Password-Reset"])), settings);
    expect(alone).toMatchObject({
      attributed: false,
      reason: "excluded_tag",
      excludedTags: ["password-reset"],
    });
  });

  it("example 5: refunds lower revenue and are capped at gross", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T20:00:00Z",
      total: "100.00",
      email: ALICE,
    });
    const one = attributeAll([o], m1, [refund("r1", "o1", "30.00")], settings, NOVEMBER);
    expect(campaignRow(one, "A")).toMatchObject({
      purchases: 1,
      gross: "100.00",
      refunded: "30.00",
      revenue: "70.00",
    });
    const two = attributeAll([o], m1, [refund("r1", "o1", "30.00"), refund("r2", "o1", "90.00")], settings, NOVEMBER);
    expect(campaignRow(two, "A")).toMatchObject({
      purchases: 1,
      gross: "100.00",
      refunded: "100.00",
      revenue: "0.00",
      average_check: "0.00",
    });
    expect(two.report.summary).toMatchObject({
      purchases: 1,
      refunded: "100.00",
      revenue: "0.00",
    });
  });

  it("example 6: an order in EUR is not counted anywhere", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T20:00:00Z",
      total: "100.00",
      email: ALICE,
      currency: "EUR",
    });
    const r = attributeOrder(o, buildMessages(m1), settings);
    expect(r).toMatchObject({ attributed: false, reason: "other_currency" });
    expect(explain(r, settings)).toBe("Not counted: the order is in EUR, and only orders in USD count.");
    const all = attributeAll([o], m1, [], settings, NOVEMBER);
    expect(all.report.summary).toMatchObject({
      purchases: 0,
      gross: "0.00",
      store_revenue: "0.00",
    });
    expect(campaignRow(all, "A")).toMatchObject({ purchases: 0 });
  });

  it("example 7: a click that arrives after the order moves it to campaign A once ingested", () => {
    const o = order({
      id: "o1",
      at: "2026-11-01T20:00:00Z",
      total: "100.00",
      email: ALICE,
    });
    const before = attributeAll([o], [m1[0]], [], settings, NOVEMBER);
    expect(before.orders[0]).toMatchObject({
      attributed: false,
      reason: "outside_window",
    });
    const after = attributeAll([o], [m1[0], m1[1]], [], settings, NOVEMBER);
    expect(after.orders[0]).toMatchObject({
      attributed: true,
      campaign_id: "A",
    });
    expect(attributeAll([o], [m1[1], m1[0]], [], settings, NOVEMBER)).toEqual(after);
  });

  it("example 8: SMS to +1 (555) 010-0000 matches an order with phone +15550100000", () => {
    const sms = [
      ev({
        type: "sent",
        at: "2026-11-01T09:00:00Z",
        campaign: "C",
        message: "m3",
        channel: "sms",
        phone: "+1 (555) 010-0000",
      }),
      ev({
        type: "clicked",
        at: "2026-11-01T09:00:00Z",
        campaign: "C",
        message: "m3",
        channel: "sms",
        phone: "+1 (555) 010-0000",
      }),
    ];
    const o = order({
      id: "o1",
      at: "2026-11-01T09:30:00Z",
      total: "20.00",
      phone: "+15550100000",
    });
    expect(attributeOrder(o, buildMessages(sms), settings)).toMatchObject({
      attributed: true,
      campaignId: "C",
      channel: "sms",
    });
    const all = attributeAll([o], sms, [], settings, NOVEMBER);
    expect(campaignRow(all, "C")).toMatchObject({
      purchases: 1,
      revenue: "20.00",
      channel: "sms",
    });
  });
});
