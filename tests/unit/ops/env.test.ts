import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, parseEncryptionKeys } from "../../../app/env.server";

const base = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
  SHOPIFY_API_KEY: "k",
  SHOPIFY_API_SECRET: "s",
  SHOPIFY_APP_URL: "https://app.example.com",
  SCOPES: "read_orders",
};
const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const problems = (env: Record<string, string>) => {
  try {
    parseEnv(env);
    return [];
  } catch (error) {
    return (error as EnvError).problems;
  }
};

describe("environment: production rules", () => {
  it("production requires SECRETS_ENCRYPTION_KEYS, naming it; development does not", () => {
    expect(problems({ ...base, NODE_ENV: "production" })).toEqual([
      "SECRETS_ENCRYPTION_KEYS is required in production",
    ]);
    expect(problems({ ...base, NODE_ENV: "production", SECRETS_ENCRYPTION_KEYS: `k1:${key(1)}` })).toEqual([]);
    expect(problems({ ...base, NODE_ENV: "development" })).toEqual([]);
  });

  it("refuses malformed key lists: wrong length, bad id, a repeated id", () => {
    for (const bad of [
      "k1",
      `k1:${Buffer.alloc(16).toString("base64")}`,
      `bad id:${key(1)}`,
      `k1:${key(1)},k1:${key(2)}`,
    ]) {
      expect(problems({ ...base, SECRETS_ENCRYPTION_KEYS: bad })[0], bad).toMatch(
        /^SECRETS_ENCRYPTION_KEYS is invalid/,
      );
    }
    const keys = parseEncryptionKeys(`new:${key(2)}, old:${key(1)}`);
    expect(keys.map((k) => k.id)).toEqual(["new", "old"]);
    expect(keys[0]!.key).toEqual(Buffer.alloc(32, 2));
  });

  it("APP_BRIDGE_URL: only Shopify's CDN in production; the demo's local stand-in elsewhere", () => {
    const prod = { ...base, NODE_ENV: "production", SECRETS_ENCRYPTION_KEYS: `k1:${key(1)}` };
    expect(problems({ ...prod, APP_BRIDGE_URL: "https://cdn.shopify.com/shopifycloud/app-bridge.js" })).toEqual([]);
    for (const bad of [
      "/app-bridge-standalone.js",
      "https://evil.example/app-bridge.js",
      "https://cdn.shopify.com.evil.example/app-bridge.js",
      "https://cdn.shopify.com@evil.example/app-bridge.js",
    ]) {
      expect(problems({ ...prod, APP_BRIDGE_URL: bad }), bad).toEqual([
        "APP_BRIDGE_URL is invalid: must be on Shopify's CDN (https://cdn.shopify.com/…) in production",
      ]);
    }
    expect(problems({ ...base, NODE_ENV: "development", APP_BRIDGE_URL: "/app-bridge-standalone.js" })).toEqual([]);
  });
});
