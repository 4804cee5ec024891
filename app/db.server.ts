import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { env } from "./env.server";

/**
 * The one database access point. `prisma` for ordinary queries; `pool` (node-postgres) for the set-based SQL
 * and COPY work of the repositories. Both read DATABASE_URL; `readPool()` reads DATABASE_READ_URL when it is set.
 * Only `app/data/` should import this module.
 */
declare global {
  var __db: { prisma: PrismaClient; pool: pg.Pool; read: pg.Pool | null } | undefined;
}

/**
 * libpq options for every session of this process. The worker sets `synchronous_commit=off` before its first query
 * (`enableAsyncCommit`): everything it writes is derived from rows the web process committed durably and every job is
 * idempotent, so a PostgreSQL crash can only lose a suffix of its last commits, which the relay and BullMQ redo;
 * in exchange its commits no longer wait for (and queue behind) WAL flushes that the web's acknowledgements need
 * (docs/decisions/013-queueing-fairness.md).
 */
let sessionOptions: string | undefined;

export function enableAsyncCommit(): void {
  if (globalThis.__db) throw new Error("enableAsyncCommit must be called before the first query");
  sessionOptions = "-c synchronous_commit=off";
}

// NUMERIC stays a string (never a float); BIGINT (int8) stays a string too: ids and counts beyond 2^53 are exact.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

function create() {
  const connectionString = env().DATABASE_URL;
  const options = sessionOptions;
  const pool = new pg.Pool({ connectionString, max: 10, options });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, options }) });
  const readUrl = env().DATABASE_READ_URL;
  const read = readUrl && readUrl !== connectionString ? new pg.Pool({ connectionString: readUrl, max: 10 }) : null;
  read?.on("error", () => {});
  return { prisma, pool, read };
}

function instance() {
  globalThis.__db ??= create();
  return globalThis.__db;
}

export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get: (_t, prop) => Reflect.get(instance().prisma, prop),
});

export function pool(): pg.Pool {
  return instance().pool;
}

/**
 * Reads that may lag the primary a little (the report presenters): a pool on DATABASE_READ_URL (a read replica) when
 * it is set, otherwise the primary's pool.
 */
export function readPool(): pg.Pool {
  const db = instance();
  return db.read ?? db.pool;
}

export async function disconnectDb(): Promise<void> {
  const db = globalThis.__db;
  globalThis.__db = undefined;
  if (db) await Promise.allSettled([db.prisma.$disconnect(), db.pool.end(), db.read?.end()]);
}
