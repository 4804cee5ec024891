import { beforeAll, describe, expect, it } from "vitest";

/** AES-256-GCM at rest (ADR 008), with the key list from the environment. */
let box: typeof import("../../../app/data/secret-box.server");
beforeAll(async () => {
  // A unit test: no stack, so the variables every process needs are set here (nothing connects to them).
  process.env.DATABASE_URL ??= "postgresql://unit@127.0.0.1:1/unused";
  process.env.SHOPIFY_API_KEY ??= "unit-api-key";
  process.env.SHOPIFY_API_SECRET ??= "unit-api-secret";
  process.env.SHOPIFY_APP_URL ??= "https://app.example.com";
  process.env.SCOPES ??= "read_orders";
  process.env.SECRETS_ENCRYPTION_KEYS = `k2:${Buffer.alloc(32, 2).toString("base64")},k1:${Buffer.alloc(32, 1).toString("base64")}`;
  box = await import("../../../app/data/secret-box.server");
});

describe("secret box", () => {
  it("round-trips, names the key, and never repeats a ciphertext", () => {
    const a = box.encryptSecret("s3cret", "provider:mailgun.signing_key");
    const b = box.encryptSecret("s3cret", "provider:mailgun.signing_key");
    expect(a).toMatch(/^enc:v1:k2:[\w-]{16}:[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(box.decryptSecret(a, "provider:mailgun.signing_key")).toBe("s3cret");
    expect(box.keyIdOf(a)).toBe("k2");
    expect(box.needsReencryption(a)).toBe(false);
  });

  it("refuses another purpose, an altered value, and an unknown key id", () => {
    const a = box.encryptSecret("s3cret", "ingest_token");
    expect(() => box.decryptSecret(a, "provider:twilio.auth_token")).toThrow(box.SecretDecryptionError);
    // One bit of the ciphertext flipped (editing the text's last characters could touch only the unused low bits of
    // its final base64url character, which decode to the same bytes: a flaky test).
    const cut = a.lastIndexOf(":") + 1;
    const body = Buffer.from(a.slice(cut), "base64url");
    body[0] = body[0]! ^ 1;
    const flipped = a.slice(0, cut) + body.toString("base64url");
    expect(() => box.decryptSecret(flipped, "ingest_token")).toThrow(box.SecretDecryptionError);
    expect(() => box.decryptSecret(a.replace("enc:v1:k2:", "enc:v1:k9:"), "ingest_token")).toThrow(/no key "k9"/);
  });

  it("reads plaintext from before encryption as is, and marks it for encryption", () => {
    expect(box.decryptSecret("legacy-token", "ingest_token")).toBe("legacy-token");
    expect(box.needsReencryption("legacy-token")).toBe(true);
  });
});
