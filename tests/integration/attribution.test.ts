import { describe, expect, it } from "vitest";
import {
  EXAMPLE_SETTINGS,
  emailSendAndClick,
  newShop,
  postEvents,
  postOrders,
  storedAttributions,
} from "../support/attribution";
import { settled } from "../support/api";

describe("attribution engine (incremental)", () => {
  it("worked example 1: a click then an order by the same email earns campaign A", async () => {
    const shop = await newShop(EXAMPLE_SETTINGS);
    await postEvents(
      shop,
      emailSendAndClick({ campaign: "A", message: "m1", email: "Alice@Example.com ", sent: "2026-11-01T09:00:00Z", clicked: "2026-11-01T10:00:00Z" }),
    );
    await postOrders(shop, [
      { id: "1001", processed_at: "2026-11-01T20:00:00Z", currency: "USD", total_price: "100.00", email: "alice@example.com" },
    ]);
    await settled(shop.shopId);
    const rows = await storedAttributions(shop.shopId);
    expect(rows["1001"]).toMatchObject({
      counted: true,
      reason: null,
      campaign_id: "A",
      message_id: "m1",
      channel: "email",
      event_type: "clicked",
      gross: "100.0000",
      refunded: "0.0000",
      linked_by: "identity",
    });
  });
});
