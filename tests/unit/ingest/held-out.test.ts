/**
 * Providers mark a control group through a custom field `held_out` (docs/holdouts.md): SendGrid custom args,
 * Mailgun user variables, Postmark metadata, SES message tags, a query parameter of the Twilio status-callback URL.
 * Such an event is stored as a `held_out` event of its campaign; without the field (or with a false value) it keeps
 * its own type.
 */
import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSendgrid } from "~/ingest/sendgrid";
import { parseMailgun } from "~/ingest/mailgun";
import { parsePostmark } from "~/ingest/postmark";
import { parseSes } from "~/ingest/ses";
import { parseTwilio } from "~/ingest/twilio";

const fx = (name: string) => readFileSync(path.join(PROVIDER_FIXTURES_DIR, name), "utf8");

function types(r: { ok: boolean; events?: { type: string; campaignId: string }[] }) {
  if (!r.ok || !r.events) throw new Error(JSON.stringify(r));
  return r.events.map((e) => `${e.campaignId}/${e.type}`);
}

describe("held_out through provider custom fields", () => {
  it("SendGrid: custom arg held_out", () => {
    const [ev] = JSON.parse(fx("sendgrid-processed.json"));
    const body = (extra: Record<string, unknown>) => JSON.stringify([{ ...ev, campaign_id: "C", ...extra }]);
    expect(types(parseSendgrid({ rawBody: body({ held_out: "true" }) }))).toEqual(["C/held_out"]);
    expect(types(parseSendgrid({ rawBody: body({ held_out: 1 }) }))).toEqual(["C/held_out"]);
    expect(types(parseSendgrid({ rawBody: body({ held_out: "false" }) }))).toEqual(["C/sent"]);
    expect(types(parseSendgrid({ rawBody: body({}) }))).toEqual(["C/sent"]);
  });

  it("Mailgun: user variable held_out", () => {
    const data = JSON.parse(fx("mailgun-event-data-delivered.json"));
    const body = (vars: Record<string, unknown>) =>
      JSON.stringify({ "event-data": { ...data, "user-variables": { campaign_id: "C", ...vars } } });
    expect(types(parseMailgun({ rawBody: body({ held_out: "yes" }) }))).toEqual(["C/held_out"]);
    expect(types(parseMailgun({ rawBody: body({}) }))).toEqual(["C/delivered"]);
  });

  it("Postmark: metadata held_out", () => {
    const ev = JSON.parse(fx("postmark-delivery.json"));
    const body = (meta: Record<string, unknown>) => JSON.stringify({ ...ev, Metadata: { campaign_id: "C", ...meta } });
    expect(types(parsePostmark({ rawBody: body({ held_out: "TRUE" }) }))).toEqual(["C/held_out"]);
    expect(types(parsePostmark({ rawBody: body({ held_out: "0" }) }))).toEqual(["C/delivered"]);
  });

  it("Amazon SES: message tag held_out (not kept as a tag)", () => {
    const rec = JSON.parse(fx("ses-sns-send.json"));
    const body = (tags: Record<string, string[]>) =>
      JSON.stringify({ ...rec, mail: { ...rec.mail, tags: { ...rec.mail.tags, campaign_id: ["C"], ...tags } } });
    const r = parseSes({ rawBody: body({ held_out: ["true"] }) });
    expect(types(r)).toEqual(["C/held_out"]);
    expect(r.ok && r.events[0]!.tags).not.toContain("true");
    expect(types(parseSes({ rawBody: body({}) }))).toEqual(["C/sent"]);
  });

  it("Twilio: held_out query parameter of the status-callback URL", () => {
    const form = new URLSearchParams({
      MessageSid: "SM0123456789abcdef0123456789abcdef",
      MessageStatus: "sent",
      To: "+15550100000",
    }).toString();
    const url = (q: string) => `https://app.example/ingest/twilio/tok?campaign_id=C${q}`;
    expect(types(parseTwilio({ rawBody: form, url: url("&held_out=true") }))).toEqual(["C/held_out"]);
    expect(types(parseTwilio({ rawBody: form, url: url("") }))).toEqual(["C/sent"]);
  });
});
