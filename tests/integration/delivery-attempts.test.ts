/**
 * A Shopify delivery whose processing keeps failing shows its attempts and its last error on the inbox row
 * (`recordAttempt`), and stays unprocessed so the relay gives it another chance. In-process: the test calls the
 * job's function itself, with a trigger that makes this one shop's order writes fail.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { insertDelivery } from "../../app/data/inbox.server";
import { ensureShop } from "../../app/data/shops.server";
import { disconnectDb } from "../../app/db.server";
import { processDelivery } from "../../app/webhooks/process.server";
import { db, uniqueShopDomain } from "../support/api";

const payload = readFileSync(path.resolve(import.meta.dirname, "../fixtures/shopify-order-create.json"), "utf8");

afterAll(async () => {
  await disconnectDb();
});

describe("a delivery that keeps failing", () => {
  it("records each attempt and the last error, and stays unprocessed", async () => {
    const domain = uniqueShopDomain("attempts");
    const shop = await ensureShop(domain);
    // Stored as queued (the web queues its job right after the insert); not for the relay: this test runs the job.
    const { id } = await insertDelivery({
      source: "shopify",
      deliveryId: `attempts-${shop.id}`,
      topic: "orders/create",
      shopDomain: domain,
      payload,
    });
    const fn = `fail_orders_${shop.id}`;
    await db().query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'orders of this shop are refused by the test'; END $$`);
    await db().query(`CREATE TRIGGER ${fn} BEFORE INSERT ON orders FOR EACH ROW
      WHEN (NEW.shop_id = ${shop.id}) EXECUTE FUNCTION ${fn}()`);
    try {
      await expect(processDelivery(id!)).rejects.toThrow(/refused by the test/);
      await expect(processDelivery(id!)).rejects.toThrow(/refused by the test/);
      const row = await db().query(
        `SELECT attempts, last_error, processed_at, payload <> '' AS has_body FROM webhook_deliveries WHERE id = $1`,
        [id],
      );
      expect(row.rows[0]).toMatchObject({ attempts: 2, processed_at: null, has_body: true });
      expect(row.rows[0].last_error).toMatch(/P0001: orders of this shop are refused by the test/);
    } finally {
      await db().query(`DROP TRIGGER ${fn} ON orders`);
      await db().query(`DROP FUNCTION ${fn}()`);
    }
    // Once the cause is gone, the next attempt applies it.
    expect(await processDelivery(id!)).toBe("processed");
    const done = await db().query(`SELECT attempts, last_error FROM webhook_deliveries WHERE id = $1`, [id]);
    expect(done.rows[0]).toEqual({ attempts: 3, last_error: null });
  });
});
