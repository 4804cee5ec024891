-- Web vitals of the app's own pages (App Bridge `shopify.webVitals.onReport`), per shop and page.
CREATE TABLE "web_vitals" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "page" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "metric_id" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "web_vitals_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "web_vitals_shop_id_metric_id_key" ON "web_vitals"("shop_id", "metric_id");
CREATE INDEX "web_vitals_shop_id_created_at_idx" ON "web_vitals"("shop_id", "created_at");
ALTER TABLE "web_vitals" ADD CONSTRAINT "web_vitals_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
