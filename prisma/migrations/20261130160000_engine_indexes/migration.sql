-- Incremental attribution (ADR 007, "Incremental batch, covering key indexes"): an order's candidate events are found
-- through the (shop_id, <key>, occurred_at) indexes, and the engine then read each event's heap row for its stage,
-- type, machine flag and message id (about four heap pages per order, most of them outside shared buffers). Carrying
-- those four columns in the index leaves makes the probes index-only. Same names and key columns as before, so
-- Prisma's @@index declarations still match (Prisma cannot declare INCLUDE columns; keep them if `migrate dev` offers
-- to drop them).
--
-- On a large existing install, build the new indexes first with CREATE INDEX CONCURRENTLY under temporary names,
-- then drop the old ones and rename (README, "Deploy").
DROP INDEX "message_events_shop_id_email_key_occurred_at_idx";
CREATE INDEX "message_events_shop_id_email_key_occurred_at_idx" ON "message_events"("shop_id", "email_key", "occurred_at")
  INCLUDE ("stage", "type", "machine", "message_key");
DROP INDEX "message_events_shop_id_phone_key_occurred_at_idx";
CREATE INDEX "message_events_shop_id_phone_key_occurred_at_idx" ON "message_events"("shop_id", "phone_key", "occurred_at")
  INCLUDE ("stage", "type", "machine", "message_key");
DROP INDEX "message_events_shop_id_customer_key_occurred_at_idx";
CREATE INDEX "message_events_shop_id_customer_key_occurred_at_idx" ON "message_events"("shop_id", "customer_key", "occurred_at")
  INCLUDE ("stage", "type", "machine", "message_key");

-- Redacted orders keep their stored attribution (ADR 007); a re-attribution chunk reads them apart from the others.
-- Redactions are rare, so a partial index finds them without reading the chunk's orders a second time.
CREATE INDEX "orders_redacted_idx" ON "orders"("shop_id", "time_of_sale") WHERE "redacted_at" IS NOT NULL;

-- A re-attribution chunk reads the messages whose first and last stage events can reach its time range. Messages are
-- stored roughly in the order they were sent, so a BRIN index of the two times lets the chunk read only the pages of
-- its months instead of scanning every message of the shop once per chunk (~0.3 s per chunk at 3.3M messages).
CREATE INDEX "messages_stage_span_brin" ON "messages" USING BRIN ("first_stage_at", "last_stage_at");
