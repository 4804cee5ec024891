import { createHmac, randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createShopWithKey, db, http, stackEnv, waitFor } from "../support/api";
import { adminFetch, storeOfflineSession } from "../support/admin";
import { PROVIDER_FIXTURES_DIR } from "../support/fixtures";
import { TEST_ENCRYPTION_KEYS } from "../support/global-setup";
import { ownStack } from "../support/faults";
import { runCli } from "../support/processes";
import { expectStackError } from "../support/stack-errors";

/** Item 5 of issue 10: provider secrets and ingest tokens are encrypted at rest, keys rotate, tokens rotate. */
const run = promisify(execFile);
const deliveredEvent = () =>
  JSON.parse(readFileSync(path.join(PROVIDER_FIXTURES_DIR, "mailgun-event-data-delivered.json"), "utf8")) as unknown;

const SENDGRID_PUBLIC_KEY = (
  JSON.parse(readFileSync(path.join(PROVIDER_FIXTURES_DIR, "sendgrid-signature-vectors.json"), "utf8")) as {
    single_event: { public_key: string };
  }
).single_event.public_key;

/** A Mailgun delivery signed now with `key`. */
function mailgunBody(key: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomUUID();
  const signature = createHmac("sha256", key)
    .update(timestamp + token)
    .digest("hex");
  return JSON.stringify({ signature: { timestamp, token, signature }, "event-data": deliveredEvent() });
}

const postIngest = (provider: string, token: string, body: string, headers: Record<string, string> = {}) =>
  http("POST", `/ingest/${provider}/${token}`, {
    raw: body,
    headers: { "Content-Type": "application/json", ...headers },
  });

async function shopWithSecrets() {
  const shop = await createShopWithKey();
  const secrets = {
    twilio: { auth_token: `twilio-${randomUUID()}` },
    mailgun: { signing_key: `mailgun-${randomUUID()}` },
    postmark: { username: `pm-user-${randomUUID()}`, password: `pm-pass-${randomUUID()}` },
    sendgrid: { public_key: SENDGRID_PUBLIC_KEY },
  };
  expect((await http("PUT", "/api/v1/settings", { key: shop.key, body: { providers: secrets } })).status).toBe(200);
  const settings = await http("GET", "/api/v1/settings", { key: shop.key });
  return { ...shop, secrets, token: settings.body.ingest.token as string };
}

async function rawSecrets(shopId: string) {
  const r = await db().query(
    `SELECT s.ingest_token, s.ingest_token_hash, st.providers::text AS providers
       FROM shops s JOIN settings st ON st.shop_id = s.id WHERE s.id = $1`,
    [shopId],
  );
  return r.rows[0] as { ingest_token: string; ingest_token_hash: string | null; providers: string };
}

