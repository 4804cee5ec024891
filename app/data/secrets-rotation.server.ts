import { pool } from "../db.server";
import {
  decryptSecret,
  encryptSecret,
  isEncrypted,
  keyring,
  needsReencryption,
  SecretDecryptionError,
  tokenHash,
} from "./secret-box.server";
import { INGEST_TOKEN_PURPOSE } from "./shops.server";
import { decryptProviders, encryptProviders } from "./settings.server";

export interface ReencryptProgress {
  done: number;
  total: number;
}

const BATCH = 500;

function providersNeedWork(stored: unknown): boolean {
  if (!stored || typeof stored !== "object") return false;
  return Object.values(stored as Record<string, unknown>).some(
    (fields) =>
      !!fields &&
      typeof fields === "object" &&
      Object.values(fields as Record<string, unknown>).some((v) => typeof v === "string" && needsReencryption(v)),
  );
}

/**
 * Brings every stored secret to the current key (ADR 008): plaintext values written before encryption existed are
 * encrypted, values under an older key are re-encrypted, ingest tokens get their lookup hash. Each row is updated
 * only if it is still what was read (compare-and-set), so it is safe next to a running app, a second worker
 * starting at the same time, or a token rotation. `mode: "plaintext"` touches only values not yet encrypted (the
 * worker's start-up step); `"all"` also re-encrypts under the current key (`npm run cli -- secrets rotate-key`).
 */
export async function reencryptSecrets(
  mode: "plaintext" | "all",
  onProgress?: (p: ReencryptProgress) => void,
): Promise<{ ingestTokens: number; providerSettings: number; total: number; unreadable: string[] }> {
  const db = pool();
  const current = keyring().current.id;
  // $1 is the current key's id in every statement.
  const tokenFilter =
    mode === "all"
      ? `(ingest_token NOT LIKE 'enc:v1:' || $1::text || ':%' OR ingest_token_hash IS NULL)`
      : `(ingest_token NOT LIKE 'enc:v1:%' OR ingest_token_hash IS NULL OR $1::text = '')`;
  const settingsFilter = `(providers <> '{}'::jsonb AND $1::text <> '')`;
  const counts = await db.query<{ shops: string; settings: string }>(
    `SELECT (SELECT count(*) FROM shops WHERE ${tokenFilter}) AS shops,
            (SELECT count(*) FROM settings WHERE ${settingsFilter}) AS settings`,
    [current],
  );
  const total = Number(counts.rows[0]?.shops ?? 0) + Number(counts.rows[0]?.settings ?? 0);
  let done = 0;
  let ingestTokens = 0;
  let providerSettings = 0;
  /** Shops with a value no listed key can decrypt (a key dropped too early, an altered row): left as they are. */
  const unreadable = new Set<string>();
  onProgress?.({ done, total });

  let after = "0";
  for (;;) {
    const rows = await db.query<{ id: string; ingest_token: string; ingest_token_hash: string | null }>(
      `SELECT id, ingest_token, ingest_token_hash FROM shops WHERE id > $2::bigint AND ${tokenFilter} ORDER BY id LIMIT ${BATCH}`,
      [current, after],
    );
    if (rows.rows.length === 0) break;
    for (const row of rows.rows) {
      after = row.id;
      const needs =
        row.ingest_token_hash === null ||
        (mode === "all" ? needsReencryption(row.ingest_token) : !isEncrypted(row.ingest_token));
      const token = needs ? readable(() => decryptSecret(row.ingest_token, INGEST_TOKEN_PURPOSE)) : null;
      if (needs && token === null) unreadable.add(row.id);
      if (token !== null) {
        const updated = await db.query(
          `UPDATE shops SET ingest_token = $2, ingest_token_hash = $3 WHERE id = $1 AND ingest_token = $4`,
          [row.id, encryptSecret(token, INGEST_TOKEN_PURPOSE), tokenHash(token), row.ingest_token],
        );
        ingestTokens += updated.rowCount ?? 0;
      }
      done += 1;
      onProgress?.({ done, total });
    }
  }

  after = "0";
  for (;;) {
    const rows = await db.query<{ shop_id: string; providers: unknown; raw: string }>(
      `SELECT shop_id, providers, providers::text AS raw FROM settings
        WHERE shop_id > $2::bigint AND ${settingsFilter} ORDER BY shop_id LIMIT ${BATCH}`,
      [current, after],
    );
    if (rows.rows.length === 0) break;
    for (const row of rows.rows) {
      after = row.shop_id;
      const work =
        mode === "all" ? providersNeedWork(row.providers) : hasPlaintext(row.providers as Record<string, unknown>);
      const plain = work ? readable(() => decryptProviders(row.providers)) : null;
      if (work && plain === null) unreadable.add(row.shop_id);
      if (plain !== null) {
        // Decrypting everything and encrypting it again puts every field under the current key.
        const next = encryptProviders(plain);
        const updated = await db.query(
          `UPDATE settings SET providers = $2::jsonb WHERE shop_id = $1 AND providers = $3::jsonb`,
          [row.shop_id, JSON.stringify(next), row.raw],
        );
        providerSettings += updated.rowCount ?? 0;
      }
      done += 1;
      onProgress?.({ done, total });
    }
  }
  return { ingestTokens, providerSettings, total, unreadable: [...unreadable] };
}

function readable<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (error instanceof SecretDecryptionError) return null;
    throw error;
  }
}

function hasPlaintext(stored: Record<string, unknown> | null): boolean {
  if (!stored) return false;
  return Object.values(stored).some(
    (fields) =>
      !!fields &&
      typeof fields === "object" &&
      Object.values(fields as Record<string, unknown>).some((v) => typeof v === "string" && !isEncrypted(v)),
  );
}
