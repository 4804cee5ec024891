/**
 * The operator CLI: `npm run cli -- <command>`.
 *   api-key create --shop <shop.myshopify.com> [--label <text>]   prints the new key as the last line (shown once)
 *   api-key list   --shop <shop.myshopify.com>
 *   api-key revoke --shop <shop.myshopify.com> <id-or-prefix>
 *   import-orders  --shop <shop.myshopify.com> [--since YYYY-MM-DD]   imports the order history with a progress bar;
 *                  exit 0 when completed, 1 with the reason when it failed (or one is already running)
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
  .command("import-orders")
  .description("import the shop's order history from Shopify (a bulk operation run by the worker), with progress")
  .requiredOption("--shop <domain>", "shop domain", shopDomain)
  .option(
    "--since <date>",
    "first day to import, YYYY-MM-DD in the shop's time zone (default: as far as the scopes allow)",
  )
  .action(async (opts: { shop: string; since?: string }) => {
    const shop = await requireShop(opts.shop);
    if (!shop) return;
    const { parseImportRequest, requestImport, importOf } = await import("../app/imports/service.server");
    const { ApiError } = await import("../app/http/errors");
    const { closeWebQueue } = await import("../app/queue/connection.server");
    const { SingleBar, Presets } = await import("cli-progress");
    try {
      let started;
      try {
        started = await requestImport(shop.id, parseImportRequest({ since: opts.since }), "cli");
      } catch (error) {
        if (error instanceof ApiError) {
          const details = error.details.map((d) => ` ${d.path}: ${d.message}`).join(";");
          process.stderr.write(`${error.message}${details}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      process.stderr.write(`Import ${started.id} queued for ${shop.domain}; the worker runs it.\n`);
      const bar = new SingleBar(
        {
          format: "Importing history {bar} {value} of about {total} orders | {state}",
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 1000,
        },
        Presets.shades_classic,
      );
      bar.start(1, 0, { state: "queued" });
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const now = await importOf(shop.id, started.id);
        if (!now) throw new Error("the import vanished");
        bar.setTotal(Math.max(now.orders_total ?? 1, now.orders_done, 1));
        bar.update(now.orders_done, { state: now.state });
        if (now.state === "completed") {
          bar.stop();
          process.stdout.write(
            `Completed: ${now.orders_done} orders imported (${now.orders_changed} new or changed).\n`,
          );
          return;
        }
        if (now.state === "failed") {
          bar.stop();
          process.stderr.write(`Failed: ${now.error ?? "unknown reason"}\n`);
          process.exitCode = 1;
          return;
        }
      }
    } finally {
      await closeWebQueue();
    }
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
