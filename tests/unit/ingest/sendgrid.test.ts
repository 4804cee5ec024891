import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSendgrid, sendgridMessageId, verifySendgridRequest, verifySendgridSignature } from "~/ingest/sendgrid";
import { at } from "../../support/at";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");
const fxBytes = (name: string) => readFileSync(path.join(DIR, name));
const vectors = JSON.parse(fx("sendgrid-signature-vectors.json"));

function parseOk(name: string, query?: Record<string, string>) {
  const r = parseSendgrid({ rawBody: fxBytes(name), query });
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  return r.events;
}

describe("SendGrid signature", () => {
  it("verifies the published single-event and multi-event vectors (exact bytes, trailing CRLF)", () => {
    const single = vectors.single_event;
    expect(
      verifySendgridSignature(single.public_key, fxBytes(single.payload_file), single.signature, single.timestamp),
    ).toBe(true);
    const multi = vectors.multiple_events;
    expect(
      verifySendgridSignature(multi.public_key, fxBytes(multi.payload_file), multi.signature, multi.timestamp),
    ).toBe(true);
    expect(fx(multi.payload_file)).toContain("},\r\n{");
  });

  it("verifies from request headers", () => {
    const s = vectors.single_event;
    const req = {
      rawBody: fxBytes(s.payload_file),
      headers: {
        "x-twilio-email-event-webhook-signature": s.signature,
        "x-twilio-email-event-webhook-timestamp": s.timestamp,
      },
    };
    expect(verifySendgridRequest(req, s.public_key)).toBe(true);
    expect(verifySendgridRequest({ ...req, headers: {} }, s.public_key)).toBe(false);
  });

  it("refuses every negative vector", () => {
    const s = vectors.single_event;
    const neg = vectors.negative_cases;
    const body = fxBytes(s.payload_file);
    expect(verifySendgridSignature(neg.wrong_public_key, body, s.signature, s.timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, body, neg.tampered_signature, s.timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, body, s.signature, neg.bad_timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, neg.bad_payload, s.signature, s.timestamp)).toBe(false);
    // without the trailing CRLF the bytes differ
    expect(verifySendgridSignature(s.public_key, fx(s.payload_file).trimEnd(), s.signature, s.timestamp)).toBe(false);
    // the other vector's key, signature swapped
    expect(verifySendgridSignature(vectors.multiple_events.public_key, body, s.signature, s.timestamp)).toBe(false);
    // garbage never throws
    expect(verifySendgridSignature("not-a-key", body, s.signature, s.timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, body, "!!!", s.timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, body, null, s.timestamp)).toBe(false);
    expect(verifySendgridSignature(s.public_key, body, s.signature, undefined)).toBe(false);
  });

  it("applies a timestamp tolerance only when asked", () => {
    const s = vectors.single_event;
    const body = fxBytes(s.payload_file);
    const at = new Date(Number(s.timestamp) * 1000);
    expect(verifySendgridSignature(s.public_key, body, s.signature, s.timestamp, { maxAgeSeconds: 300, now: at })).toBe(
      true,
    );
    expect(
      verifySendgridSignature(s.public_key, body, s.signature, s.timestamp, {
        maxAgeSeconds: 300,
        now: new Date(at.getTime() + 301_000),
      }),
    ).toBe(false);
  });
});

