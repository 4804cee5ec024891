/**
 * The Prisma CLI works offline through the WebAssembly schema engine shim
 * (prisma/engine/schema-engine.mjs, see docs/decisions/002-prisma-offline-schema-engine.md).
 *
 * Runs the real CLI (`npx prisma ...`) with PRISMA_SCHEMA_ENGINE_BINARY forced to the shim, against
 * freshly created databases and a temporary copy of a small schema, and checks the database afterwards.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at } from "../support/at";

const run = promisify(execFile);

const ROOT = path.resolve(__dirname, "../..");
const SHIM = path.join(ROOT, "prisma/engine/schema-engine.mjs");
const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const SCHEMA = `
generator client {
  provider = "prisma-client-js"
  output   = "../generated/client"
}

datasource db {
  provider = "postgresql"
}

enum CampaignStatus {
  DRAFT
  ACTIVE
}

model Shop {
  id        BigInt     @id @default(autoincrement())
  domain    String     @unique
  tags      String[]
  settings  Json       @default("{}")
  createdAt DateTime   @default(now()) @map("created_at") @db.Timestamptz(3)
  campaigns Campaign[]

  @@map("shops")
}

model Campaign {
  id       BigInt         @id @default(autoincrement())
  shopId   BigInt         @map("shop_id")
  status   CampaignStatus @default(DRAFT)
  revenue  Decimal        @default(0) @db.Decimal(19, 4)
  startsAt DateTime?      @map("starts_at") @db.Timestamptz(3)
  shop     Shop           @relation(fields: [shopId], references: [id], onDelete: Cascade)

  @@index([shopId, status, startsAt(sort: Desc)])
  @@map("campaigns")
}
`;

const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`;
const DBS = {
  dev: `prisma_offline_dev_${suffix}`,
  deploy: `prisma_offline_deploy_${suffix}`,
  push: `prisma_offline_push_${suffix}`,
};

function urlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function tables(db: string): Promise<string[]> {
  return withClient(urlFor(db), async (c) => {
    const { rows } = await c.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    return rows.map((r) => r.table_name);
  });
}

async function count(db: string, table: string): Promise<number> {
  return withClient(urlFor(db), async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n));
}

let dir: string;

/** Runs the real Prisma CLI in the temp project; `databaseUrl: null` runs it without DATABASE_URL. */
async function prisma(args: string[], databaseUrl: string | null = urlFor(DBS.dev), input?: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: SHIM,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    NO_COLOR: "1",
  };
  delete env.DATABASE_URL;
  delete env.SHADOW_DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const child = run("npx", ["prisma", ...args], {
    cwd: dir,
    env,
    timeout: 45_000,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return await child;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`prisma ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`, {
      cause: error,
    });
  }
}

function migrationDirs(): string[] {
  const base = path.join(dir, "prisma/migrations");
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-offline-"));
  fs.mkdirSync(path.join(dir, "prisma"));
  fs.writeFileSync(path.join(dir, "prisma/schema.prisma"), SCHEMA);
  // The project's own config (schema + migrations paths, DATABASE_URL handling); node_modules so it resolves.
  fs.copyFileSync(path.join(ROOT, "prisma.config.ts"), path.join(dir, "prisma.config.ts"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  await withClient(ADMIN_URL, async (c) => {
    for (const name of Object.values(DBS)) await c.query(`CREATE DATABASE "${name}"`);
  });
});

afterAll(async () => {
  await withClient(ADMIN_URL, async (c) => {
    for (const name of Object.values(DBS)) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("Prisma CLI offline (wasm schema engine shim)", { timeout: 60_000 }, () => {
  it("reports the shim as its schema engine", async () => {
    const { stdout } = await prisma(["--version"], null);
    expect(stdout).toMatch(/Schema Engine\s*:\s*schema-engine-cli [0-9a-f]{40}/);
    expect(stdout).toContain("schema-engine.mjs");
  });

  it("migrate dev --name init creates and applies a migration, then finds no drift", async () => {
    await prisma(["migrate", "dev", "--name", "init"]);
    const dirs = migrationDirs();
    expect(dirs).toHaveLength(1);
    expect(dirs[0]).toMatch(/^\d{14}_init$/);
    const sql = fs.readFileSync(path.join(dir, "prisma/migrations", at(dirs, 0), "migration.sql"), "utf8");
    expect(sql).toContain('CREATE TABLE "shops"');
    expect(sql).toContain("DECIMAL(19,4)");
    expect(await tables(DBS.dev)).toEqual(["_prisma_migrations", "campaigns", "shops"]);

    const again = await prisma(["migrate", "dev", "--name", "noop"]);
    expect(again.stdout).toContain("Already in sync");
    expect(migrationDirs()).toEqual(dirs);
  });

  it("migrate status reports the database up to date", async () => {
    const { stdout } = await prisma(["migrate", "status"]);
    expect(stdout).toContain("Database schema is up to date");
  });

  it("migrate deploy applies the migrations to a second empty database", async () => {
    await prisma(["migrate", "deploy"], urlFor(DBS.deploy));
    expect(await tables(DBS.deploy)).toEqual(["_prisma_migrations", "campaigns", "shops"]);
    expect(await count(DBS.deploy, "_prisma_migrations")).toBe(1);
  });

  it("db push syncs the schema without migrations", async () => {
    await prisma(["db", "push"], urlFor(DBS.push));
    expect(await tables(DBS.push)).toEqual(["campaigns", "shops"]);
  });

  it("migrate diff prints SQL (no database needed) and sees no drift between migrations and schema", async () => {
    const { stdout } = await prisma(
      ["migrate", "diff", "--from-empty", "--to-schema", "prisma/schema.prisma", "--script"],
      null,
    );
    expect(stdout).toContain('CREATE TABLE "shops"');
    expect(stdout).toContain('CREATE TYPE "CampaignStatus"');

    // Replays the migrations on a shadow database; exit code 0 = no difference.
    const diff = await prisma([
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema",
      "prisma/schema.prisma",
      "--exit-code",
    ]);
    expect(diff.stdout).toContain("No difference detected");
  });

  it("db execute runs a script, migrate reset --force empties the database", async () => {
    await prisma(
      ["db", "execute", "--stdin"],
      urlFor(DBS.dev),
      "INSERT INTO shops (domain) VALUES ('a.myshopify.com');",
    );
    expect(await count(DBS.dev, "shops")).toBe(1);

    await prisma(["migrate", "reset", "--force"]);
    expect(await tables(DBS.dev)).toEqual(["_prisma_migrations", "campaigns", "shops"]);
    expect(await count(DBS.dev, "shops")).toBe(0);
    expect(await count(DBS.dev, "_prisma_migrations")).toBe(1);
  });
});
