-- DropIndex
DROP INDEX "webhook_deliveries_queued_at_received_at_idx";

-- CreateIndex
CREATE INDEX "webhook_deliveries_processed_at_queued_at_idx" ON "webhook_deliveries"("processed_at", "queued_at");
