-- Shopify Flow trigger "Order attributed to a campaign" (docs/decisions/014-admin-extensions-and-flow.md).

-- Which shops have an enabled workflow using the trigger (Flow's lifecycle callback); only those get outbox rows.
CREATE TABLE "flow_trigger_shops" (
    "shop_id" BIGINT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "definition_id" TEXT,
    "notified_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "flow_trigger_shops_pkey" PRIMARY KEY ("shop_id")
);
ALTER TABLE "flow_trigger_shops" ADD CONSTRAINT "flow_trigger_shops_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Orders whose campaign changed, waiting for the worker to tell Flow (one row per order).
CREATE TABLE "flow_outbox" (
    "order_id" BIGINT NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),
    CONSTRAINT "flow_outbox_pkey" PRIMARY KEY ("order_id")
);
CREATE INDEX "flow_outbox_shop_id_created_at_idx" ON "flow_outbox"("shop_id", "created_at");
ALTER TABLE "flow_outbox" ADD CONSTRAINT "flow_outbox_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The campaign Flow was last told about for each order: a change back and forth before the worker drains fires once,
-- a re-attribution that lands on the same campaign fires nothing.
CREATE TABLE "flow_trigger_sent" (
    "order_id" BIGINT NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "campaign_id" BIGINT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "flow_trigger_sent_pkey" PRIMARY KEY ("order_id")
);
CREATE INDEX "flow_trigger_sent_shop_id_idx" ON "flow_trigger_sent"("shop_id");
ALTER TABLE "flow_trigger_sent" ADD CONSTRAINT "flow_trigger_sent_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- "Campaign changed", detected next to the data instead of inside the engine: statement-level triggers with transition
-- tables on attributions. One extra INSERT ... SELECT per statement of the engine; it returns at once when no shop uses
-- the trigger, and otherwise keeps only rows of shops that do whose campaign is set and differs from before.
CREATE FUNCTION "flow_outbox_on_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM flow_trigger_shops WHERE enabled) THEN
    RETURN NULL;
  END IF;
  INSERT INTO flow_outbox (order_id, shop_id)
  SELECT n.order_id, n.shop_id
    FROM attr_flow_new n
    JOIN flow_trigger_shops f ON f.shop_id = n.shop_id AND f.enabled
   WHERE n.campaign_id IS NOT NULL
  ON CONFLICT (order_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION "flow_outbox_on_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM flow_trigger_shops WHERE enabled) THEN
    RETURN NULL;
  END IF;
  INSERT INTO flow_outbox (order_id, shop_id)
  SELECT n.order_id, n.shop_id
    FROM attr_flow_new n
    JOIN attr_flow_old o ON o.order_id = n.order_id
    JOIN flow_trigger_shops f ON f.shop_id = n.shop_id AND f.enabled
   WHERE n.campaign_id IS NOT NULL AND n.campaign_id IS DISTINCT FROM o.campaign_id
  ON CONFLICT (order_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER "attributions_flow_outbox_insert" AFTER INSERT ON "attributions"
  REFERENCING NEW TABLE AS attr_flow_new
  FOR EACH STATEMENT EXECUTE FUNCTION "flow_outbox_on_insert"();

CREATE TRIGGER "attributions_flow_outbox_update" AFTER UPDATE ON "attributions"
  REFERENCING OLD TABLE AS attr_flow_old NEW TABLE AS attr_flow_new
  FOR EACH STATEMENT EXECUTE FUNCTION "flow_outbox_on_update"();
