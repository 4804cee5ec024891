import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { env } from "./env.server";

/**
 * The one database access point. `prisma` for ordinary queries; `pool` (node-postgres) for the set-based SQL
 * and COPY work of the repositories. Both read DATABASE_URL. Only `app/data/` should import this module.
 */
declare global {
  var __db: { prisma: PrismaClient; pool: pg.Pool } | undefined;
}

// NUMERIC stays a string (never a float); BIGINT (int8) stays a string too: ids and counts beyond 2^53 are exact.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

function create() {
  const connectionString = env().DATABASE_URL;
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
  return { prisma, pool };
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

export async function disconnectDb(): Promise<void> {
  const db = globalThis.__db;
  globalThis.__db = undefined;
  if (db) await Promise.allSettled([db.prisma.$disconnect(), db.pool.end()]);
}
