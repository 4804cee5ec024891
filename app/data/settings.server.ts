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
import { decryptSecret, encryptSecret, isEncrypted } from "./secret-box.server";

const providerPurpose = (provider: string, field: string) => `provider:${provider}.${field}`;

/** Provider secrets as stored: every string field encrypted (ADR 008); values already encrypted are kept. */
export function encryptProviders(providers: ProviderSecrets): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(providers as Record<string, Record<string, unknown> | undefined>)
      .filter((e): e is [string, Record<string, unknown>] => !!e[1] && typeof e[1] === "object")
      .map(([name, fields]) => [
        name,
        Object.fromEntries(
          Object.entries(fields).map(([field, v]) => [
            field,
            typeof v === "string" && !isEncrypted(v) ? encryptSecret(v, providerPurpose(name, field)) : v,
          ]),
        ),
      ]),
  );
}

/** Provider secrets in clear, from their stored form (plaintext values written before ADR 008 pass through). */
export function decryptProviders(stored: unknown): ProviderSecrets {
  if (!stored || typeof stored !== "object") return {};
  return Object.fromEntries(
    Object.entries(stored as Record<string, unknown>)
      .filter((e): e is [string, Record<string, unknown>] => !!e[1] && typeof e[1] === "object")
      .map(([name, fields]) => [
        name,
        Object.fromEntries(
          Object.entries(fields).map(([field, v]) => [
            field,
            typeof v === "string" ? decryptSecret(v, providerPurpose(name, field)) : v,
          ]),
        ),
      ]),
  ) as ProviderSecrets;
}

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
    providers: decryptProviders(row.providers),
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
      return { row: current, reattribute: false, changed: [] as string[] };
    }
    const reattribute = needsReattribution(before, after) || current.attributionState === "running";
    const version = current.version + 1;
    const row = await tx.settings.update({
      where: { shopId },
      data: {
        ...settingsToRow(after),
        providers: encryptProviders(after.providers) as Prisma.InputJsonValue,
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
    return { row, reattribute, changed: changedFields(before, after) };
  });
}

/** Which settings differ (top-level names; `providers.<name>` for a provider secret set, replaced or removed). */
export function changedFields(before: ShopSettings, after: ShopSettings): string[] {
  const fields: string[] = [];
  for (const k of ["enabled", "currency", "channels", "excluded_tags", "ignore_machine_opens"] as const) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) fields.push(k);
  }
  const names = new Set([...Object.keys(before.providers), ...Object.keys(after.providers)]);
  for (const name of [...names].sort()) {
    const a = (before.providers as Record<string, unknown>)[name];
    const b = (after.providers as Record<string, unknown>)[name];
    if (JSON.stringify(a) !== JSON.stringify(b)) fields.push(`providers.${name}`);
  }
  return fields;
}
