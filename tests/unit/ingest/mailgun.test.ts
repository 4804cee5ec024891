import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { computeMailgunSignature, parseMailgun, verifyMailgunRequest, verifyMailgunSignature } from "~/ingest/mailgun";
import { at } from "../../support/at";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");
const vector = JSON.parse(fx("mailgun-signature-vector.json"));
const KEY: string = vector.signing_key;

/** A webhook body around a published event-data sample (the samples are the inner object only). */
const wrap = (eventData: string) =>
  `{"signature": {"timestamp": "1529006854", "token": "t", "signature": "s"}, "event-data": ${eventData}}`;

/**
 * TEST-ONLY REPAIR of the `.txt` samples that Mailgun's docs publish as invalid JSON (trailing commas): the trailing
 * comma before a closing brace is removed; nothing else changes.
 */
const repairTrailingCommas = (text: string) => text.replace(/,(\s*[}\]])/g, "$1");

function parseOk(body: string, query?: Record<string, string>) {
  const r = parseMailgun({ rawBody: body, query });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  expect(r.events).toHaveLength(1);
  return at(r.events, 0);
}

describe("Mailgun signature", () => {
  it("verifies the published good vector", async () => {
    expect(computeMailgunSignature(KEY, String(vector.good.timestamp), vector.good.token)).toBe(vector.good.signature);
    expect(await verifyMailgunSignature(vector.good, KEY)).toEqual({ ok: true });
    // timestamp as a JSON number from a parsed body works too
    const body = JSON.stringify({ signature: vector.good, "event-data": {} });
    expect(await verifyMailgunRequest({ rawBody: body }, KEY)).toEqual({ ok: true });
  });

  it("refuses the bad vector, a wrong key, tampering and garbage", async () => {
    expect(await verifyMailgunSignature(vector.bad, KEY)).toEqual({ ok: false, reason: "signature" });
    expect(await verifyMailgunSignature(vector.good, "key-wrong")).toEqual({ ok: false, reason: "signature" });
    expect(await verifyMailgunSignature({ ...vector.good, timestamp: vector.good.timestamp + 1 }, KEY)).toEqual({
      ok: false,
      reason: "signature",
    });
    expect(
      await verifyMailgunSignature({ ...vector.good, signature: vector.good.signature.slice(0, -1) }, KEY),
    ).toEqual({ ok: false, reason: "signature" });
    expect(await verifyMailgunSignature({ ...vector.good, token: 5 }, KEY)).toEqual({ ok: false, reason: "malformed" });
    expect(await verifyMailgunSignature(null, KEY)).toEqual({ ok: false, reason: "malformed" });
    expect(await verifyMailgunRequest({ rawBody: "{" }, KEY)).toEqual({ ok: false, reason: "malformed" });
  });

  it("applies the timestamp tolerance when asked", async () => {
    const at = new Date(vector.good.timestamp * 1000);
    expect(
      await verifyMailgunSignature(vector.good, KEY, { toleranceSeconds: 15, now: new Date(at.getTime() + 15_000) }),
    ).toEqual({ ok: true });
    expect(
      await verifyMailgunSignature(vector.good, KEY, { toleranceSeconds: 15, now: new Date(at.getTime() + 16_000) }),
    ).toEqual({ ok: false, reason: "timestamp" });
    expect(await verifyMailgunSignature(vector.good, KEY, { toleranceSeconds: 15 })).toEqual({
      ok: false,
      reason: "timestamp",
    });
  });

  it("consults the seenToken hook for replays, only for valid signatures", async () => {
    const seen = new Set<string>();
    const seenToken = async (t: string) => {
      const had = seen.has(t);
      seen.add(t);
      return had;
    };
    expect(await verifyMailgunSignature(vector.bad, KEY, { seenToken })).toEqual({ ok: false, reason: "signature" });
    expect(seen.size).toBe(0);
    expect(await verifyMailgunSignature(vector.good, KEY, { seenToken })).toEqual({ ok: true });
    expect(await verifyMailgunSignature(vector.good, KEY, { seenToken })).toEqual({ ok: false, reason: "replay" });
  });

  it("cannot verify the docs' envelope sample (key not published)", async () => {
    const repaired = fx("mailgun-webhook-envelope-opened.txt")
      .replace(/[“”]/g, '"')
      .replace(/}\s*\n(\s*)"event-data"/, '},\n$1"event-data"')
      .replace(/,\s*\/\/ \.\.\.\s*/, "\n");
    expect(await verifyMailgunRequest({ rawBody: repaired }, KEY)).toEqual({ ok: false, reason: "signature" });
  });
});

