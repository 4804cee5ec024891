-- Secrets at rest (ADR 008): ingest tokens are looked up by their SHA-256 and stored encrypted in ingest_token.
-- Existing rows get their hash here; their plaintext token (and plaintext provider secrets) are encrypted by the
-- worker at start (and by `npm run cli -- secrets rotate-key`), which has the key.
ALTER TABLE "shops" ADD COLUMN "ingest_token_hash" TEXT;
UPDATE "shops" SET "ingest_token_hash" = encode(sha256(convert_to("ingest_token", 'UTF8')), 'hex')
 WHERE "ingest_token" NOT LIKE 'enc:v1:%';
CREATE UNIQUE INDEX "shops_ingest_token_hash_key" ON "shops"("ingest_token_hash");

-- The audit trail: who changed settings, created or revoked keys, rotated tokens, exported or imported data.
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_shop_id_at_idx" ON "audit_events"("shop_id", "at");
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
