import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePostmark, verifyPostmarkBasicAuth, verifyPostmarkRequest } from "~/ingest/postmark";
import { at } from "../../support/at";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");

function parseOk(body: string, query?: Record<string, string>) {
  const r = parsePostmark({ rawBody: body, query });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  expect(r.events).toHaveLength(1);
  return at(r.events, 0);
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("Postmark basic auth", () => {
  const creds = { username: "hook", password: "s3cr:et" };
  it("accepts the configured credentials", () => {
    expect(verifyPostmarkBasicAuth(basic("hook", "s3cr:et"), creds)).toBe(true);
    expect(verifyPostmarkBasicAuth(`basic   ${Buffer.from("hook:s3cr:et").toString("base64")}`, creds)).toBe(true);
    expect(verifyPostmarkRequest({ authorization: basic("hook", "s3cr:et") }, creds)).toBe(true);
  });
  it("refuses anything else", () => {
    expect(verifyPostmarkBasicAuth(basic("hook", "s3cr:eT"), creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(basic("Hook", "s3cr:et"), creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(basic("hook", "s3cr:et "), creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(basic("hook", ""), creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(`Bearer ${Buffer.from("hook:s3cr:et").toString("base64")}`, creds)).toBe(false);
    expect(verifyPostmarkBasicAuth("Basic", creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(`Basic ${Buffer.from("nocolon").toString("base64")}`, creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(undefined, creds)).toBe(false);
    expect(verifyPostmarkRequest({}, creds)).toBe(false);
    expect(verifyPostmarkBasicAuth(basic("", ""), { username: "", password: "" })).toBe(false);
  });
});

describe("Postmark events", () => {
  it("maps every RecordType fixture", () => {
    const common = {
      channel: "email",
      source: "postmark",
      occurredAt: new Date("2025-04-05T16:33:54.907Z"),
      messageId: "883953f4-6105-42a2-a16a-77a8eac79483",
      recipient: { email: "john@example.com" },
      campaignId: "postmark:uncategorized",
      machine: false,
    };
    expect(parseOk(fx("postmark-delivery.json"))).toMatchObject({
      ...common,
      type: "delivered",
      tags: ["welcome-email"],
    });
    expect(parseOk(fx("postmark-open.json"))).toMatchObject({ ...common, type: "opened", tags: ["welcome-email"] });
    expect(parseOk(fx("postmark-bounce.json"))).toMatchObject({
      ...common,
      type: "bounced",
      externalId: "postmark:42",
    });
    expect(parseOk(fx("postmark-spamcomplaint.json"))).toMatchObject({
      ...common,
      type: "complained",
      externalId: "postmark:42",
    });
    expect(parseOk(fx("postmark-subscriptionchange.json"))).toMatchObject({
      ...common,
      type: "unsubscribed",
      tags: ["newsletter"],
    });
  });

  it("maps the legacy shapes without RecordType", () => {
    expect(parseOk(fx("postmark-bounce-postmarkapp-email-webhooks-page.json"))).toMatchObject({
      type: "bounced",
      externalId: "postmark:42",
      occurredAt: new Date("2014-08-01T17:28:10.273Z"),
      recipient: { email: "john@example.com" },
      tags: ["Test"],
    });
    expect(parseOk(fx("postmark-delivery-support-article-1067.json"))).toMatchObject({
      type: "delivered",
      occurredAt: new Date("2016-12-01T20:41:45Z"),
      recipient: { email: "recipeint@example.com" },
      messageId: "a94dfe84-8ab9-43cf-8a1c-ac234c296e25",
      tags: ["Your Tag"],
    });
  });

  it("derives stable dedup keys for non-bounce events", () => {
    const a = parseOk(fx("postmark-open.json"));
    const b = parseOk(fx("postmark-open.json"));
    const d = parseOk(fx("postmark-delivery.json"));
    expect(a.externalId).toMatch(/^postmark:[0-9a-f]{40}$/);
    expect(a.externalId).toBe(b.externalId);
    expect(a.externalId).not.toBe(d.externalId);
    const later = parseOk(fx("postmark-open.json").replace("2025-04-05T16:33:54.9070259Z", "2025-04-05T17:00:00Z"));
    expect(later.externalId).not.toBe(a.externalId);
  });

  it("reads clicks, Metadata campaign fields, the query fallback and resubscriptions", () => {
    const click = {
      RecordType: "Click",
      MessageStream: "outbound",
      ClickLocation: "HTML",
      OriginalLink: "https://shop.example/p?cr_mid=m-77",
      MessageID: "00000000-aaaa-bbbb-cccc-000000000000",
      Recipient: "john@example.com",
      ReceivedAt: "2025-04-05T16:40:00Z",
      Tag: "promo",
      Metadata: { campaign_id: "spring", campaign_name: "Spring", message_id: "m-1" },
    };
    expect(parseOk(JSON.stringify(click))).toMatchObject({
      type: "clicked",
      campaignId: "spring",
      campaignName: "Spring",
      messageId: "m-1",
      url: click.OriginalLink,
    });
    expect(parseOk(JSON.stringify({ ...click, Metadata: {} }), { campaign_id: "q" })).toMatchObject({
      campaignId: "q",
      messageId: click.MessageID,
    });
    const resub = JSON.parse(fx("postmark-subscriptionchange.json"));
    expect(parseOk(JSON.stringify({ ...resub, SuppressSending: false })).type).toBe("resubscribed");
  });

  it("reports bad fields by path", () => {
    expect(
      parsePostmark({
        rawBody: JSON.stringify({ RecordType: "Delivery", Recipient: "a@b.c", DeliveredAt: "2025-02-30T00:00:00Z" }),
      }),
    ).toEqual({
      ok: false,
      errors: [{ path: "DeliveredAt", message: "day does not exist in that month" }],
    });
    expect(
      parsePostmark({ rawBody: JSON.stringify({ RecordType: "Bounce", BouncedAt: "2025-01-01T00:00:00Z" }) }),
    ).toEqual({
      ok: false,
      errors: [{ path: "Email", message: "is required" }],
    });
    expect(parsePostmark({ rawBody: "{}" })).toEqual({
      ok: false,
      errors: [{ path: "RecordType", message: "is required" }],
    });
    expect(parsePostmark({ rawBody: "[]" }).ok).toBe(false);
  });
});
