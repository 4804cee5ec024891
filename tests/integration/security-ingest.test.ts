/**
 * Issue 10, item 3: provider ingest (/ingest/<provider>/<token>) hardened: SES accepts only the shop's pinned SNS
 * topics (the first confirmed subscription pins; settings show and change them), Mailgun signatures have a timestamp
 * tolerance and an atomic replay check (503 while Redis is down), a delivery holds at most
 * INGEST_MAX_EVENTS_PER_DELIVERY events, error details are capped, and each ingest URL is rate-limited.
 */
import { createHmac, createSign, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNS_TEST_CERT_URL, SNS_TEST_KEY } from "../msw/aws-sns";
import { createShopWithKey, db, http, waitFor } from "../support/api";
import { ownRedis, ownStack, type OwnRedis, type OwnStack } from "../support/faults";
import { PROVIDER_FIXTURES_DIR } from "../support/fixtures";

const fixture = (name: string) => readFileSync(path.join(PROVIDER_FIXTURES_DIR, name)).toString();
const MAILGUN_KEY = "key-security-test";

type Client = Pick<OwnStack, "http">;
const mainStack: Client = { http };

async function newShop(stack: Client = mainStack, create = createShopWithKey) {
  const { key, shopId } = await create();
  const settings = await stack.http("GET", "/api/v1/settings", { key });
  expect(settings.status).toBe(200);
  return { key, shopId, token: settings.body.ingest.token as string };
}

async function eventCount(shopId: string, pool = db()): Promise<number> {
  const r = await pool.query(`SELECT count(*)::int AS n FROM message_events WHERE shop_id = $1`, [shopId]);
  return r.rows[0].n;
}

function mailgunBody(timestamp: number, token = randomUUID()): string {
  const ts = String(timestamp);
  const signature = createHmac("sha256", MAILGUN_KEY)
    .update(ts + token)
    .digest("hex");
  return JSON.stringify({
    signature: { timestamp: ts, token, signature },
    "event-data": JSON.parse(fixture("mailgun-event-data-delivered.json")),
  });
}

const post = (stack: Client, provider: string, token: string, raw: string, headers: Record<string, string> = {}) =>
  stack.http("POST", `/ingest/${provider}/${token}`, {
    raw,
    headers: { "Content-Type": "application/json", ...headers },
  });

const now = () => Math.floor(Date.now() / 1000);

describe("Mailgun", () => {
  it("refuses (401) a signature whose timestamp is outside MAILGUN_TIMESTAMP_TOLERANCE_SECONDS (12 h)", async () => {
    const shop = await newShop();
    const put = await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { providers: { mailgun: { signing_key: MAILGUN_KEY } } },
    });
    expect(put.status).toBe(200);
    for (const ts of [now() - 13 * 3600, now() + 13 * 3600]) {
      const res = await post(mainStack, "mailgun", shop.token, mailgunBody(ts));
      expect(res.status, String(ts)).toBe(401);
      expect(res.body.error.message).toMatch(/timestamp/);
    }
    expect(await eventCount(shop.shopId)).toBe(0);
    // A Mailgun retry hours later (inside the tolerance) is still taken.
    expect((await post(mainStack, "mailgun", shop.token, mailgunBody(now() - 5 * 3600))).status).toBe(200);
  });

  it("refuses replays of one signature token, even racing each other: exactly one delivery is stored", async () => {
    const shop = await newShop();
    await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { providers: { mailgun: { signing_key: MAILGUN_KEY } } },
    });
    const body = mailgunBody(now());
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(mainStack, "mailgun", shop.token, body)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
    expect(answers.filter((a) => a.status === 401).every((a) => /replay/.test(a.body.error.message))).toBe(true);
    expect(await eventCount(shop.shopId)).toBe(1);
  });
});

describe("delivery size and error bodies", () => {
  it("refuses (400) a SendGrid batch of more than INGEST_MAX_EVENTS_PER_DELIVERY (5000) events, storing nothing", async () => {
    const shop = await newShop();
    const one = JSON.parse(fixture("sendgrid-open.json"))[0];
    const batch = Array.from({ length: 5001 }, (_, i) => ({ ...one, sg_event_id: `ev-${i}`, email: `u${i}@x.com` }));
    const res = await post(mainStack, "sendgrid", shop.token, JSON.stringify(batch));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: "body", message: expect.stringMatching(/5000/) }]);
    expect(await eventCount(shop.shopId)).toBe(0);
    const ok = await post(mainStack, "sendgrid", shop.token, JSON.stringify(batch.slice(0, 5000)));
    expect(ok.status, ok.text).toBe(200);
  });

  it("refuses to list more than ERROR_DETAILS_MAX (100) details; the message names the total", async () => {
    const shop = await newShop();
    const res = await post(mainStack, "sendgrid", shop.token, JSON.stringify(Array.from({ length: 300 }, () => 5)));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveLength(100);
    expect(res.body.error.details[0].path).toBe("[0]");
    expect(res.body.error.message).toMatch(/300/);
  });
});

