-- Holdouts (ADR 011): a campaign's control group is read through its held_out events. A partial index keeps that
-- lookup small whatever the size of message_events (only held_out rows are indexed).
CREATE INDEX "message_events_held_out_idx" ON "message_events"("shop_id", "campaign_key", "occurred_at") WHERE "type" = 'held_out';
