import { randomBytes } from "node:crypto";
import type { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import { defaultSettings } from "../domain/settings";
import { decryptSecret, encryptSecret, tokenHash } from "./secret-box.server";
import { settingsToRow } from "./settings.server";

export function newIngestToken(): string {
  return randomBytes(24).toString("base64url");
}

export async function findShopByDomain(domain: string) {
  return prisma.shop.findUnique({ where: { domain } });
}

export async function findShopById(id: bigint) {
  return prisma.shop.findUnique({ where: { id } });
}

/** The ingest token's purpose, authenticated with its ciphertext (ADR 008). */
export const INGEST_TOKEN_PURPOSE = "ingest_token";

/** The stored form of a new ingest token: encrypted, plus the SHA-256 it is looked up by. */
export function storedIngestToken(token: string) {
  return { ingestToken: encryptSecret(token, INGEST_TOKEN_PURPOSE), ingestTokenHash: tokenHash(token) };
}

/** The shop's ingest token in clear (for its URLs on the settings page and GET /api/v1/settings). */
export function ingestTokenOf(shop: { ingestToken: string }): string {
  return decryptSecret(shop.ingestToken, INGEST_TOKEN_PURPOSE);
}

export async function findShopByIngestToken(token: string) {
  const byHash = await prisma.shop.findUnique({ where: { ingestTokenHash: tokenHash(token) } });
  if (byHash) return byHash;
  // A row written before ADR 008 by code that did not hash (the start-up migration hashes and encrypts it).
  const legacy = await prisma.shop.findUnique({ where: { ingestToken: token } });
  return legacy && legacy.ingestTokenHash === null ? legacy : null;
}

/** A new ingest token for the shop; the old one (and every URL built from it) stops working at once. */
export async function replaceIngestToken(shopId: bigint): Promise<string> {
  const token = newIngestToken();
  await prisma.shop.update({ where: { id: shopId }, data: storedIngestToken(token) });
  return token;
}

/**
 * The shop with this domain, created (with default settings, version 1) when unknown. Safe under concurrency:
 * two callers racing on the same domain get the same row.
 */
export async function ensureShop(
  domain: string,
  init?: { currency?: string; timezone?: string; name?: string | null },
) {
  const existing = await findShopByDomain(domain);
  if (existing) return existing;
  const currency = init?.currency ?? "USD";
  const settings = defaultSettings(currency);
  try {
    return await prisma.shop.create({
      data: {
        domain,
        name: init?.name ?? null,
        currency,
        timezone: init?.timezone ?? "UTC",
        ...storedIngestToken(newIngestToken()),
        settings: { create: { ...settingsToRow(settings), version: 1, attributedVersion: 1 } },
        settingsVersions: { create: { version: 1, settings: settings as unknown as Prisma.InputJsonValue } },
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      const raced = await findShopByDomain(domain);
      if (raced) return raced;
    }
    throw error;
  }
}

/** Install details read from Shopify. The settings currency follows the shop currency only while no order exists. */
export async function recordShopDetails(
  domain: string,
  details: { name: string | null; currency: string; timezone: string },
) {
  const shop = await ensureShop(domain, details);
  return prisma.shop.update({
    where: { id: shop.id },
    data: {
      name: details.name,
      currency: details.currency,
      timezone: details.timezone,
      installedAt: new Date(),
      uninstalledAt: null,
    },
  });
}

export async function markUninstalled(domain: string) {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: domain } }),
    prisma.shop.updateMany({ where: { domain }, data: { uninstalledAt: new Date() } }),
  ]);
}

export async function setWebPixelId(shopId: bigint, webPixelId: string) {
  await prisma.shop.update({ where: { id: shopId }, data: { webPixelId } });
}

/**
 * Pins `topicArn` as the shop's only accepted SES topic if it pins none yet (atomic: two first messages racing pin
 * one topic). Returns the shop's pinned topics afterwards.
 */
export async function pinSesTopicIfNone(shopId: bigint, topicArn: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ ses_topic_arns: string[] | null }[]>`
    UPDATE shops SET ses_topic_arns = ARRAY[${topicArn}]::text[]
     WHERE id = ${shopId} AND cardinality(coalesce(ses_topic_arns, '{}')) = 0
     RETURNING ses_topic_arns`;
  if (rows[0]) return rows[0].ses_topic_arns ?? [];
  const shop = await prisma.shop.findUnique({ where: { id: shopId }, select: { sesTopicArns: true } });
  return shop?.sesTopicArns ?? [];
}

export async function setSesTopicArns(shopId: bigint, topicArns: string[]): Promise<void> {
  await prisma.shop.update({ where: { id: shopId }, data: { sesTopicArns: topicArns } });
}