describe("secrets at rest", () => {
  it("a dump of the database shows no provider secret and no ingest token in clear", async () => {
    const shop = await shopWithSecrets();
    const { stdout } = await run("pg_dump", ["--data-only", stackEnv().DATABASE_URL], { maxBuffer: 256 * 1024 * 1024 });
    expect(stdout).toContain(shop.domain); // the dump is the real one
    const clear = [
      shop.token,
      shop.secrets.twilio.auth_token,
      shop.secrets.mailgun.signing_key,
      shop.secrets.postmark.username,
      shop.secrets.postmark.password,
      shop.secrets.sendgrid.public_key,
    ];
    for (const secret of clear) expect(stdout.includes(secret), secret.slice(0, 8)).toBe(false);
    const raw = await rawSecrets(shop.shopId);
    expect(raw.ingest_token).toMatch(/^enc:v1:t2:/);
    expect(raw.providers).toMatch(/"signing_key": "enc:v1:t2:/);
    // ...and the stored secrets still work: a delivery signed with the Mailgun key is taken, a wrong one is not.
    expect((await postIngest("mailgun", shop.token, mailgunBody(shop.secrets.mailgun.signing_key))).status).toBe(200);
    expect((await postIngest("mailgun", shop.token, mailgunBody("wrong-key"))).status).toBe(401);
    const basic = Buffer.from(`${shop.secrets.postmark.username}:${shop.secrets.postmark.password}`).toString("base64");
    const pm = readFileSync(path.join(PROVIDER_FIXTURES_DIR, "postmark-delivery.json"), "utf8");
    expect((await postIngest("postmark", shop.token, pm, { Authorization: `Basic ${basic}` })).status).toBe(200);
  }, 120_000);

  it("a ciphertext moved to another field does not decrypt (the purpose is authenticated)", async () => {
    const shop = await shopWithSecrets();
    const raw = await rawSecrets(shop.shopId);
    // The ingest token's ciphertext pasted as the Mailgun signing key: reading it fails, the delivery is not taken.
    await db().query(
      `UPDATE settings SET providers = jsonb_set(providers, '{mailgun,signing_key}', to_jsonb($2::text)) WHERE shop_id = $1`,
      [shop.shopId, raw.ingest_token],
    );
    expectStackError(/SecretDecryptionError/);
    const res = await postIngest("mailgun", shop.token, mailgunBody(shop.token));
    expect(res.status).toBe(500);
    // Key rotation leaves such a value alone and names the shop.
    const rotate = await runCli(["secrets", "rotate-key"], {
      ...stackEnv(),
      SECRETS_ENCRYPTION_KEYS: `t1:${TEST_ENCRYPTION_KEYS.t1},t2:${TEST_ENCRYPTION_KEYS.t2}`,
    });
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain(shop.shopId);
    await db().query(`UPDATE settings SET providers = '{}' WHERE shop_id = $1`, [shop.shopId]);
  }, 120_000);

  it("the worker encrypts plaintext secrets stored before encryption existed, and they keep working", async () => {
    // A stack of its own (server, database, queue prefix): the extra worker then takes no other test's work.
    const stack = await ownStack({ ownDatabase: true });
    try {
      const shop = await stack.createShopWithKey();
      const plainToken = `legacy-${randomUUID()}`;
      const signingKey = `legacy-mailgun-${randomUUID()}`;
      const ingest = (token: string, body: string) =>
        stack.http("POST", `/ingest/mailgun/${token}`, { raw: body, headers: { "Content-Type": "application/json" } });
      const raw = async () =>
        (
          await stack.db.query(
            `SELECT s.ingest_token, s.ingest_token_hash, st.providers::text AS providers
               FROM shops s JOIN settings st ON st.shop_id = s.id WHERE s.id = $1`,
            [shop.shopId],
          )
        ).rows[0] as { ingest_token: string; ingest_token_hash: string | null; providers: string };
      // The state an older version left: token in clear without a hash, provider secrets in clear.
      await stack.db.query(`UPDATE shops SET ingest_token = $2, ingest_token_hash = NULL WHERE id = $1`, [
        shop.shopId,
        plainToken,
      ]);
      const updated = await stack.db.query(`UPDATE settings SET providers = $2::jsonb WHERE shop_id = $1`, [
        shop.shopId,
        JSON.stringify({ mailgun: { signing_key: signingKey } }),
      ]);
      expect(updated.rowCount).toBe(1);
      // Still served while in clear...
      expect((await ingest(plainToken, mailgunBody(signingKey))).status).toBe(200);
      // ...and encrypted by a worker's start-up step.
      const worker = await stack.startWorker();
      try {
        await waitFor(async () => (await raw()).ingest_token.startsWith("enc:v1:"), 20_000);
      } finally {
        await worker.stop();
      }
      const after = await raw();
      expect(after.ingest_token).toMatch(/^enc:v1:t2:/);
      expect(after.ingest_token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(after.providers).not.toContain(signingKey);
      expect(after.providers).toMatch(/"signing_key": "enc:v1:t2:/);
      expect((await ingest(plainToken, mailgunBody(signingKey))).status).toBe(200);
      expect((await stack.http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token).toBe(plainToken);
    } finally {
      await stack.stop();
    }
  }, 180_000);

  it("`cli secrets rotate-key` re-encrypts every value with the current key, with progress", async () => {
    const shops = [await shopWithSecrets(), await shopWithSecrets()];
    for (const s of shops) expect((await rawSecrets(s.shopId)).ingest_token).toMatch(/^enc:v1:t2:/);
    // The operator puts t1 first (the server and worker can read both keys).
    const result = await runCli(["secrets", "rotate-key"], {
      ...stackEnv(),
      SECRETS_ENCRYPTION_KEYS: `t1:${TEST_ENCRYPTION_KEYS.t1},t2:${TEST_ENCRYPTION_KEYS.t2}`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Re-encrypting \[.*\] \d+\/\d+ rows/);
    expect(result.stdout).toMatch(/All secrets are under key t1/);
    for (const s of shops) {
      const raw = await rawSecrets(s.shopId);
      expect(raw.ingest_token).toMatch(/^enc:v1:t1:/);
      expect(raw.providers).not.toMatch(/enc:v1:t2:/);
      expect(raw.providers).toMatch(/enc:v1:t1:/);
      expect((await postIngest("mailgun", s.token, mailgunBody(s.secrets.mailgun.signing_key))).status).toBe(200);
      expect((await http("GET", "/api/v1/settings", { key: s.key })).body.ingest.token).toBe(s.token);
    }
  }, 120_000);

  it("the ingest token rotates through the API: the old URLs stop working, the new ones work", async () => {
    const shop = await shopWithSecrets();
    const res = await http("POST", "/api/v1/settings/ingest-token/rotate", { key: shop.key });
    expect(res.status, res.text).toBe(200);
    const token = res.body.ingest.token as string;
    expect(token).not.toBe(shop.token);
    expect(res.body.ingest.urls.mailgun).toBe(`${stackEnv().SHOPIFY_APP_URL}/ingest/mailgun/${token}`);
    expect(res.body.currency).toBe("USD"); // the settings body, as GET shows it
    const body = mailgunBody(shop.secrets.mailgun.signing_key);
    expect((await postIngest("mailgun", shop.token, body)).status).toBe(404);
    expect((await postIngest("mailgun", token, mailgunBody(shop.secrets.mailgun.signing_key))).status).toBe(200);
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token).toBe(token);
    expect((await http("GET", "/api/v1/settings/ingest-token/rotate", { key: shop.key })).status).toBe(405);
    expect((await http("POST", "/api/v1/settings/ingest-token/rotate")).status).toBe(401);
  });

  it("the ingest token rotates from the settings page (admin session), recorded as the staff user", async () => {
    const shop = await shopWithSecrets();
    await storeOfflineSession(shop.domain);
    const res = await adminFetch(shop.domain, "/app/settings/ingest-token", { method: "POST", userId: "777" });
    expect(res.status).toBe(200);
    const after = await http("GET", "/api/v1/settings", { key: shop.key });
    expect(after.body.ingest.token).not.toBe(shop.token);
    expect((await postIngest("mailgun", shop.token, mailgunBody(shop.secrets.mailgun.signing_key))).status).toBe(404);
    const audit = await db().query(`SELECT actor, action FROM audit_events WHERE shop_id = $1 ORDER BY id`, [
      shop.shopId,
    ]);
    expect(audit.rows).toContainEqual({ actor: "staff:777", action: "ingest_token.rotate" });
    // Without a valid session token nothing rotates.
    const anonymous = await fetch(`${stackEnv().SHOPIFY_APP_URL}/app/settings/ingest-token`, { method: "POST" });
    expect(anonymous.status).not.toBe(200);
    expect((await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token).toBe(after.body.ingest.token);
  });
});