function signedSns(fields: Record<string, string>, keys: string[]): string {
  const toSign = keys
    .filter((k) => fields[k] !== undefined)
    .map((k) => `${k}\n${fields[k]}\n`)
    .join("");
  return JSON.stringify({
    ...fields,
    Signature: createSign("RSA-SHA256").update(toSign).sign(SNS_TEST_KEY, "base64"),
  });
}

const topic = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;

function subscription(topicArn: string): string {
  return signedSns(
    {
      Type: "SubscriptionConfirmation",
      MessageId: randomUUID(),
      Token: "2336412f37fb687f5d51e6e2425c464de12884f3",
      TopicArn: topicArn,
      Message: "You have chosen to subscribe to the topic.",
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=2336412f37fb687f5d51e6e2425c464de12884f3`,
      Timestamp: new Date().toISOString(),
      SignatureVersion: "2",
      SigningCertURL: SNS_TEST_CERT_URL,
    },
    ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  );
}

function notification(topicArn: string): string {
  return signedSns(
    {
      Type: "Notification",
      MessageId: randomUUID(),
      TopicArn: topicArn,
      Message: fixture("ses-sns-delivery.json"),
      Timestamp: new Date().toISOString(),
      SignatureVersion: "2",
      SigningCertURL: SNS_TEST_CERT_URL,
    },
    ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  );
}

describe("Amazon SES topics", () => {
  const sns = (type: string) => ({ "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": type });

  it("pins the first confirmed subscription's topic; refuses (401, not confirmed) other topics; settings show and change the pins", async () => {
    const shop = await newShop();
    const first = await post(
      mainStack,
      "ses",
      shop.token,
      subscription(topic("mine")),
      sns("SubscriptionConfirmation"),
    );
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ confirmed: true });

    const other = await post(
      mainStack,
      "ses",
      shop.token,
      subscription(topic("theirs")),
      sns("SubscriptionConfirmation"),
    );
    expect(other.status).toBe(401);
    expect(other.body.error.details).toEqual([{ path: "TopicArn", message: expect.any(String) }]);
    const foreign = await post(mainStack, "ses", shop.token, notification(topic("theirs")), sns("Notification"));
    expect(foreign.status).toBe(401);
    expect(await eventCount(shop.shopId)).toBe(0);
    const own = await post(mainStack, "ses", shop.token, notification(topic("mine")), sns("Notification"));
    expect(own.status, own.text).toBe(200);
    expect(await eventCount(shop.shopId)).toBeGreaterThan(0);

    const settings = await http("GET", "/api/v1/settings", { key: shop.key });
    expect(settings.body.providers.ses).toEqual({ configured: true, topic_arns: [topic("mine")] });

    const bad = await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { providers: { ses: { topic_arns: ["not-an-arn"] } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(["providers.ses.topic_arns[0]"]);

    const put = await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { providers: { ses: { topic_arns: [topic("theirs")] } } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.providers.ses).toEqual({ configured: true, topic_arns: [topic("theirs")] });
    expect((await post(mainStack, "ses", shop.token, notification(topic("theirs")), sns("Notification"))).status).toBe(
      200,
    );
    expect((await post(mainStack, "ses", shop.token, notification(topic("mine")), sns("Notification"))).status).toBe(
      401,
    );
  });
});

describe("on a stack of its own (own Redis, INGEST_RATE_LIMIT_PER_MINUTE=5)", () => {
  let redis: OwnRedis;
  let stack: OwnStack;
  beforeAll(async () => {
    redis = await ownRedis();
    stack = await ownStack({ redisUrl: redis.url, env: { INGEST_RATE_LIMIT_PER_MINUTE: "5" } });
    // The server's Redis connection is up before the first counted delivery (one still connecting passes uncounted).
    await waitFor(async () => (await stack.http("GET", "/healthz")).status === 200, 30_000, "the server's /healthz");
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await redis?.dispose();
  });

  it("rate-limits each ingest URL: 429 with Retry-After after 5 deliveries a minute; other shops unaffected", async () => {
    const one = await newShop(stack, () => stack.createShopWithKey());
    const two = await newShop(stack, () => stack.createShopWithKey());
    const body = fixture("sendgrid-open.json");
    // The window is the clock minute: the deliveries below do not start right before it turns.
    const s = new Date().getSeconds();
    if (s >= 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    for (let i = 0; i < 5; i++)
      expect((await post(stack, "sendgrid", one.token, body)).status, `delivery ${i + 1}`).toBe(200);
    const limited = await post(stack, "sendgrid", one.token, body);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await post(stack, "sendgrid", two.token, body)).status).toBe(200);
  }, 90_000);

  it("answers 503 to a signed Mailgun delivery while Redis is down (so Mailgun retries), storing nothing", async () => {
    const shop = await newShop(stack, () => stack.createShopWithKey());
    const put = await stack.http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { providers: { mailgun: { signing_key: MAILGUN_KEY } } },
    });
    expect(put.status).toBe(200);
    await redis.stop();
    try {
      const res = await post(stack, "mailgun", shop.token, mailgunBody(now()));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("service_unavailable");
      expect(await eventCount(shop.shopId, stack.db)).toBe(0);
    } finally {
      await redis.start();
    }
  }, 90_000);
});
