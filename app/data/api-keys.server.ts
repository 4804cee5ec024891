import { createHash, randomBytes } from "node:crypto";
import { prisma } from "../db.server";

/** Keys look like `cr_live_<43 base64url chars>`; only their SHA-256 is stored. */
export const KEY_PREFIX = "cr_live_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export async function createApiKey(shopId: bigint, label?: string) {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await prisma.apiKey.create({
    data: { shopId, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6), label: label ?? null },
  });
  return { key, id: row.id, prefix: row.prefix, createdAt: row.createdAt };
}

export async function listApiKeys(shopId: bigint) {
  return prisma.apiKey.findMany({
    where: { shopId },
    orderBy: { id: "asc" },
    select: { id: true, prefix: true, label: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes a key of this shop (by id or by its displayed prefix). Returns false when no such active key exists. */
export async function revokeApiKey(shopId: bigint, idOrPrefix: string): Promise<boolean> {
  const where = /^\d+$/.test(idOrPrefix) ? { shopId, id: BigInt(idOrPrefix) } : { shopId, prefix: idOrPrefix };
  const result = await prisma.apiKey.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return result.count > 0;
}

/**
 * The shop of an active key, or null. A key of an uninstalled shop is inactive until the shop is reinstalled (the
 * install clears `uninstalled_at`). Updates last_used_at at most once a minute.
 */
export async function resolveApiKey(key: string) {
  const row = await prisma.apiKey.findUnique({ where: { hash: hashApiKey(key) }, include: { shop: true } });
  if (!row || row.revokedAt || row.shop.uninstalledAt) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return { keyId: row.id, shop: row.shop };
}