describe("SendGrid events", () => {
  it("strips the .filter suffix so processed/delivered/open/click share one message id", () => {
    expect(sendgridMessageId("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0", null)).toBe(
      "14c5d75ce93.dfd.64b469",
    );
    expect(sendgridMessageId("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000", null)).toBe(
      "14c5d75ce93.dfd.64b469",
    );
    expect(sendgridMessageId(null, "<14c5d75ce93.dfd.64b469@ismtpd-555>")).toBe("14c5d75ce93.dfd.64b469");
    expect(sendgridMessageId(null, "")).toBe(null);
    const ids = [
      "processed",
      "delivered",
      "open",
      "click",
      "bounce",
      "dropped",
      "deferred",
      "spamreport",
      "unsubscribe",
      "group_unsubscribe",
      "group_resubscribe",
      "blocked",
    ].map((n) => at(parseOk(`sendgrid-${n}.json`), 0).messageId);
    expect(new Set(ids)).toEqual(new Set(["14c5d75ce93.dfd.64b469"]));
  });

  it("maps every event fixture", () => {
    const expected: Record<string, string> = {
      processed: "sent",
      delivered: "delivered",
      open: "opened",
      click: "clicked",
      bounce: "bounce",
      blocked: "blocked",
      dropped: "dropped",
      deferred: "deferred",
      spamreport: "spamreport",
      unsubscribe: "unsubscribe",
      group_unsubscribe: "group_unsubscribe",
      group_resubscribe: "group_resubscribe",
    };
    for (const [file, type] of Object.entries(expected)) {
      const e = at(parseOk(`sendgrid-${file}.json`), 0);
      expect(e, file).toMatchObject({
        type,
        channel: "email",
        source: "sendgrid",
        occurredAt: new Date(1513299569 * 1000),
        recipient: { email: "example@test.com" },
        tags: ["cat facts"],
        campaignId: "sendgrid:uncategorized",
        campaignName: null,
        machine: false,
      });
      expect(e.externalId, file).toMatch(/==$/);
    }
    expect(at(parseOk("sendgrid-click.json"), 0).url).toBe("http://www.sendgrid.com/");
    expect(at(parseOk("sendgrid-processed.json"), 0).externalId).toBe("rbtnWrG1DVDGGGFHFyun0A==");
  });

  it("reads category arrays, a single-object body, native marketing campaigns and ip pools", () => {
    const two = parseOk("sendgrid-open-category-array.json");
    expect(two.map((e) => e.tags)).toEqual([["newuser", "transactional"], ["olduser"]]);
    expect(two.map((e) => e.externalId)).toEqual([null, null]);
    expect(at(two, 0).messageId).toBe(null);

    const [mc] = parseOk("sendgrid-processed-marketing-campaign.json");
    expect(mc).toMatchObject({
      type: "sent",
      campaignId: "12345",
      campaignName: "campaign name",
      messageId: "sendgrid_internal_message_id",
      tags: [],
    });

    const [pool] = parseOk("sendgrid-processed-ip-pool.json");
    expect(pool).toMatchObject({
      type: "sent",
      messageId: "14c583da911.2c36.1c804d",
      externalId: "RHFZB1IrTD2Y9Q7bUdZxUw",
    });
  });

  it("reads custom args flattened into the event, then the ingest URL's query", () => {
    const [full] = parseOk("sendgrid-click-full.json");
    expect(full).toMatchObject({
      type: "clicked",
      tags: ["category1", "category2"],
      campaignId: "sendgrid:uncategorized",
      url: "http://yourdomain.com/blog/news.html",
    });
    const [q] = parseOk("sendgrid-click-unique-args.json", { campaign_id: "spring", campaign_name: "Spring sale" });
    expect(q).toMatchObject({
      campaignId: "spring",
      campaignName: "Spring sale",
      messageId: "sendgrid_internal_message_id",
      recipient: { email: "john.doe@sendgrid.com" },
    });

    const body = JSON.stringify([
      {
        email: "a@b.c",
        timestamp: 1700000000,
        event: "click",
        campaign_id: 987,
        campaign_name: "Black Friday",
        message_id: "m-1",
        marketing_campaign_id: 5,
        url: "https://s.example/?cr_mid=zzz",
        sg_machine_open: false,
      },
      {
        email: "a@b.c",
        timestamp: 1700000000123,
        event: "open",
        sg_machine_open: true,
        singlesend_id: "ss-1",
        singlesend_name: "Single",
      },
      { email: "a@b.c", timestamp: 1700000000, event: "click", url: "https://s.example/?cr_mid=zzz" },
    ]);
    const r = parseSendgrid({ rawBody: body, url: "https://app.example/ingest/sendgrid/tok?campaign_id=fromquery" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({
      campaignId: "987",
      campaignName: "Black Friday",
      messageId: "m-1",
      machine: false,
    });
    expect(r.events[1]).toMatchObject({
      campaignId: "fromquery",
      campaignName: null,
      machine: true,
      occurredAt: new Date(1700000000123),
    });
    expect(r.events[2]).toMatchObject({ campaignId: "fromquery", messageId: "zzz" });
  });

  it("parses the signed vectors' payloads", () => {
    const [dropped] = parseOk("sendgrid-signed-dropped.json");
    expect(dropped).toMatchObject({
      type: "dropped",
      messageId: "LRzXl_NHStOGhQ4kofSm_A",
      recipient: { email: "hello@world.com" },
    });
    const pb = parseOk("sendgrid-signed-processed-bounce.json");
    expect(pb.map((e) => [e.type, e.messageId])).toEqual([
      ["sent", "qNwBLgPQQjW6DJvKQwSAbw"],
      ["blocked", "qNwBLgPQQjW6DJvKQwSAbw"],
    ]);
  });

  it("refuses bad payloads with paths", () => {
    const r = parseSendgrid({
      rawBody: JSON.stringify([
        { event: "open", email: "a@b.c", timestamp: 1700000000 },
        { event: "open", timestamp: "soon" },
        5,
      ]),
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toEqual(["[1].email", "[1].timestamp", "[2]"]);
    expect(parseSendgrid({ rawBody: "not json" }).ok).toBe(false);
    expect(parseSendgrid({ rawBody: '"x"' }).ok).toBe(false);
  });
});
