-- Incremental attribution (ADR 007, "Incremental batch, fifth pass"): every candidate event is joined to its message
-- through (shop_id, external_id) for the message's id, time sent, campaign, channel and tags, and that read the
-- message's heap row: about one page outside shared buffers per candidate at 3.3M messages, a quarter of an
-- incremental batch. Carrying those five columns in the unique index's leaves makes the join index-only wherever the
-- message's page is all-visible (a message updated since the last vacuum is read from its row, as before). Same
-- name, key columns and uniqueness as before, so Prisma's @@unique still matches and ON CONFLICT (shop_id,
-- external_id) still infers it (Prisma cannot declare INCLUDE columns; keep them if `migrate dev` offers to drop them).
--
-- On a large existing install, build the new index first with CREATE UNIQUE INDEX CONCURRENTLY under a temporary
-- name, then drop the old one and rename (README, "Deploy").
DROP INDEX "messages_shop_id_external_id_key";
CREATE UNIQUE INDEX "messages_shop_id_external_id_key" ON "messages"("shop_id", "external_id")
  INCLUDE ("id", "sent_at", "campaign_id", "channel", "tags");
