import type { Prisma, Settings as SettingsRow } from "@prisma/client";
import { prisma } from "../db.server";
import {
  applyPatch,
  defaultChannels,
  needsReattribution,
  publicSettings,
  type ProviderSecrets,
  type SettingsPatch,
  type ShopSettings,
} from "../domain/settings";
import { CHANNELS, type Channel } from "../domain/types";

export function settingsToRow(s: ShopSettings) {
  return {
    enabled: s.enabled,
    currency: s.currency,
    channels: s.channels as unknown as Prisma.InputJsonValue,
    excludedTags: s.excluded_tags,
    ignoreMachineOpens: s.ignore_machine_opens,
    providers: s.providers as unknown as Prisma.InputJsonValue,
  };
}

export function rowToSettings(row: SettingsRow): ShopSettings {
  const stored = (row.channels ?? {}) as Partial<ShopSettings["channels"]>;
  const defaults = defaultChannels();
  const channels = Object.fromEntries(CHANNELS.map((c) => [c, stored[c] ?? defaults[c]])) as Record<
    Channel,
    ShopSettings["channels"][Channel]
  >;
  return {
    enabled: row.enabled,
    currency: row.currency,
    channels,
    excluded_tags: row.excludedTags,
    ignore_machine_opens: row.ignoreMachineOpens,
    providers: (row.providers ?? {}) as ProviderSecrets,
  };
}

export interface AttributionStatus {
  state: "idle" | "running";
  version: number;
  /** The version the stored attributions follow (equals `version` once idle). */
  attributed_version: number;
  progress: { done: number; total: number } | null;
}

export function statusOf(row: SettingsRow): AttributionStatus {
  return {
    state: row.attributionState,
    version: row.version,
    attributed_version: row.attributedVersion,
    progress: row.attributionState === "running" ? { done: row.progressDone, total: row.progressTotal } : null,
  };
}

export async function getSettingsRow(shopId: bigint) {
  return prisma.settings.findUniqueOrThrow({ where: { shopId } });
}

export async function getSettings(shopId: bigint) {
  const row = await getSettingsRow(shopId);
  return { settings: rowToSettings(row), status: statusOf(row), row };
}

/** The settings as the API shows them: secrets replaced by {"configured": bool}, plus the attribution status. */
export function presentSettings(row: SettingsRow) {
  return { ...publicSettings(rowToSettings(row)), attribution: statusOf(row) };
}

/**
 * Applies a validated patch in one transaction (row lock on the settings): bumps the version, keeps the version
 * history (without secrets) and, when the change affects attribution, marks re-attribution `running` for the new
 * version. Returns the new row and whether a re-attribution must be queued.
 */
export async function updateSettings(shopId: bigint, patch: SettingsPatch) {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM settings WHERE shop_id = ${shopId} FOR UPDATE`;
    const current = await tx.settings.findUniqueOrThrow({ where: { shopId } });
    const before = rowToSettings(current);
    const after = applyPatch(before, patch);
    // A PUT that changes nothing (e.g. GET's body sent back) keeps the version and starts nothing.
    if (JSON.stringify(settingsToRow(after)) === JSON.stringify(settingsToRow(before))) {
      return { row: current, reattribute: false };
    }
    const reattribute = needsReattribution(before, after) || current.attributionState === "running";
    const version = current.version + 1;
    const row = await tx.settings.update({
      where: { shopId },
      data: {
        ...settingsToRow(after),
        version,
        ...(reattribute
          ? { attributionState: "running", progressDone: 0, progressTotal: 0 }
          : { attributedVersion: version }),
      },
    });
    const { providers: _secrets, ...history } = after;
    await tx.settingsVersion.create({
      data: { shopId, version, settings: history as unknown as Prisma.InputJsonValue },
    });
    return { row, reattribute };
  });
}
