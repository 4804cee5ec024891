-- CreateIndex
CREATE INDEX "message_events_shop_id_occurred_at_idx" ON "message_events"("shop_id", "occurred_at");

-- Room on each page for HOT updates: a re-attribution rewrites every attribution row (settings_version).
ALTER TABLE "attributions" SET (fillfactor = 70);
