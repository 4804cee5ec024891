import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  computeTwilioSignature,
  parseRawDlrDoneDate,
  parseTwilio,
  twilioUrlVariants,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from "~/ingest/twilio";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");
const V = JSON.parse(fx("twilio-signature-vector.json"));
const FORM = fx("twilio-signature-vector-form-body.txt");

describe("Twilio signature", () => {
  it("verifies the basic vector from params and from the published form body", () => {
    expect(computeTwilioSignature(V.auth_token, V.url, V.params)).toBe(V.expected_signature);
    expect(verifyTwilioSignature(V.auth_token, V.url, V.params, V.expected_signature)).toBe(true);
    expect(verifyTwilioSignature(V.auth_token, V.url, new URLSearchParams(FORM), V.expected_signature)).toBe(true);
    const req = { rawBody: FORM, url: V.url, headers: { "x-twilio-signature": V.expected_signature } };
    expect(verifyTwilioRequest(req, V.auth_token)).toBe(true);
  });

  it("tries the URL with and without the default port", () => {
    const withPort443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    expect(twilioUrlVariants(V.url)).toEqual([V.url, withPort443]);
    expect(twilioUrlVariants(withPort443)).toEqual([withPort443, V.url]);
    // signature computed over the :443 form, request seen without the port, and vice versa
    expect(verifyTwilioSignature(V.auth_token, V.url, V.params, V.expected_signature_url_with_port_443)).toBe(true);
    expect(verifyTwilioSignature(V.auth_token, withPort443, V.params, V.expected_signature)).toBe(true);
    expect(verifyTwilioSignature(V.auth_token, withPort443, V.params, V.expected_signature_url_with_port_443)).toBe(
      true,
    );
    const http = "http://mycompany.com/myapp.php?foo=1&bar=2";
    expect(verifyTwilioSignature(V.auth_token, http, V.params, V.expected_signature_http_url_with_port_80)).toBe(true);
    expect(
      verifyTwilioSignature(
        V.auth_token,
        "http://mycompany.com:80/myapp.php?foo=1&bar=2",
        V.params,
        V.expected_signature_http_url_with_port_80,
      ),
    ).toBe(true);
  });

  it("refuses wrong ports, schemes, tokens, params and signatures", () => {
    const no = (url: string, params: unknown, sig: string, token = V.auth_token) =>
      expect(verifyTwilioSignature(token, url, params as Record<string, string>, sig), url).toBe(false);
    no("https://mycompany.com:8443/myapp.php?foo=1&bar=2", V.params, V.expected_signature);
    no("https://mycompany.com:80/myapp.php?foo=1&bar=2", V.params, V.expected_signature);
    no("http://mycompany.com/myapp.php?foo=1&bar=2", V.params, V.expected_signature);
    no("https://mycompany.com/myapp.php?foo=1&bar=3", V.params, V.expected_signature);
    no(V.url, { ...V.params, Digits: "1235" }, V.expected_signature);
    no(V.url, { ...V.params, Extra: "1" }, V.expected_signature);
    no(V.url, V.params, V.expected_signature, "54321");
    no(V.url, V.params, V.expected_signature.replace("R", "S"));
    no(V.url, V.params, "");
    expect(verifyTwilioRequest({ rawBody: FORM, url: V.url, headers: {} }, V.auth_token)).toBe(false);
    expect(
      verifyTwilioRequest({ rawBody: FORM, headers: { "x-twilio-signature": V.expected_signature } }, V.auth_token),
    ).toBe(false);
  });

  it("sorts duplicate params by value and de-duplicates them", () => {
    const dup = V.duplicate_params_case;
    expect(computeTwilioSignature(V.auth_token, V.url, dup.params_multidict)).toBe(dup.expected_signature);
    const form = new URLSearchParams(dup.params_multidict);
    expect(verifyTwilioSignature(V.auth_token, V.url, form, dup.expected_signature)).toBe(true);
    expect(
      verifyTwilioSignature(
        V.auth_token,
        V.url,
        [
          ["Sid", "CA123"],
          ["SidAccount", "AC123"],
          ["Digits", "5678"],
        ],
        dup.expected_signature,
      ),
    ).toBe(false);
  });

  it("supports the JSON bodySHA256 variant", () => {
    const j = V.json_body_case;
    expect(verifyTwilioSignature(V.auth_token, j.url, null, j.expected_signature, j.body)).toBe(true);
    expect(
      verifyTwilioRequest(
        { rawBody: j.body, url: j.url, headers: { "x-twilio-signature": j.expected_signature } },
        V.auth_token,
      ),
    ).toBe(true);
    // tampered body, missing body, wrong signature
    expect(
      verifyTwilioSignature(V.auth_token, j.url, null, j.expected_signature, j.body.replace("value", "valuf")),
    ).toBe(false);
    expect(verifyTwilioSignature(V.auth_token, j.url, null, j.expected_signature)).toBe(false);
    expect(verifyTwilioSignature(V.auth_token, j.url, null, V.expected_signature, j.body)).toBe(false);
  });
});

