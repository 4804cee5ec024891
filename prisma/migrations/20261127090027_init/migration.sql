-- CreateEnum
CREATE TYPE "attribution_state" AS ENUM ('idle', 'running');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shops" (
    "id" BIGSERIAL NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "ingest_token" TEXT NOT NULL,
    "installed_at" TIMESTAMPTZ(3),
    "uninstalled_at" TIMESTAMPTZ(3),
    "web_pixel_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "shop_id" BIGINT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "currency" TEXT NOT NULL,
    "channels" JSONB NOT NULL,
    "excluded_tags" TEXT[],
    "ignore_machine_opens" BOOLEAN NOT NULL DEFAULT true,
    "providers" JSONB NOT NULL DEFAULT '{}',
    "attribution_state" "attribution_state" NOT NULL DEFAULT 'idle',
    "attributed_version" INTEGER NOT NULL DEFAULT 0,
    "progress_done" INTEGER NOT NULL DEFAULT 0,
    "progress_total" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("shop_id")
);

-- CreateTable
CREATE TABLE "settings_versions" (
    "shop_id" BIGINT NOT NULL,
    "version" INTEGER NOT NULL,
    "settings" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "settings_versions_pkey" PRIMARY KEY ("shop_id","version")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "label" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaigns" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT,
    "channel" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "external_id" TEXT NOT NULL,
    "campaign_id" BIGINT NOT NULL,
    "channel" TEXT NOT NULL,
    "email_key" TEXT,
    "phone_key" TEXT,
    "customer_key" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "has_sent" BOOLEAN NOT NULL DEFAULT false,
    "has_delivered" BOOLEAN NOT NULL DEFAULT false,
    "has_opened" BOOLEAN NOT NULL DEFAULT false,
    "has_clicked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_events" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "dedup_key" TEXT NOT NULL,
    "message_id" BIGINT,
    "message_key" TEXT NOT NULL,
    "campaign_key" TEXT NOT NULL,
    "campaign_name" TEXT,
    "type" TEXT NOT NULL,
    "stage" SMALLINT NOT NULL,
    "channel" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "email_key" TEXT,
    "phone_key" TEXT,
    "customer_key" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "url" TEXT,
    "machine" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT NOT NULL,
    "order_key" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT,
    "currency" TEXT NOT NULL,
    "total_price" DECIMAL(19,4) NOT NULL,
    "refunded_total" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "time_of_sale" TIMESTAMPTZ(3) NOT NULL,
    "processed_at" TIMESTAMPTZ(3),
    "source_created_at" TIMESTAMPTZ(3),
    "source_updated_at" TIMESTAMPTZ(3),
    "test" BOOLEAN NOT NULL DEFAULT false,
    "cancelled_at" TIMESTAMPTZ(3),
    "email_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "phone_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "customer_key" TEXT,
    "landing_site" TEXT,
    "redacted_at" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "refunds" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "external_id" TEXT NOT NULL,
    "order_external_id" TEXT NOT NULL,
    "amount" DECIMAL(19,4) NOT NULL,
    "currency" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attributions" (
    "order_id" BIGINT NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "message_id" BIGINT,
    "campaign_id" BIGINT,
    "channel" TEXT,
    "event_type" TEXT,
    "event_at" TIMESTAMPTZ(3),
    "linked_by" TEXT,
    "reason" TEXT,
    "time_of_sale" TIMESTAMPTZ(3) NOT NULL,
    "counted" BOOLEAN NOT NULL,
    "gross" DECIMAL(19,4) NOT NULL,
    "refunded" DECIMAL(19,4) NOT NULL,
    "settings_version" INTEGER NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attributions_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "shop_domain" TEXT NOT NULL,
    "shop_id" BIGINT,
    "payload" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "processed_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "compliance_requests" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "topic" TEXT NOT NULL,
    "customer_id" TEXT,
    "summary" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "compliance_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pending_attributions" (
    "id" BIGSERIAL NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "event_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "order_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pending_attributions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "shops_domain_key" ON "shops"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "shops_ingest_token_key" ON "shops"("ingest_token");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_shop_id_idx" ON "api_keys"("shop_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaigns_shop_id_external_id_key" ON "campaigns"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "messages_shop_id_email_key_idx" ON "messages"("shop_id", "email_key");

-- CreateIndex
CREATE INDEX "messages_shop_id_phone_key_idx" ON "messages"("shop_id", "phone_key");

-- CreateIndex
CREATE INDEX "messages_shop_id_customer_key_idx" ON "messages"("shop_id", "customer_key");

-- CreateIndex
CREATE INDEX "messages_campaign_id_sent_at_idx" ON "messages"("campaign_id", "sent_at");

-- CreateIndex
CREATE INDEX "messages_shop_id_sent_at_idx" ON "messages"("shop_id", "sent_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_shop_id_external_id_key" ON "messages"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "message_events_shop_id_message_key_occurred_at_idx" ON "message_events"("shop_id", "message_key", "occurred_at");

-- CreateIndex
CREATE INDEX "message_events_shop_id_email_key_occurred_at_idx" ON "message_events"("shop_id", "email_key", "occurred_at");

-- CreateIndex
CREATE INDEX "message_events_shop_id_phone_key_occurred_at_idx" ON "message_events"("shop_id", "phone_key", "occurred_at");

-- CreateIndex
CREATE INDEX "message_events_shop_id_customer_key_occurred_at_idx" ON "message_events"("shop_id", "customer_key", "occurred_at");

-- CreateIndex
CREATE INDEX "message_events_shop_id_order_key_idx" ON "message_events"("shop_id", "order_key");

-- CreateIndex
CREATE UNIQUE INDEX "message_events_shop_id_dedup_key_key" ON "message_events"("shop_id", "dedup_key");

-- CreateIndex
CREATE INDEX "orders_shop_id_time_of_sale_idx" ON "orders"("shop_id", "time_of_sale");

-- CreateIndex
CREATE INDEX "orders_shop_id_customer_key_idx" ON "orders"("shop_id", "customer_key");

-- CreateIndex
CREATE INDEX "orders_email_keys_idx" ON "orders" USING GIN ("email_keys");

-- CreateIndex
CREATE INDEX "orders_phone_keys_idx" ON "orders" USING GIN ("phone_keys");

-- CreateIndex
CREATE UNIQUE INDEX "orders_shop_id_external_id_key" ON "orders"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "refunds_shop_id_order_external_id_idx" ON "refunds"("shop_id", "order_external_id");

-- CreateIndex
CREATE UNIQUE INDEX "refunds_shop_id_external_id_key" ON "refunds"("shop_id", "external_id");

-- CreateIndex
CREATE INDEX "attributions_shop_id_time_of_sale_idx" ON "attributions"("shop_id", "time_of_sale");

-- CreateIndex
CREATE INDEX "attributions_shop_id_campaign_id_time_of_sale_idx" ON "attributions"("shop_id", "campaign_id", "time_of_sale");

-- CreateIndex
CREATE INDEX "webhook_deliveries_queued_at_received_at_idx" ON "webhook_deliveries"("queued_at", "received_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_source_delivery_id_key" ON "webhook_deliveries"("source", "delivery_id");

-- CreateIndex
CREATE INDEX "compliance_requests_shop_id_idx" ON "compliance_requests"("shop_id");

-- CreateIndex
CREATE INDEX "pending_attributions_shop_id_id_idx" ON "pending_attributions"("shop_id", "id");

-- AddForeignKey
ALTER TABLE "settings" ADD CONSTRAINT "settings_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "settings_versions" ADD CONSTRAINT "settings_versions_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attributions" ADD CONSTRAINT "attributions_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "compliance_requests" ADD CONSTRAINT "compliance_requests_shop_id_fkey" FOREIGN KEY ("shop_id") REFERENCES "shops"("id") ON DELETE CASCADE ON UPDATE CASCADE;
