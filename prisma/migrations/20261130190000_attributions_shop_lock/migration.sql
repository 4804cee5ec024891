-- Incremental attribution (ADR 007, "Incremental batch, fourth pass"): the foreign key from attributions to shops
-- checked the shop's row once per inserted row (`SELECT 1 FROM shops ... FOR KEY SHARE`, ~9 µs each, a third of the
-- time of inserting a batch's attribution rows). The engine now takes that same row lock once per write
-- (`applyAttributions`), and shop/redact already deletes the rows of every table with a `shop_id` before the shop
-- (app/data/compliance.server.ts), as it does for the rollups, which never had a foreign key.
ALTER TABLE "attributions" DROP CONSTRAINT "attributions_shop_id_fkey";
