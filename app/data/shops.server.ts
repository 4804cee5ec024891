import { randomBytes } from "node:crypto";
import type { Prisma } from "@prisma/client";
import { prisma } from "../db.server";
import { defaultSettings } from "../domain/settings";
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

export async function findShopByIngestToken(token: string) {
  return prisma.shop.findUnique({ where: { ingestToken: token } });
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
        ingestToken: newIngestToken(),
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
