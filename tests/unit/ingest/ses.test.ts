import { PROVIDER_FIXTURES_DIR } from "../../support/fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  isValidSnsCertUrl,
  isValidSnsSubscribeUrl,
  parseSes,
  snsStringToSign,
  verifySnsMessage,
  type SnsEnvelope,
} from "~/ingest/ses";

const DIR = PROVIDER_FIXTURES_DIR;
const fx = (name: string) => readFileSync(path.join(DIR, name), "utf8");
const PEM = fx("ses-sns-signing-cert-aws-php-sns-message-validator.pem");
const SIGNED = [
  "ses-sns-envelope-signed-v1.json",
  "ses-sns-envelope-signed-v2.json",
  "ses-sns-envelope-signed-v1-subject.json",
  "ses-sns-envelope-signed-v2-subject.json",
];

/** The cert fetcher a caller injects; here it serves the fixture PEM and records the URLs asked for. */
function fetcher() {
  const asked: string[] = [];
  return { asked, fetchCert: async (url: string) => (asked.push(url), PEM) };
}

/** An SNS notification envelope around an SES record (the SES docs' samples are the inner Message). */
const envelope = (message: string, messageId = "9d0c7a56-0000-5f2a-9c2b-1f5f0a3f6a11") =>
  JSON.stringify({
    Type: "Notification",
    MessageId: messageId,
    TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-events",
    Message: message,
    Timestamp: "2017-08-09T22:00:20.000Z",
    SignatureVersion: "1",
    Signature: "unsigned-in-this-test",
    SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
  });

/** The JSON body of a full HTTP request sample (headers, blank line, body). */
const httpBody = (text: string) => text.slice(text.search(/\r?\n\r?\n/)).trim();

