import { createHash, randomBytes } from "node:crypto";
import { prisma } from "../db.server";
import { recordAudit } from "./audit.server";

/** Keys look like `cr_live_<43 base64url chars>`; only their SHA-256 is stored. */
export const KEY_PREFIX = "cr_live_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Creates a key; `actor` (audit trail) is who asked: `staff:<id>`, `cli`, `api-key:<prefix>`. */
export async function createApiKey(shopId: bigint, label?: string, actor = "unknown") {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await prisma.apiKey.create({
    data: { shopId, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6), label: label ?? null },
  });
  await recordAudit(shopId, actor, "api_key.create", { id: row.id.toString(), prefix: row.prefix, label: row.label });
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
export async function revokeApiKey(shopId: bigint, idOrPrefix: string, actor = "unknown"): Promise<boolean> {
  const where = /^\d{1,19}$/.test(idOrPrefix) ? { shopId, id: BigInt(idOrPrefix) } : { shopId, prefix: idOrPrefix };
  const keys = await prisma.apiKey.findMany({
    where: { ...where, revokedAt: null },
    select: { id: true, prefix: true },
  });
  const result = await prisma.apiKey.updateMany({
    where: { ...where, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (result.count > 0) {
    await recordAudit(shopId, actor, "api_key.revoke", {
      ids: keys.map((k) => k.id.toString()),
      prefixes: keys.map((k) => k.prefix),
    });
  }
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
  return { keyId: row.id, prefix: row.prefix, shop: row.shop };
}
