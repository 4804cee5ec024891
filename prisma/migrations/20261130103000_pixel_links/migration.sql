-- Issue 10.1: a pixel link counts only when its checkout_token equals the order's (docs/decisions/006-click-pixel.md).
-- IF NOT EXISTS: the history import adds the same column in its own migration.
ALTER TABLE "orders" ADD COLUMN IF NOT EXISTS "checkout_token" TEXT;

-- Every link the click pixel posted; verified_at is set once the order is known and its checkout_token matches
-- (only then is the link written to message_events as a clicked event tied to the order).
CREATE TABLE "pixel_links" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "order_key" TEXT NOT NULL,
    "message_key" TEXT NOT NULL,
    "checkout_token" TEXT NOT NULL,
    "landed_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verified_at" TIMESTAMPTZ(3),

    CONSTRAINT "pixel_links_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "pixel_links_shop_id_order_key_message_key_checkout_token_key" ON "pixel_links"("shop_id", "order_key", "message_key", "checkout_token");

-- Unverified links older than PIXEL_LINK_RETENTION_DAYS are deleted by the relay's sweep.
CREATE INDEX "pixel_links_received_at_idx" ON "pixel_links"("received_at");

ALTER TABLE "pixel_links" ADD CONSTRAINT "pixel_links_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