function parseOk(body: string, query?: Record<string, string>) {
  const r = parseSes({ rawBody: body, query });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe("SNS signature", () => {
  for (const file of SIGNED) {
    it(`verifies ${file} against the fixture certificate (expiry skipped: the cert expired in 2022)`, async () => {
      const f = fetcher();
      const r = await verifySnsMessage(fx(file), { fetchCert: f.fetchCert, skipCertExpiry: true });
      expect(r.ok).toBe(true);
      expect(f.asked).toEqual([JSON.parse(fx(file)).SigningCertURL]);
    });
  }

  it("builds the documented string to sign (Subject only when present)", () => {
    const env = JSON.parse(fx("ses-sns-envelope-signed-v1-subject.json")) as SnsEnvelope;
    expect(snsStringToSign(env)).toBe(
      `Message\nHello world\nMessageId\n${env.MessageId}\nSubject\nHello world\nTimestamp\n${env.Timestamp}\nTopicArn\n${env.TopicArn}\nType\nNotification\n`,
    );
    const { Subject: _s, ...noSubject } = env;
    expect(snsStringToSign(noSubject as SnsEnvelope)).not.toContain("Subject");
  });

  it("refuses tampering, swapped versions, expired certs, bad cert URLs and fetch failures", async () => {
    const { fetchCert } = fetcher();
    const env = JSON.parse(fx("ses-sns-envelope-signed-v2.json"));
    const v = (e: object, o: object = {}) =>
      verifySnsMessage(JSON.stringify(e), { fetchCert, skipCertExpiry: true, ...o });
    expect(await v({ ...env, Message: "Hello world!" })).toEqual({ ok: false, reason: "signature" });
    expect(await v({ ...env, Timestamp: "2022-07-28T21:24:08.325Z" })).toEqual({ ok: false, reason: "signature" });
    expect(await v({ ...env, Subject: "added" })).toEqual({ ok: false, reason: "signature" });
    expect(await v({ ...env, SignatureVersion: "1" })).toEqual({ ok: false, reason: "signature" });
    expect(await v({ ...env, SignatureVersion: "3" })).toEqual({ ok: false, reason: "signature_version" });
    expect(await v({ ...env, Signature: "AAAA" })).toEqual({ ok: false, reason: "signature" });
    // the certificate's validity period is enforced unless skipped
    expect(await verifySnsMessage(JSON.stringify(env), { fetchCert })).toEqual({ ok: false, reason: "cert_expired" });
    expect(
      await verifySnsMessage(JSON.stringify(env), { fetchCert, now: new Date("2022-07-28T21:25:00Z") }),
    ).toMatchObject({ ok: true });
    // cert URL rules
    for (const url of [
      "http://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
      "https://sns.us-east-2.amazonaws.com.evil.example/x.pem",
      "https://evil.example/sns.us-east-2.amazonaws.com/x.pem",
      "https://sns.us.amazonaws.com/x.pem",
      "https://sns.us-east-2.amazonaws.com:8443/x.pem",
      "https://user@sns.us-east-2.amazonaws.com/x.pem",
      "https://sns.us-east-2.amazonaws.com/x.txt",
      "not a url",
    ]) {
      expect(await v({ ...env, SigningCertURL: url }), url).toEqual({ ok: false, reason: "cert_url" });
    }
    expect(
      await verifySnsMessage(JSON.stringify(env), {
        fetchCert: async () => {
          throw new Error("offline");
        },
        skipCertExpiry: true,
      }),
    ).toEqual({ ok: false, reason: "cert_fetch" });
    expect(
      await verifySnsMessage(JSON.stringify(env), { fetchCert: async () => "not a pem", skipCertExpiry: true }),
    ).toEqual({ ok: false, reason: "cert_invalid" });
    expect(await verifySnsMessage("{", { fetchCert, skipCertExpiry: true })).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  it("accepts the documented hosts", () => {
    expect(isValidSnsCertUrl("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem")).toBe(true);
    expect(isValidSnsSubscribeUrl("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=x")).toBe(
      true,
    );
    expect(isValidSnsSubscribeUrl("https://sns.us-west-2.amazonaws.com.attacker.io/?Action=ConfirmSubscription")).toBe(
      false,
    );
  });

  it("the docs' HTTP examples carry placeholder signatures: refused", async () => {
    const { fetchCert } = fetcher();
    for (const file of [
      "sns-notification-http-request-example.txt",
      "sns-subscriptionconfirmation-http-request-example.txt",
    ]) {
      expect(await verifySnsMessage(httpBody(fx(file)), { fetchCert, skipCertExpiry: true }), file).toEqual({
        ok: false,
        reason: "signature",
      });
    }
  });
});

describe("SES events", () => {
  const base = {
    channel: "email",
    source: "ses",
    messageId: "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    recipient: { email: "recipient@example.com" },
    machine: false,
  };

  it("maps every SES record fixture inside an SNS envelope", () => {
    const cases: [string, string, string][] = [
      ["ses-sns-send.json", "sent", "2016-10-14T05:02:16.645Z"],
      ["ses-sns-delivery.json", "delivered", "2016-10-19T23:21:04.133Z"],
      ["ses-sns-open.json", "opened", "2017-08-09T22:00:19.652Z"],
      ["ses-sns-bounce.json", "bounced", "2017-08-05T00:41:02.669Z"],
      ["ses-sns-complaint.json", "complained", "2017-08-05T00:41:02.669Z"],
    ];
    for (const [file, type, at] of cases) {
      const r = parseOk(envelope(fx(file), `id-${file}`));
      expect(r.snsType).toBe("Notification");
      expect(r.events, file).toHaveLength(1);
      expect(r.events[0], file).toMatchObject({
        ...base,
        type,
        occurredAt: new Date(at),
        externalId: `id-${file}`,
        campaignId: "ses:uncategorized",
      });
    }
    // message tags (not the automatic ses:* ones) become tags
    expect(parseOk(envelope(fx("ses-sns-send.json"))).events[0]?.tags).toEqual([
      "myCustomTagValue1",
      "myCustomTagValue2",
    ]);
    expect(parseOk(envelope(fx("ses-sns-open.json"))).events[0]?.tags).toEqual(["myCustomValue1", "myCustomValue2"]);
    expect(parseOk(envelope(fx("ses-sns-bounce.json"))).events[0]?.tags).toEqual([]);
  });

  it("accepts a bare record (raw message delivery) with a derived dedup key", () => {
    const r = parseOk(fx("ses-sns-delivery.json"));
    expect(r.snsType).toBe("Raw");
    expect(r.events[0]?.externalId).toBe(
      "ses:EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000:Delivery:recipient@example.com:2016-10-19T23:21:04.133Z",
    );
  });

  it("one event per recipient, campaign from message tags, clicks with link tags", () => {
    const record = JSON.parse(fx("ses-sns-open.json"));
    record.eventType = "Click";
    delete record.open;
    record.click = {
      ipAddress: "192.0.2.1",
      link: "https://shop.example/p?cr_mid=zz",
      linkTags: { samplekey0: ["samplevalue0"] },
      timestamp: "2017-08-09T23:51:25.570Z",
      userAgent: "Mozilla/5.0",
    };
    record.mail.destination = ["a@example.com", "B <b@example.com>"];
    record.mail.tags.campaign_id = ["spring"];
    record.mail.tags.campaign_name = ["Spring sale"];
    const r = parseOk(envelope(JSON.stringify(record), "sns-1"));
    expect(r.events.map((e) => [e.externalId, e.recipient.email, e.type])).toEqual([
      ["sns-1:0", "a@example.com", "clicked"],
      ["sns-1:1", "b@example.com", "clicked"],
    ]);
    expect(r.events[0]).toMatchObject({
      campaignId: "spring",
      campaignName: "Spring sale",
      messageId: base.messageId,
      url: "https://shop.example/p?cr_mid=zz",
      occurredAt: new Date("2017-08-09T23:51:25.570Z"),
      tags: ["myCustomValue1", "myCustomValue2", "samplevalue0"],
    });
  });

  it("lower-cases other event types and falls back to the ingest URL's query", () => {
    const record = JSON.parse(fx("ses-sns-send.json"));
    record.eventType = "Rendering Failure";
    record.failure = { templateName: "t", errorMessage: "x" };
    const r = parseOk(envelope(JSON.stringify(record)), { campaign_id: "q-1", message_id: "m-q" });
    expect(r.events[0]).toMatchObject({
      type: "rendering_failure",
      campaignId: "q-1",
      messageId: "m-q",
      occurredAt: new Date("2016-10-14T05:02:16.645Z"),
    });
    record.eventType = "DeliveryDelay";
    record.deliveryDelay = {
      delayType: "MailboxFull",
      delayedRecipients: [{ emailAddress: "late@example.com" }],
      timestamp: "2016-10-14T06:00:00Z",
    };
    expect(parseOk(envelope(JSON.stringify(record))).events[0]).toMatchObject({
      type: "delivery_delay",
      recipient: { email: "late@example.com" },
    });
  });

  it("returns the SubscribeURL of a SubscriptionConfirmation", () => {
    const r = parseOk(httpBody(fx("sns-subscriptionconfirmation-http-request-example.txt")));
    expect(r).toMatchObject({
      snsType: "SubscriptionConfirmation",
      events: [],
      subscribeUrl:
        "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37...",
      topicArn: "arn:aws:sns:us-west-2:123456789012:MyTopic",
    });
    const evil = JSON.parse(httpBody(fx("sns-subscriptionconfirmation-http-request-example.txt")));
    evil.SubscribeURL = "https://attacker.example/?Action=ConfirmSubscription";
    expect(parseSes({ rawBody: JSON.stringify(evil) })).toMatchObject({
      ok: false,
      errors: [{ path: "SubscribeURL" }],
    });
  });

  it("refuses notifications whose Message is not an SES record (the SNS samples say 'Hello world')", () => {
    for (const body of [httpBody(fx("sns-notification-http-request-example.txt")), ...SIGNED.map(fx)]) {
      const r = parseSes({ rawBody: body });
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.errors[0]).toMatchObject({
          path: "Message",
          message: expect.stringMatching(/not an SES event record/),
        });
    }
  });

  it("reports bad fields by path", () => {
    const rec = JSON.parse(fx("ses-sns-delivery.json"));
    rec.delivery.timestamp = "2016-10-19T25:21:04Z";
    expect(parseSes({ rawBody: envelope(JSON.stringify(rec)) })).toEqual({
      ok: false,
      errors: [{ path: "Message.delivery.timestamp", message: "time of day out of range" }],
    });
    expect(parseSes({ rawBody: envelope(JSON.stringify({ eventType: "Send" })) })).toEqual({
      ok: false,
      errors: [{ path: "Message.mail", message: "is required" }],
    });
    expect(parseSes({ rawBody: JSON.stringify({ Type: "Notification" }) }).ok).toBe(false);
    expect(parseSes({ rawBody: JSON.stringify({ ...JSON.parse(envelope("{}")), MessageId: 5 }) })).toMatchObject({
      ok: false,
      errors: [{ path: "MessageId" }],
    });
  });
});
