/**
 * Shopify order and refund deliveries are applied in batches per shop (`apply-deliveries`, ADR 013). In-process: the
 * test stores deliveries in the inbox and runs the job's functions itself (the run's shared worker only sees jobs for
 * deliveries the web queued; these rows were never queued, and their shops are this test's own).
 */
import { afterAll, describe, expect, it } from "vitest";
import { insertDelivery } from "../../app/data/inbox.server";
import { ensureShop } from "../../app/data/shops.server";
import { disconnectDb } from "../../app/db.server";
import { applyShopDeliveries, processDelivery } from "../../app/webhooks/process.server";
import { db, uniqueShopDomain } from "../support/api";
import { shopifyOrderBody, shopifyRefundBody } from "../support/faults";

afterAll(async () => {
  await disconnectDb();
});

/**
 * One history of deliveries, out of order on purpose: an update older than the create arriving after it, a refund
 * before its order, the same refund twice (once standalone, once inside an order update), a cancellation, an order in
 * another currency, and an unreadable body.
 */
function history(): { topic: string; body: string }[] {
  const out: { topic: string; body: string }[] = [];
  for (let i = 0; i < 30; i++) {
    const id = String(9_100_000_000 + i);
    const email = `batch${i % 7}@example.com`;
    if (i % 5 === 0)
      out.push({
        topic: "refunds/create",
        body: shopifyRefundBody({ id: String(810_000 + i), orderId: id, amount: "3.50" }),
      });
    out.push({
      topic: "orders/create",
      body: shopifyOrderBody({
        id,
        email,
        total: `${20 + i}.00`,
        updatedAt: "2026-03-01T10:00:00Z",
        currency: i === 7 ? "EUR" : "USD",
      }),
    });
    if (i % 3 === 0)
      out.push({
        topic: "orders/updated",
        body: shopifyOrderBody({
          id,
          email,
          total: `${40 + i}.00`,
          updatedAt: "2026-03-01T12:00:00Z",
          refunds: i % 5 === 0 ? [{ id: String(810_000 + i), amount: "3.50" }] : [],
        }),
      });
    if (i % 4 === 0)
      // older than the create: must not win
      out.push({
        topic: "orders/updated",
        body: shopifyOrderBody({ id, email, total: "1.00", updatedAt: "2026-03-01T09:00:00Z" }),
      });
    if (i % 9 === 0)
      out.push({
        topic: "orders/cancelled",
        body: shopifyOrderBody({
          id,
          email,
          total: `${40 + i}.00`,
          updatedAt: "2026-03-01T13:00:00Z",
          cancelledAt: "2026-03-01T13:00:00Z",
        }),
      });
  }
  out.splice(11, 0, { topic: "orders/create", body: '{"id": "not a number"' });
  return out;
}

async function store(domain: string, label: string, deliveries: { topic: string; body: string }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, d] of deliveries.entries()) {
    const { id } = await insertDelivery({
      source: "shopify",
      deliveryId: `${label}-${i}`,
      topic: d.topic,
      shopDomain: domain,
      payload: d.body,
      requireInstalledShop: true,
    });
    ids.push(id!);
  }
  return ids;
}

/** The shop's orders, refunds and owed work, in its own external ids (comparable across shops). */
async function state(shopId: bigint) {
  const orders = await db().query(
    `SELECT external_id, total_price::text, currency, cancelled_at, refunded_total::text, email_keys, source_updated_at
       FROM orders WHERE shop_id = $1 ORDER BY external_id`,
    [shopId.toString()],
  );
  const refunds = await db().query(
    `SELECT external_id, order_external_id, amount::text FROM refunds WHERE shop_id = $1 ORDER BY external_id`,
    [shopId.toString()],
  );
  // Owed attribution work, or already done by the run's worker (it takes the wake-ups of `processDelivery`).
  const owed = await db().query(
    `SELECT o.external_id FROM orders o WHERE o.shop_id = $1
        AND (EXISTS (SELECT 1 FROM pending_attributions p WHERE p.shop_id = $1 AND o.id = ANY(p.order_ids))
             OR EXISTS (SELECT 1 FROM attributions a WHERE a.order_id = o.id))
      ORDER BY 1`,
    [shopId.toString()],
  );
  return { orders: orders.rows, refunds: refunds.rows, owed: owed.rows };
}

