/**
 * The operator CLI: `npm run cli -- <command>`.
 *   api-key create --shop <shop.myshopify.com> [--label <text>]   prints the new key as the last line (shown once)
 *   api-key list   --shop <shop.myshopify.com>
 *   api-key revoke --shop <shop.myshopify.com> <id-or-prefix>
 */
import { existsSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
if (existsSync(".env") && process.env.NODE_ENV !== "test") process.loadEnvFile(".env");
const { assertEnvOrExit } = await import("../app/env.server");
assertEnvOrExit();
const { disconnectDb } = await import("../app/db.server");
const { ensureShop, findShopByDomain } = await import("../app/data/shops.server");
const { createApiKey, listApiKeys, revokeApiKey } = await import("../app/data/api-keys.server");

function shopDomain(value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/.test(v)) {
    throw new InvalidArgumentError("must be a shop domain like my-store.myshopify.com");
  }
  return v;
}

async function requireShop(domain: string) {
  const shop = await findShopByDomain(domain);
  if (!shop) {
    process.stderr.write(`No shop ${domain}.\n`);
    process.exitCode = 1;
    return null;
  }
  return shop;
}

const program = new Command().name("cli").description("Campaign Revenue operator commands").exitOverride();
const apiKey = program.command("api-key").description("manage a shop's public API keys");

apiKey
  .command("create")
  .description("create a key (and the shop, if it is unknown); prints the key as the last line")
  .requiredOption("--shop <domain>", "shop domain, e.g. my-store.myshopify.com", shopDomain)
  .option("--label <text>", "a note to tell keys apart")
  .action(async (opts: { shop: string; label?: string }) => {
    const shop = await ensureShop(opts.shop);
    const created = await createApiKey(shop.id, opts.label);
    process.stderr.write(
      `Created API key ${created.prefix}… (id ${created.id}) for ${shop.domain}. It is shown once:\n`,
    );
    process.stdout.write(`${created.key}\n`);
  });

apiKey
  .command("list")
  .description("list a shop's keys (prefix only; keys are stored hashed)")
  .requiredOption("--shop <domain>", "shop domain", shopDomain)
  .action(async (opts: { shop: string }) => {
    const shop = await requireShop(opts.shop);
    if (!shop) return;
    const keys = await listApiKeys(shop.id);
    if (keys.length === 0) process.stdout.write("No API keys.\n");
    for (const k of keys) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
      const used = k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : "never used";
      process.stdout.write(
        `${k.id}\t${k.prefix}…\t${state}\tcreated ${k.createdAt.toISOString()}\t${used}${k.label ? `\t${k.label}` : ""}\n`,
      );
    }
  });

apiKey
  .command("revoke")
  .description("revoke a key by id or prefix")
  .requiredOption("--shop <domain>", "shop domain", shopDomain)
  .argument("<key>", "the key's id or prefix, as `api-key list` shows them")
  .action(async (key: string, opts: { shop: string }) => {
    const shop = await requireShop(opts.shop);
    if (!shop) return;
    const done = await revokeApiKey(shop.id, key.replace(/…$/, ""));
    if (!done) {
      process.stderr.write(`No active key ${key} for ${shop.domain}.\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`Revoked ${key}.\n`);
  });

program
  .command("vitals")
  .description("each admin page's web vitals (LCP, CLS, INP) at p75 over 28 days, as Built for Shopify measures them")
  .requiredOption("--shop <domain>", "shop domain", shopDomain)
  .option("--days <n>", "days to look back", (v) => Number(v), 28)
  .action(async (opts: { shop: string; days: number }) => {
    const shop = await requireShop(opts.shop);
    if (!shop) return;
    const { webVitalsP75 } = await import("../app/data/web-vitals.server");
    const { vitalsTable } = await import("../app/vitals/report");
    process.stdout.write(vitalsTable(await webVitalsP75(shop.id, opts.days), opts.days));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = error as { exitCode?: number; code?: string };
  if (e.code === "commander.helpDisplayed" || e.code === "commander.version") process.exitCode = 0;
  else process.exitCode = e.exitCode ?? 1;
} finally {
  await disconnectDb();
}
