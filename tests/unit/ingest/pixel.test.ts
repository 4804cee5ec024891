import { describe, expect, it } from "vitest";
import {
  UNKNOWN_MESSAGE_CAMPAIGN,
  normalizeOrderId,
  parsePixelCheckout,
  pixelClickEvent,
} from "../../../app/ingest/pixel";
import { pixelToken, verifyPixelToken } from "../../../app/pixel/token.server";

const good = {
  shop: "Alpha.myshopify.com",
  order_id: "gid://shopify/Order/820982911946154508",
  checkout_token: "chk",
  message_id: "msg-1",
  landed_at: "2026-11-01T10:00:00Z",
  occurred_at: "2026-11-01T10:09:00Z",
};

describe("parsePixelCheckout", () => {
  it("maps a pixel post; order gids become the webhook id", () => {
    const r = parsePixelCheckout(JSON.stringify(good));
    expect(r.ok && r.checkout).toEqual({
      shop: "alpha.myshopify.com",
      orderId: "820982911946154508",
      checkoutToken: "chk",
      messageId: "msg-1",
      landedAt: new Date("2026-11-01T10:00:00Z"),
      occurredAt: new Date("2026-11-01T10:09:00Z"),
    });
    expect(normalizeOrderId("gid://shopify/OrderIdentity/42")).toBe("42");
    expect(normalizeOrderId("77")).toBe("77");
  });

  it("names every bad field", () => {
    const r = parsePixelCheckout(
      JSON.stringify({ shop: "evil.com", order_id: "gid://shopify/Product/1", landed_at: "yesterday" }),
    );
    expect(r.ok).toBe(false);
    const paths = !r.ok ? r.errors.map((e) => e.path).sort() : [];
    expect(paths).toEqual(["checkout_token", "landed_at", "message_id", "occurred_at", "order_id", "shop"]);
  });

  it("refuses a landing after the checkout, and non-JSON", () => {
    const r = parsePixelCheckout(JSON.stringify({ ...good, landed_at: "2026-11-01T11:00:00Z" }));
    expect(!r.ok && r.errors[0]!.path).toBe("landed_at");
    expect(parsePixelCheckout("nope").ok).toBe(false);
  });
});

describe("pixelClickEvent", () => {
  const parsed = parsePixelCheckout(JSON.stringify(good));
  if (!parsed.ok) throw new Error(`the good checkout must parse: ${JSON.stringify(parsed.errors)}`);
  const checkout = parsed.checkout;

  it("is a clicked event of the message at the landing, deduplicated per (order, message)", () => {
    const e = pixelClickEvent(
      checkout,
      { campaignId: "A", campaignName: "Autumn", channel: "sms" },
      new Date("2026-11-01T10:09:01Z"),
    );
    expect(e).toMatchObject({
      externalId: "820982911946154508:msg-1",
      type: "clicked",
      channel: "sms",
      campaignId: "A",
      messageId: "msg-1",
      source: "pixel",
      occurredAt: new Date("2026-11-01T10:00:00Z"),
    });
  });

  it("uses the placeholder campaign for a message not seen yet", () => {
    expect(pixelClickEvent(checkout, null, new Date("2026-11-01T10:09:01Z")).campaignId).toBe(UNKNOWN_MESSAGE_CAMPAIGN);
  });

  it("takes a fast visitor clock's lead off the landing time", () => {
    // the visitor's clock is 5 minutes ahead: checkout at 10:09 (their clock) arrives at 10:04 (ours)
    const e = pixelClickEvent(checkout, null, new Date("2026-11-01T10:04:00Z"));
    expect(e.occurredAt).toEqual(new Date("2026-11-01T09:55:00Z"));
  });
});

describe("pixel token", () => {
  it("verifies its own shop only", () => {
    const t = pixelToken(12n, "s3cret");
    expect(verifyPixelToken(t, "s3cret")).toBe(12n);
    expect(verifyPixelToken(t.replace(/^12\./, "13."), "s3cret")).toBeNull();
    expect(verifyPixelToken(t, "other")).toBeNull();
    expect(verifyPixelToken("garbage", "s3cret")).toBeNull();
  });
});
