import { PROVIDER_FIXTURES_DIR } from "../support/fixtures";
import { createHmac, createSign, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SNS_TEST_CERT_URL, SNS_TEST_KEY } from "../msw/aws-sns";
import { createShopWithKey, db, http, stackEnv } from "../support/api";

/** Every fixture of tests/fixtures/providers (vendored from ../shared/fixtures/providers) goes through its real route, /ingest/<provider>/<token>. */
const FIXTURES = PROVIDER_FIXTURES_DIR;
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));
const files = readdirSync(FIXTURES);

interface Shop {
  key: string;
  shopId: string;
  token: string;
}

async function newShop(): Promise<Shop> {
  const { key, shopId } = await createShopWithKey();
  const settings = await http("GET", "/api/v1/settings", { key });
  return { key, shopId, token: settings.body.ingest.token };
}

async function configure(shop: Shop, providers: Record<string, unknown>) {
  const res = await http("PUT", "/api/v1/settings", { key: shop.key, body: { providers } });
  expect(res.status).toBe(200);
}

async function eventCount(shopId: string): Promise<number> {
  const r = await db().query(`SELECT count(*)::int AS n FROM message_events WHERE shop_id = $1`, [shopId]);
  return r.rows[0].n;
}

function post(
  provider: string,
  token: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  query = "",
) {
  return http("POST", `/ingest/${provider}/${token}${query}`, {
    raw: body,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

describe("provider webhooks: routing and tokens", () => {
  it("answers 404 for an unknown ingest token or provider, writing nothing", async () => {
    const shop = await newShop();
    const body = fixture("sendgrid-open.json");
    expect((await post("sendgrid", "no-such-token", body)).status).toBe(404);
    expect((await post("klaviyo", shop.token, body)).status).toBe(404);
    expect(await eventCount(shop.shopId)).toBe(0);
  });
});

describe("SendGrid", () => {
  const unsigned = files.filter((f) => /^sendgrid-(?!signature|signed).*\.json$/.test(f));

  it.each(unsigned)("stores the events of %s", async (name) => {
    const shop = await newShop();
    const res = await post("sendgrid", shop.token, fixture(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.accepted).toBeGreaterThan(0);
    expect(await eventCount(shop.shopId)).toBe(res.body.accepted);
    const again = await post("sendgrid", shop.token, fixture(name));
    expect(again.body).toEqual({ accepted: 0, duplicates: res.body.accepted });
  });

  const vectors = JSON.parse(fixture("sendgrid-signature-vectors.json").toString());
  for (const kind of ["single_event", "multiple_events"] as const) {
    it(`verifies the published ${kind} vector and refuses the negative ones`, async () => {
      const v = vectors[kind];
      const payload = fixture(v.payload_file);
      const shop = await newShop();
      await configure(shop, { sendgrid: { public_key: v.public_key } });
      const headers = (sig: string, ts: string) => ({
        "X-Twilio-Email-Event-Webhook-Signature": sig,
        "X-Twilio-Email-Event-Webhook-Timestamp": ts,
      });
      expect((await post("sendgrid", shop.token, payload)).status).toBe(401);
      expect(
        (await post("sendgrid", shop.token, payload, headers(vectors.negative_cases.tampered_signature, v.timestamp)))
          .status,
      ).toBe(401);
      expect(
        (await post("sendgrid", shop.token, payload, headers(v.signature, String(Number(v.timestamp) + 1)))).status,
      ).toBe(401);
      expect(
        (
          await post(
            "sendgrid",
            shop.token,
            Buffer.from(payload.toString().trimEnd()),
            headers(v.signature, v.timestamp),
          )
        ).status,
      ).toBe(401);
      expect(await eventCount(shop.shopId)).toBe(0);
      const ok = await post("sendgrid", shop.token, payload, headers(v.signature, v.timestamp));
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.accepted).toBeGreaterThan(0);

      const wrongKey = await newShop();
      await configure(wrongKey, { sendgrid: { public_key: vectors.negative_cases.wrong_public_key } });
      expect((await post("sendgrid", wrongKey.token, payload, headers(v.signature, v.timestamp))).status).toBe(401);
      expect(await eventCount(wrongKey.shopId)).toBe(0);
    });
  }
});

describe("Mailgun", () => {
  const vector = JSON.parse(fixture("mailgun-signature-vector.json").toString());
  const signingKey: string = vector.signing_key ?? vector.good?.signing_key ?? vector.key;
  const good = vector.good ?? vector;

  it.each(files.filter((f) => f.startsWith("mailgun-event-data-") && f.endsWith(".json")))(
    "stores %s",
    async (name) => {
      const shop = await newShop();
      const body = `{"signature":{"timestamp":"1","token":"t","signature":"x"},"event-data":${fixture(name).toString()}}`;
      const res = await post("mailgun", shop.token, body);
      expect(res.status, res.text).toBe(200);
      expect(res.body.accepted).toBe(1);
    },
  );

  it.each(files.filter((f) => f.startsWith("mailgun-") && f.endsWith(".txt")))(
    "refuses %s (invalid JSON as published) with 400 and writes nothing",
    async (name) => {
      const shop = await newShop();
      const res = await post("mailgun", shop.token, fixture(name));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(await eventCount(shop.shopId)).toBe(0);
    },
  );

  it("refuses the published signature vector as too old (2014, beyond the timestamp tolerance), a bad one, and a replayed token", async () => {
    // The vector itself verifies in tests/unit/ingest/mailgun.test.ts; delivered today it is a replay of 2014.
    const shop = await newShop();
    await configure(shop, { mailgun: { signing_key: signingKey } });
    const eventData = JSON.parse(fixture("mailgun-event-data-delivered.json").toString());
    const vector = { timestamp: String(good.timestamp), token: good.token, signature: good.signature };
    const stale = await post("mailgun", shop.token, JSON.stringify({ signature: vector, "event-data": eventData }));
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/timestamp/);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomUUID();
    const signature = {
      timestamp,
      token,
      signature: createHmac("sha256", signingKey)
        .update(timestamp + token)
        .digest("hex"),
    };
    const bad = { ...signature, token: `${token}x` };
    const badRes = await post("mailgun", shop.token, JSON.stringify({ signature: bad, "event-data": eventData }));
    expect(badRes.status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);
    const ok = await post("mailgun", shop.token, JSON.stringify({ signature, "event-data": eventData }));
    expect(ok.status, ok.text).toBe(200);
    const replay = await post("mailgun", shop.token, JSON.stringify({ signature, "event-data": eventData }));
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/replay/);
  });

  it("accepts a delivery signed now with the shop's key", async () => {
    const shop = await newShop();
    await configure(shop, { mailgun: { signing_key: "key-test-123" } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomUUID();
    const sig = createHmac("sha256", "key-test-123")
      .update(timestamp + token)
      .digest("hex");
    const eventData = JSON.parse(fixture("mailgun-event-data-delivered.json").toString());
    const res = await post(
      "mailgun",
      shop.token,
      JSON.stringify({ signature: { timestamp, token, signature: sig }, "event-data": eventData }),
    );
    expect(res.status, res.text).toBe(200);
  });
});

describe("Postmark", () => {
  it.each(files.filter((f) => f.startsWith("postmark-")))("stores %s", async (name) => {
    const shop = await newShop();
    const res = await post("postmark", shop.token, fixture(name));
    expect(res.status, res.text).toBe(200);
    expect(res.body.accepted).toBe(1);
  });

  it("requires the configured basic auth", async () => {
    const shop = await newShop();
    await configure(shop, { postmark: { username: "pm-user", password: "s3cret" } });
    const body = fixture("postmark-delivery.json");
    expect((await post("postmark", shop.token, body)).status).toBe(401);
    const wrong = `Basic ${Buffer.from("pm-user:nope").toString("base64")}`;
    expect((await post("postmark", shop.token, body, { Authorization: wrong })).status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);
    const right = `Basic ${Buffer.from("pm-user:s3cret").toString("base64")}`;
    expect((await post("postmark", shop.token, body, { Authorization: right })).status).toBe(200);
  });
});

function signSns(fields: Record<string, string>, keys: string[]): string {
  const toSign = keys
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join("");
  return createSign("RSA-SHA256").update(toSign).sign(SNS_TEST_KEY, "base64");
}

function snsNotification(message: string): string {
  const fields: Record<string, string> = {
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-events",
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: "2",
    SigningCertURL: SNS_TEST_CERT_URL,
    UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
  };
  fields.Signature = signSns(fields, ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]);
  return JSON.stringify(fields);
}

describe("Amazon SES via SNS", () => {
  const sesHeaders = { "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" };

  it.each(files.filter((f) => /^ses-sns-(send|delivery|open|click|bounce|complaint)\.json$/.test(f)))(
    "stores %s delivered in a signed SNS notification",
    async (name) => {
      const shop = await newShop();
      const res = await post("ses", shop.token, snsNotification(fixture(name).toString()), sesHeaders);
      expect(res.status, res.text).toBe(200);
      expect(res.body.accepted).toBeGreaterThan(0);
    },
  );

  it.each(files.filter((f) => f.startsWith("ses-sns-envelope-signed")))(
    "refuses %s: its certificate is not the one served at its SigningCertURL (or has expired)",
    async (name) => {
      const shop = await newShop();
      const res = await post("ses", shop.token, fixture(name), sesHeaders);
      expect(res.status).toBe(401);
      expect(await eventCount(shop.shopId)).toBe(0);
    },
  );

  it("refuses an SES record that is not in a signed SNS envelope, and a tampered one", async () => {
    const shop = await newShop();
    expect((await post("ses", shop.token, fixture("ses-sns-open.json"), sesHeaders)).status).toBeGreaterThanOrEqual(
      400,
    );
    const tampered = JSON.parse(snsNotification(fixture("ses-sns-open.json").toString()));
    tampered.Message = tampered.Message.replace("recipient@example.com", "attacker@example.com");
    expect((await post("ses", shop.token, JSON.stringify(tampered), sesHeaders)).status).toBe(401);
    const foreignCert = JSON.parse(snsNotification(fixture("ses-sns-open.json").toString()));
    foreignCert.SigningCertURL = "https://evil.example.com/cert.pem";
    expect((await post("ses", shop.token, JSON.stringify(foreignCert), sesHeaders)).status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);
  });

  it("confirms a signed subscription", async () => {
    const shop = await newShop();
    const fields: Record<string, string> = {
      Type: "SubscriptionConfirmation",
      MessageId: randomUUID(),
      Token: "2336412f37fb687f5d51e6e2425c464de12884f3",
      TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-events",
      Message: "You have chosen to subscribe to the topic.",
      SubscribeURL:
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-events&Token=2336412f37fb687f5d51e6e2425c464de12884f3",
      Timestamp: new Date().toISOString(),
      SignatureVersion: "1",
      SigningCertURL: SNS_TEST_CERT_URL,
    };
    const toSign = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
      .map((k) => `${k}\n${fields[k]}\n`)
      .join("");
    fields.Signature = createSign("RSA-SHA1").update(toSign).sign(SNS_TEST_KEY, "base64");
    const res = await post("ses", shop.token, JSON.stringify(fields), {
      ...sesHeaders,
      "x-amz-sns-message-type": "SubscriptionConfirmation",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ confirmed: true });
  });
});

describe("Twilio", () => {
  function twilioSignature(token: string, url: string, params: Record<string, string>) {
    const data =
      url +
      Object.keys(params)
        .sort()
        .map((k) => k + params[k])
        .join("");
    return createHmac("sha1", token).update(data).digest("base64");
  }

  it("verifies X-Twilio-Signature over the configured URL and parameters, with campaign ids from the query", async () => {
    const shop = await newShop();
    await configure(shop, { twilio: { auth_token: "twilio-token-1" } });
    const query = "?campaign_id=spring-sms&campaign_name=Spring%20SMS";
    const url = `${stackEnv().SHOPIFY_APP_URL}/ingest/twilio/${shop.token}${query}`;
    const params = {
      MessageSid: "SM0123456789abcdef",
      MessageStatus: "delivered",
      To: "+1 (555) 010-0000",
      From: "+15550109999",
      AccountSid: "AC1",
    };
    const body = new URLSearchParams(params).toString();
    const form = { "Content-Type": "application/x-www-form-urlencoded" };
    const unsigned = await post("twilio", shop.token, body, form, query);
    expect(unsigned.status).toBe(401);
    const wrong = await post(
      "twilio",
      shop.token,
      body,
      { ...form, "X-Twilio-Signature": twilioSignature("other", url, params) },
      query,
    );
    expect(wrong.status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);
    const ok = await post(
      "twilio",
      shop.token,
      body,
      { ...form, "X-Twilio-Signature": twilioSignature("twilio-token-1", url, params) },
      query,
    );
    expect(ok.status, ok.text).toBe(200);
    const row = await db().query(
      `SELECT campaign_key, phone_key, type, channel FROM message_events WHERE shop_id = $1`,
      [shop.shopId],
    );
    expect(row.rows).toEqual([
      { campaign_key: "spring-sms", phone_key: "+15550100000", type: "delivered", channel: "sms" },
    ]);
  });

  it("refuses the published signature vector's body (a voice request, not a message status) with 400", async () => {
    const shop = await newShop();
    const res = await post("twilio", shop.token, fixture("twilio-signature-vector-form-body.txt"), {
      "Content-Type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(400);
    expect(await eventCount(shop.shopId)).toBe(0);
  });
});
