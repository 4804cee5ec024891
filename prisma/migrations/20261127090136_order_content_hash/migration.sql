-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "content_hash" TEXT NOT NULL DEFAULT '';
