-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "name_at" TIMESTAMPTZ(3),
ADD COLUMN     "name_key" TEXT;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "first_stage_at" TIMESTAMPTZ(3),
ADD COLUMN     "keys_mixed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_stage_at" TIMESTAMPTZ(3),
ADD COLUMN     "recipient_keys" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "order_tracked_messages" (
    "order_id" BIGINT NOT NULL,
    "shop_id" BIGINT NOT NULL,
    "message_key" TEXT NOT NULL,

    CONSTRAINT "order_tracked_messages_pkey" PRIMARY KEY ("order_id","message_key")
);

-- CreateTable
CREATE TABLE "rollup_sales" (
    "shop_id" BIGINT NOT NULL,
    "grain" CHAR(1) NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "campaign_id" BIGINT NOT NULL,
    "purchases" INTEGER NOT NULL,
    "gross" DECIMAL(19,4) NOT NULL,
    "refunded" DECIMAL(19,4) NOT NULL,

    CONSTRAINT "rollup_sales_pkey" PRIMARY KEY ("shop_id","grain","bucket","campaign_id")
);

-- CreateTable
CREATE TABLE "rollup_messages" (
    "shop_id" BIGINT NOT NULL,
    "grain" CHAR(1) NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "campaign_id" BIGINT NOT NULL,
    "messages" INTEGER NOT NULL,
    "sent" INTEGER NOT NULL,
    "delivered" INTEGER NOT NULL,
    "opened" INTEGER NOT NULL,
    "clicked" INTEGER NOT NULL,

    CONSTRAINT "rollup_messages_pkey" PRIMARY KEY ("shop_id","grain","bucket","campaign_id")
);

-- CreateIndex
CREATE INDEX "order_tracked_messages_shop_id_message_key_idx" ON "order_tracked_messages"("shop_id", "message_key");

-- CreateIndex
CREATE INDEX "messages_shop_id_keys_mixed_idx" ON "messages"("shop_id", "keys_mixed");