async function inbox(ids: string[]) {
  const r = await db().query(
    `SELECT id::text, processed_at IS NOT NULL AS processed, payload = '' AS body_dropped, last_error, attempts
       FROM webhook_deliveries WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return r.rows;
}

describe("order and refund deliveries applied in batches per shop", () => {
  it("give the same orders, refunds and owed attribution work as the same deliveries applied one by one", async () => {
    const deliveries = history();
    const batchedShop = await ensureShop(uniqueShopDomain("batched"));
    const aloneShop = await ensureShop(uniqueShopDomain("alone"));
    const batchedIds = await store(batchedShop.domain, `b${batchedShop.id}`, deliveries);
    const aloneIds = await store(aloneShop.domain, `a${aloneShop.id}`, deliveries);

    for (const id of aloneIds) await processDelivery(id, { alone: true });
    let jobs = 0;
    for (;;) {
      jobs += 1;
      const r = await applyShopDeliveries(batchedShop.id);
      if (!r.more) break;
    }
    // 60-odd deliveries in batches of WEBHOOK_BATCH_DELIVERIES (100): one job, one batch.
    expect(jobs).toBe(1);

    const batched = await state(batchedShop.id);
    expect(batched.orders).toHaveLength(30);
    expect(batched.owed).toHaveLength(30);
    expect(batched).toEqual(await state(aloneShop.id));
    // Every delivery is closed with its body dropped; the unreadable one says why.
    const rows = await inbox(batchedIds);
    expect(rows.every((r) => r.processed && r.body_dropped)).toBe(true);
    expect(rows.filter((r) => r.last_error).map((r) => r.last_error)).toEqual([expect.stringMatching(/^unparseable/)]);
    // An order's newest update won, whatever the arrival order; the refund that came before its order counts once.
    const first = batched.orders.find((o) => o.external_id === "9100000000")!;
    expect(first).toMatchObject({ total_price: "40.0000", refunded_total: "3.5000" });
    expect(first.cancelled_at).not.toBeNull();
  });

  it("apply the rest of a batch when one delivery fails, and record that one's attempt and error", async () => {
    const shop = await ensureShop(uniqueShopDomain("batch-fault"));
    const bad = "9200000003";
    const deliveries = Array.from({ length: 6 }, (_, i) => ({
      topic: "orders/create",
      body: shopifyOrderBody({ id: String(9_200_000_000 + i), email: `fault${i}@example.com` }),
    }));
    const ids = await store(shop.domain, `f${shop.id}`, deliveries);
    const fn = `refuse_order_${shop.id}`;
    await db().query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'this order is refused by the test'; END $$`);
    await db().query(`CREATE TRIGGER ${fn} BEFORE INSERT ON orders FOR EACH ROW
      WHEN (NEW.shop_id = ${shop.id} AND NEW.external_id = '${bad}') EXECUTE FUNCTION ${fn}()`);
    try {
      const r = await applyShopDeliveries(shop.id);
      expect(r).toEqual({ deliveries: 5, failed: 1, more: false });
    } finally {
      await db().query(`DROP TRIGGER ${fn} ON orders`);
      await db().query(`DROP FUNCTION ${fn}()`);
    }
    const orders = await db().query(`SELECT external_id FROM orders WHERE shop_id = $1 ORDER BY 1`, [
      shop.id.toString(),
    ]);
    expect(orders.rows.map((o) => o.external_id)).toEqual(
      deliveries.map((_, i) => String(9_200_000_000 + i)).filter((id) => id !== bad),
    );
    const rows = await inbox(ids);
    const failing = rows[3]!;
    expect(failing).toMatchObject({ processed: false, body_dropped: false, attempts: 1 });
    expect(failing.last_error).toMatch(/this order is refused by the test/);
    expect(rows.filter((r) => r.processed)).toHaveLength(5);
    // Once the cause is gone, the next job applies it.
    expect(await applyShopDeliveries(shop.id)).toEqual({ deliveries: 1, failed: 0, more: false });
    expect((await inbox(ids))[3]).toMatchObject({ processed: true, last_error: null, attempts: 2 });
  });
});