describe("Mailgun events", () => {
  it("maps delivered", () => {
    const e = parseOk(wrap(fx("mailgun-event-data-delivered.json")));
    expect(e).toEqual({
      externalId: "hK7mQVt1QtqRiOfQXta4sw",
      type: "delivered",
      channel: "email",
      occurredAt: new Date(1529692199626),
      campaignId: "mailgun:uncategorized",
      campaignName: null,
      messageId: "20180622182958.1.48906CB188F1A454@exmple.org",
      recipient: { email: "john@example.com" },
      tags: [],
      url: null,
      machine: false,
      source: "mailgun",
    });
  });

  it("maps permanent failures to bounced, temporary ones to failed", () => {
    expect(parseOk(wrap(fx("mailgun-event-data-failed-permanent.json")))).toMatchObject({
      type: "bounced",
      externalId: "pl271FzxTTmGRW8Uj3dUWw",
      recipient: { email: "slava@mailgun.com" },
      occurredAt: new Date(1529701969818),
    });
    expect(parseOk(wrap(fx("mailgun-event-data-failed-temporary.json")))).toMatchObject({
      type: "failed",
      externalId: "xYrATi63Rke8EC_s7EoJeA",
      messageId: "20221006142837.1618e01bf42da9fa@test.com",
    });
  });

  it("accepts a bare event-data object too", () => {
    expect(parseOk(fx("mailgun-event-data-delivered.json")).type).toBe("delivered");
  });

  for (const [file, type, id] of [
    ["mailgun-event-data-opened.txt", "opened", "-laxIqj9QWubsjY_3pTq_g"],
    ["mailgun-event-data-clicked.txt", "clicked", "G5zMz2ysS6OxZ2C8xb2Tqg"],
    ["mailgun-event-data-unsubscribed.txt", "unsubscribed", "W3X4JOhFT-OZidZGKKr9iA"],
    ["mailgun-event-data-complained.txt", "complained", "ncV2XwymRUKbPek_MIM-Gw"],
  ] as const) {
    it(`${file}: refused as published (invalid JSON), parsed after a test-only trailing-comma repair`, () => {
      const asPublished = parseMailgun({ rawBody: wrap(fx(file)) });
      expect(asPublished.ok).toBe(false);
      if (!asPublished.ok)
        expect(asPublished.errors).toEqual([{ path: "", message: expect.stringMatching(/^invalid JSON/) }]);
      const e = parseOk(wrap(repairTrailingCommas(fx(file))));
      expect(e).toMatchObject({ type, externalId: id, channel: "email", machine: false, source: "mailgun" });
      expect(e.messageId).toMatch(/@/);
    });
  }

  it("keeps the float timestamp exact to the millisecond and reads click urls", () => {
    const e = parseOk(wrap(repairTrailingCommas(fx("mailgun-event-data-clicked.txt"))));
    expect(e.occurredAt.toISOString()).toBe(new Date(1377075564094).toISOString());
    expect(e.url).toBe("http://example.com/signup");
  });

  it("the envelope sample: refused as published; after repair, names the missing field", () => {
    const raw = fx("mailgun-webhook-envelope-opened.txt");
    const asPublished = parseMailgun({ rawBody: raw });
    expect(asPublished.ok).toBe(false);
    if (!asPublished.ok) expect(asPublished.errors[0]?.message).toMatch(/^invalid JSON/);
    // test-only repair: curly quotes -> straight, the missing comma added, the `// ...` placeholder dropped
    const repaired = raw
      .replace(/[“”]/g, '"')
      .replace(/}\s*\n(\s*)"event-data"/, '},\n$1"event-data"')
      .replace(/,\s*\/\/ \.\.\.\s*/, "\n");
    const r = parseMailgun({ rawBody: repaired });
    expect(r).toEqual({ ok: false, errors: [{ path: "event-data.recipient", message: "is required" }] });
  });

  it("reads user-variables, tags, the bot flag and the query fallback", () => {
    const data = {
      event: "opened",
      id: "x1",
      timestamp: 1652883435.279025,
      recipient: "bot@apple.com",
      tags: ["newsletter", "spring"],
      "user-variables": { campaign_id: "c-9", campaign_name: "Spring", message_id: 123 },
      "client-info": { bot: "apple" },
      message: { headers: { "message-id": "abc@mg.example" } },
    };
    const e = parseOk(JSON.stringify({ "event-data": data }));
    expect(e).toMatchObject({
      campaignId: "c-9",
      campaignName: "Spring",
      messageId: "123",
      machine: true,
      tags: ["newsletter", "spring"],
    });
    const human = parseOk(
      JSON.stringify({ "event-data": { ...data, "user-variables": {}, "client-info": { bot: "" } } }),
      { campaign_id: "q-1" },
    );
    expect(human).toMatchObject({ campaignId: "q-1", messageId: "abc@mg.example", machine: false });
    const accepted = parseOk(JSON.stringify({ "event-data": { ...data, event: "accepted" } }));
    expect(accepted.type).toBe("sent");
  });

  it("reports bad fields by path", () => {
    const r = parseMailgun({
      rawBody: JSON.stringify({ "event-data": { event: "delivered", timestamp: "yesterday", recipient: "a@b.c" } }),
    });
    expect(r).toEqual({ ok: false, errors: [{ path: "event-data.timestamp", message: "is not a unix timestamp" }] });
    const huge = parseMailgun({
      rawBody: '{"event-data": {"event": "delivered", "timestamp": 1e400, "recipient": "a@b.c"}}',
    });
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.errors[0]?.path).toBe("event-data.timestamp");
    expect(parseMailgun({ rawBody: '{"event-data": 5}' }).ok).toBe(false);
    expect(parseMailgun({ rawBody: '{"signature": {}}' })).toEqual({
      ok: false,
      errors: [{ path: "event-data", message: "is required" }],
    });
  });
});