describe("Twilio status callbacks", () => {
  const received = new Date("2026-11-01T09:00:05Z");
  const cb = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      SmsSid: "SM0123456789abcdef0123456789abcdef",
      SmsStatus: "delivered",
      MessageStatus: "delivered",
      To: "+15550100000",
      MessageSid: "SM0123456789abcdef0123456789abcdef",
      AccountSid: "AC0123456789abcdef0123456789abcdef",
      From: "+15550109999",
      ApiVersion: "2010-04-01",
      ...extra,
    }).toString();

  it("maps a status callback with campaign ids from the ingest URL", () => {
    const r = parseTwilio({
      rawBody: cb(),
      url: "https://app.example/ingest/twilio/tok?campaign_id=C&campaign_name=Black%20Friday&message_id=m3",
      receivedAt: received,
    });
    expect(r).toEqual({
      ok: true,
      events: [
        {
          externalId: "SM0123456789abcdef0123456789abcdef:delivered",
          type: "delivered",
          channel: "sms",
          occurredAt: received,
          campaignId: "C",
          campaignName: "Black Friday",
          messageId: "m3",
          recipient: { phone: "+15550100000" },
          tags: [],
          url: null,
          machine: false,
          source: "twilio",
        },
      ],
    });
  });

  it("maps statuses, RawDlrDoneDate, WhatsApp, the uncategorized default", () => {
    const type = (s: string) => {
      const r = parseTwilio({ rawBody: cb({ MessageStatus: s }), receivedAt: received });
      return r.ok ? r.events[0]?.type : r.errors;
    };
    expect(["queued", "sent", "delivered", "read", "undelivered", "failed", "accepted"].map(type)).toEqual([
      "sent",
      "sent",
      "delivered",
      "opened",
      "undelivered",
      "failed",
      "accepted",
    ]);
    const dlr = parseTwilio({ rawBody: cb({ RawDlrDoneDate: "2611010901" }), receivedAt: received });
    expect(dlr.ok && dlr.events[0]?.occurredAt).toEqual(new Date("2026-11-01T09:01:00Z"));
    const badDlr = parseTwilio({ rawBody: cb({ RawDlrDoneDate: "2613010901" }), receivedAt: received });
    expect(badDlr.ok && badDlr.events[0]?.occurredAt).toEqual(received);
    expect(parseRawDlrDoneDate("2602300000")).toBe(null);
    const wa = parseTwilio({
      rawBody: cb({ To: "whatsapp:+15550100000", MessageStatus: "read" }),
      receivedAt: received,
    });
    expect(wa.ok && wa.events[0]).toMatchObject({
      channel: "whatsapp",
      type: "opened",
      recipient: { phone: "+15550100000" },
      campaignId: "twilio:uncategorized",
      messageId: "SM0123456789abcdef0123456789abcdef",
    });
  });

  it("the signature vector's form body is a voice request, not a status callback: refused with clear errors", () => {
    expect(parseTwilio({ rawBody: FORM })).toEqual({
      ok: false,
      errors: [
        { path: "MessageSid", message: "is required" },
        { path: "MessageStatus", message: "is required" },
      ],
    });
  });

  it("refuses what cannot be a callback", () => {
    expect(parseTwilio({ rawBody: "" }).ok).toBe(false);
    expect(parseTwilio({ rawBody: Buffer.from([0xff, 0xfe]) }).ok).toBe(false);
    expect(parseTwilio({ rawBody: cb({ To: "" }) })).toEqual({
      ok: false,
      errors: [{ path: "To", message: "is required" }],
    });
  });
});
