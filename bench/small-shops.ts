/**
 * `tsx bench/small-shops.ts <count> <label>` (run by the attribution bench as a child process, with the bench's
 * environment): creates `count` shops through the app's own data layer, each with an API key, and prints them as
 * one JSON array on the last line of stdout. One process for all of them (the CLI would start one per shop).
 */
import { randomBytes } from "node:crypto";

const { assertEnvOrExit } = await import("../app/env.server");
assertEnvOrExit();
const { disconnectDb } = await import("../app/db.server");
const { ensureShop } = await import("../app/data/shops.server");
const { createApiKey } = await import("../app/data/api-keys.server");

const count = Number(process.argv[2] ?? 100);
const label = process.argv[3] ?? "small";
const run = randomBytes(3).toString("hex");
const shops: { domain: string; shopId: string; key: string }[] = [];
for (let i = 0; i < count; i++) {
  const domain = `${label}-${run}-${i}.myshopify.com`;
  const shop = await ensureShop(domain);
  const { key } = await createApiKey(shop.id, "bench");
  shops.push({ domain, shopId: shop.id.toString(), key });
}
await disconnectDb();
process.stdout.write(`${JSON.stringify(shops)}\n`);
