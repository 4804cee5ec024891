import { prisma } from "../db.server";

/** A round trip to PostgreSQL (the health check). */
export async function pingDatabase(): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
