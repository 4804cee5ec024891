import { describe, expect, it } from "vitest";
import { makeEvent } from "../../../app/ingest/common";

const base = {
  externalId: "e1",
  channel: "email" as const,
  occurredAt: new Date("2026-11-01T10:00:00Z"),
  campaignId: "A",
  campaignName: null,
  recipient: { email: "a@x.com" },
  source: "sendgrid" as const,
};

describe("the shared event builder", () => {
  it("names a click's message from the tracked link (cr_mid) when the event names none", () => {
    const e = makeEvent({ ...base, type: "clicked", messageId: null, url: "https://shop.example/p?cr_mid=m-7&x=1" });
    expect(e.messageId).toBe("m-7");
  });

  it("keeps the event's own message id, and reads no link of other event types", () => {
    const url = "https://shop.example/?cr_mid=m-7";
    expect(makeEvent({ ...base, type: "clicked", messageId: "own", url }).messageId).toBe("own");
    expect(makeEvent({ ...base, type: "opened", messageId: null, url }).messageId).toBeNull();
    expect(makeEvent({ ...base, type: "clicked", messageId: null, url: "https://shop.example/" }).messageId).toBeNull();
  });
});
