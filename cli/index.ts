/**
 * The operator CLI: `npm run cli -- <command>`.
 *   api-key create --shop <shop.myshopify.com> [--label <text>]   prints the new key as the last line (shown once)
 *   api-key list   --shop <shop.myshopify.com>
 *   api-key revoke --shop <shop.myshopify.com> <id-or-prefix>
 *   secrets rotate-key                                              re-encrypts every stored secret with the current key
 *   data-request --shop <domain> (--email <e> | --phone <p> | --customer-id <id>) [--out <file>]
 *                                                                   a customer's data as JSON (stdout, or the file)
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
const { CLI_ACTOR } = await import("../app/data/audit.server");

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
    const created = await createApiKey(shop.id, opts.label, CLI_ACTOR);
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
    const done = await revokeApiKey(shop.id, key.replace(/…$/, ""), CLI_ACTOR);
    if (!done) {
      process.stderr.write(`No active key ${key} for ${shop.domain}.\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`Revoked ${key}.\n`);
  });

program
  .command("secrets")
  .description("secrets at rest (docs/decisions/008-secrets-at-rest.md)")
  .command("rotate-key")
  .description(
    "re-encrypt every stored secret (provider secrets, ingest tokens) with the current key, the first of SECRETS_ENCRYPTION_KEYS",
  )
  .action(async () => {
    const { reencryptSecrets } = await import("../app/data/secrets-rotation.server");
    const { keyring } = await import("../app/data/secret-box.server");
    const { SingleBar, Presets } = await import("cli-progress");
    const bar = new SingleBar(
      { stream: process.stderr, format: "Re-encrypting [{bar}] {value}/{total} rows", noTTYOutput: true },
      Presets.shades_classic,
    );
    let started = false;
    let result: Awaited<ReturnType<typeof reencryptSecrets>>;
    try {
      result = await reencryptSecrets("all", ({ done, total }) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      });
    } catch (error) {
      process.stderr.write(
        `\nStopped: ${(error as Error).message}. Rows done so far keep their new encryption; run it again once fixed.\n`,
      );
      process.exitCode = 1;
      return;
    } finally {
      bar.stop();
    }
    if (result.unreadable.length) {
      process.stderr.write(
        `No listed key decrypts some secrets of shop ids ${result.unreadable.join(", ")}: they were left as they are. ` +
          "Add the key they were written with to SECRETS_ENCRYPTION_KEYS and run this again, or set those secrets anew.\n",
      );
      process.exitCode = 1;
      return;
    }
    process.stdout.write(
      `All secrets are under key ${keyring().current.id}: ${result.ingestTokens} ingest tokens and ${result.providerSettings} shops' provider secrets re-encrypted.\n`,
    );
  });

program
  .command("data-request")
  .description("a customer's data (orders, messages, message events) as JSON, to answer a data request")
  .requiredOption("--shop <domain>", "shop domain", shopDomain)
  .option("--email <email>", "the customer's email")
  .option("--phone <phone>", "the customer's phone")
  .option("--customer-id <id>", "the customer's Shopify id")
  .option("--out <file>", "write the JSON to this file instead of stdout")
  .action(async (opts: { shop: string; email?: string; phone?: string; customerId?: string; out?: string }) => {
    const { exportCustomerData, parseCustomerQuery } = await import("../app/reports/customer-data.server");
    const parsed = parseCustomerQuery({ email: opts.email, phone: opts.phone, customer_id: opts.customerId });
    if (!parsed.ok) {
      const d = parsed.details[0]!;
      process.stderr.write(
        `${d.path.replace("customer_id", "customer-id")}: ${d.message.replace("customer_id", "customer-id")}\n`,
      );
      process.exitCode = 1;
      return;
    }
    const shop = await requireShop(opts.shop);
    if (!shop) return;
    const file = await exportCustomerData(shop, parsed, CLI_ACTOR);
    if (opts.out) {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(opts.out, `${file.json}\n`, { mode: 0o600 });
      process.stderr.write(`Wrote ${opts.out}.\n`);
    } else {
      process.stdout.write(`${file.json}\n`);
    }
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
        started = await requestImport(shop.id, parseImportRequest({ since: opts.since }), "cli", CLI_ACTOR);
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
