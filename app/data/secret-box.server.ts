import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { env, parseEncryptionKeys } from "../env.server";

/**
 * Secrets at rest (docs/decisions/008-secrets-at-rest.md): AES-256-GCM with a key from SECRETS_ENCRYPTION_KEYS.
 * A stored value reads `enc:v1:<key id>:<iv, base64url>:<ciphertext + 16-byte tag, base64url>`; the key id lets keys
 * rotate (old keys stay listed until `npm run cli -- secrets rotate-key` has re-encrypted everything). The purpose
 * (e.g. `ingest_token`, `provider:mailgun.signing_key`) is authenticated as associated data, so a ciphertext copied
 * into another column or field does not decrypt.
 */
export const ENCRYPTED_PREFIX = "enc:v1:";

interface Keyring {
  current: { id: string; key: Buffer };
  byId: Map<string, Buffer>;
}

let cached: { source: string; ring: Keyring } | undefined;

/** The development stand-in: a key derived from the app secret. env.server.ts refuses to run without real keys in production. */
function devKey(): { id: string; key: Buffer } {
  return {
    id: "dev",
    key: createHmac("sha256", env().SHOPIFY_API_SECRET).update("campaign-revenue secrets-at-rest dev key").digest(),
  };
}

export function keyring(): Keyring {
  const source = env().SECRETS_ENCRYPTION_KEYS ?? "";
  if (cached?.source === source) return cached.ring;
  const keys = source ? parseEncryptionKeys(source) : [devKey()];
  const ring: Keyring = { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k.key])) };
  // Outside production the development key still decrypts, so values written before a real key was configured can
  // be moved to it with `secrets rotate-key`. Production never derives a key.
  if (env().NODE_ENV !== "production" && !ring.byId.has("dev")) ring.byId.set("dev", devKey().key);
  cached = { source, ring };
  return ring;
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(ENCRYPTED_PREFIX);
}

/** The key id a stored value was encrypted with, or null for a plaintext (not yet migrated) value. */
export function keyIdOf(value: string): string | null {
  if (!isEncrypted(value)) return null;
  return value.slice(ENCRYPTED_PREFIX.length).split(":")[0] ?? null;
}

export function encryptSecret(plaintext: string, purpose: string): string {
  const { current } = keyring();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${ENCRYPTED_PREFIX}${current.id}:${iv.toString("base64url")}:${body.toString("base64url")}`;
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

/**
 * The plaintext of a stored value. A value without the prefix is a plaintext written before encryption existed
 * (returned as is; the start-up migration encrypts it). An unknown key id or a failed tag check throws.
 */
export function decryptSecret(stored: string, purpose: string): string {
  if (!isEncrypted(stored)) return stored;
  const [keyId, ivText, bodyText] = stored.slice(ENCRYPTED_PREFIX.length).split(":");
  const key = keyId ? keyring().byId.get(keyId) : undefined;
  if (!key || ivText === undefined || bodyText === undefined) {
    throw new SecretDecryptionError(`no key "${keyId ?? ""}" in SECRETS_ENCRYPTION_KEYS for a stored secret`);
  }
  const body = Buffer.from(bodyText, "base64url");
  if (body.length < 16) throw new SecretDecryptionError("a stored secret is truncated");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivText, "base64url"));
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("a stored secret failed its integrity check (wrong key or altered value)");
  }
}

/** Whether a stored value must be (re-)encrypted: plaintext, or encrypted with a key other than the current one. */
export function needsReencryption(stored: string): boolean {
  return keyIdOf(stored) !== keyring().current.id;
}

/** The lookup hash of a high-entropy token (ingest tokens are 24 random bytes): SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
