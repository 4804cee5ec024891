import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const configDir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/*
 * Schema engine switch (see docs/decisions/002-prisma-offline-schema-engine.md)
 *
 * Prisma 7's CLI runs its Rust `schema-engine` binary for migrate/db commands
 * and downloads it on first use. Machines without internet access cannot
 * download it, so when NO native engine is available we point the CLI at
 * prisma/engine/schema-engine.mjs, a shim that speaks the same protocol and
 * runs Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm) on top
 * of @prisma/adapter-pg.
 *
 * - PRISMA_SCHEMA_ENGINE_BINARY already set   -> left untouched (yours wins).
 * - native binary present where the CLI looks -> left untouched (native engine).
 * - otherwise                                 -> PRISMA_SCHEMA_ENGINE_BINARY = shim.
 *
 * Force the shim: PRISMA_SCHEMA_ENGINE_BINARY=prisma/engine/schema-engine.mjs
 * Force the native engine: PRISMA_SCHEMA_ENGINE_BINARY=/path/to/schema-engine-<platform>
 */
function nativeSchemaEngineAvailable(): boolean {
  const dirs: string[] = [];
  try {
    dirs.push(path.dirname(require.resolve("@prisma/engines/package.json")));
  } catch {
    /* not installed */
  }
  try {
    const prismaDir = path.dirname(require.resolve("prisma/package.json"));
    dirs.push(prismaDir, path.dirname(prismaDir), path.join(prismaDir, "runtime"));
  } catch {
    /* not installed */
  }
  // Same file names the CLI looks for: schema-engine-<platform>[.exe].
  return dirs.some((dir) => {
    try {
      return fs
        .readdirSync(dir)
        .some((f) => /^schema-engine-[^.]+(\.exe)?$/.test(f) && fs.statSync(path.join(dir, f)).isFile());
    } catch {
      return false;
    }
  });
}

if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && !nativeSchemaEngineAvailable()) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(configDir, "prisma", "engine", "schema-engine.mjs");
}

/*
 * DATABASE_URL is required by every command that talks to a database. Commands
 * that do not (generate, validate, format, --version, and `migrate diff`
 * between schema files / empty) work without it: `npm ci` runs
 * `prisma generate` in postinstall on machines with no environment.
 */
function commandNeedsDatabase(argv: string[]): boolean {
  const args = argv.slice(2);
  const positional = args.filter((a) => !a.startsWith("-"));
  const [command, sub] = positional;
  if (command === "migrate" && sub === "diff") {
    return args.some((a) => /config-datasource|migrations|--shadow-database-url|--from-url|--to-url/.test(a));
  }
  if (command === "migrate" || command === "studio") return true;
  if (command === "db") return sub !== undefined && sub !== "seed";
  return false;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl && commandNeedsDatabase(process.argv)) {
  throw new Error(
    "DATABASE_URL is not set. Set DATABASE_URL to the PostgreSQL connection string " +
      "(e.g. postgresql://postgres@127.0.0.1:5432/campaign_revenue) before running this Prisma command.",
  );
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
  },
  ...(databaseUrl
    ? {
        datasource: {
          url: databaseUrl,
          ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
        },
      }
    : {}),
});
