import { recordAudit } from "../data/audit.server";
import { getSettingsRow, presentSettings, updateSettings } from "../data/settings.server";
import { findShopById, ingestTokenOf, replaceIngestToken } from "../data/shops.server";
import type { SettingsPatch } from "../domain/settings";
import { env } from "../env.server";
import { PROVIDERS, type ProviderName } from "../ingest/registry.server";
import { tryEnqueue } from "../queue/producer.server";
import { sesView } from "./ses-topics.server";

/** The event sources, from the one provider registry (app/ingest/registry.server.ts). */
export const INGEST_PROVIDERS = PROVIDERS;

export function ingestUrls(token: string): Record<ProviderName, string> {
  const base = env().SHOPIFY_APP_URL.replace(/\/+$/, "");
  return Object.fromEntries(INGEST_PROVIDERS.map((p) => [p, `${base}/ingest/${p}/${token}`])) as Record<
    ProviderName,
    string
  >;
}

/** The settings as GET /api/v1/settings and the settings page show them. */
export async function readSettings(shopId: bigint) {
  const [row, shop] = await Promise.all([getSettingsRow(shopId), findShopById(shopId)]);
  const token = ingestTokenOf(shop!);
  const settings = presentSettings(row);
  // providers.ses: the pinned SNS topics (app/settings/ses-topics.server.ts), next to the providers' secrets.
  const providers = { ...settings.providers, ses: sesView(shop!.sesTopicArns) };
  return { ...settings, providers, ingest: { token, urls: ingestUrls(token) } };
}

/**
 * Applies a validated patch; when attribution is affected, the re-attribution is queued (and relayed if Redis is
 * down). A change is recorded in the audit trail under `actor` (field names only, never a secret).
 */
export async function changeSettings(shopId: bigint, patch: SettingsPatch, actor = "unknown") {
  const { row, reattribute, changed } = await updateSettings(shopId, patch);
  if (changed.length) await recordAudit(shopId, actor, "settings.update", { version: row.version, fields: changed });
  if (reattribute) await tryEnqueue("reattribute-shop", { shopId: shopId.toString(), version: row.version });
  return readSettings(shopId);
}

/** A new ingest token: the old URLs stop working at once. Recorded in the audit trail. Returns the new settings body. */
export async function rotateIngestToken(shopId: bigint, actor: string) {
  await replaceIngestToken(shopId);
  await recordAudit(shopId, actor, "ingest_token.rotate");
  return readSettings(shopId);
}
