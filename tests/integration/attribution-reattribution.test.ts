/**
 * Full re-attribution on a settings change (state running -> idle, figures follow the new settings), superseded
 * versions, and idempotence: the same work run twice changes nothing.
 */
import { describe, expect, it } from "vitest";
import { db, http, settled, waitFor } from "../support/api";
import { EXAMPLE_SETTINGS, emailSendAndClick, newShop, postEvents, postOrders, report } from "../support/attribution";

async function snapshot(shopId: string) {
  const a = await db().query(
    `SELECT order_id, message_id, campaign_id, channel, event_type, event_at, linked_by, reason, time_of_sale, counted,
            gross, refunded, settings_version
       FROM attributions WHERE shop_id = $1 ORDER BY order_id`,
    [shopId],
  );
  const s = await db().query(`SELECT * FROM rollup_sales WHERE shop_id = $1 ORDER BY grain, bucket, campaign_id`, [
    shopId,
  ]);
  const m = await db().query(`SELECT * FROM rollup_messages WHERE shop_id = $1 ORDER BY grain, bucket, campaign_id`, [
    shopId,
  ]);
  const msgs = await db().query(
    `SELECT external_id, campaign_id, channel, sent_at, tags, has_sent, has_delivered, has_opened, has_clicked,
            recipient_keys, keys_mixed, first_stage_at, last_stage_at FROM messages WHERE shop_id = $1 ORDER BY external_id`,
    [shopId],
  );
  const c = await db().query(
    `SELECT external_id, name, channel FROM campaigns WHERE shop_id = $1 ORDER BY external_id`,
    [shopId],
  );
  return { attributions: a.rows, sales: s.rows, messages: m.rows, msgs: msgs.rows, campaigns: c.rows };
}

/** The sales rollup as the attributions' own sums (hour and day buckets, per campaign). */
async function salesFromAttributions(shopId: string) {
  const r = await db().query(
    `SELECT g.grain, date_trunc(CASE g.grain WHEN 'h' THEN 'hour' ELSE 'day' END, a.time_of_sale, 'UTC') AS bucket,
            COALESCE(a.campaign_id, 0)::text AS campaign_id, count(*)::int AS purchases, sum(a.gross)::text AS gross,
            sum(a.refunded)::text AS refunded
       FROM attributions a CROSS JOIN (VALUES ('h'), ('d')) g(grain)
      WHERE a.shop_id = $1 AND a.counted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [shopId],
  );
  return r.rows;
}

async function storedSales(shopId: string) {
  const r = await db().query(
    `SELECT grain, bucket, campaign_id::text, purchases, gross::text, refunded::text FROM rollup_sales
      WHERE shop_id = $1 ORDER BY 1, 2, 3`,
    [shopId],
  );
  return r.rows;
}

async function seed() {
  const shop = await newShop(EXAMPLE_SETTINGS);
  const events = [];
  const orders = [];
  for (let i = 0; i < 30; i++) {
    const h = String(i % 24).padStart(2, "0");
    events.push(
      ...emailSendAndClick({
        campaign: `C${i % 4}`,
        message: `m${i}`,
        email: `u${i % 7}@example.com`,
        sent: `2026-11-0${1 + (i % 5)}T${h}:00:00Z`,
        clicked: i % 3 === 0 ? undefined : `2026-11-0${1 + (i % 5)}T${h}:30:00Z`,
        tags: i % 10 === 0 ? ["news"] : [],
      }),
    );
  }
  for (let i = 0; i < 40; i++) {
    const h = String((i * 5) % 24).padStart(2, "0");
    orders.push({
      id: `o${i}`,
      processed_at: `2026-11-0${1 + (i % 6)}T${h}:15:00Z`,
      currency: "USD",
      total_price: `${10 + i}.50`,
      email: `u${i % 9}@example.com`,
    });
  }
  await postEvents(shop, events);
  await postOrders(shop, orders);
  await settled(shop.shopId);
  return shop;
}

describe("re-attribution", () => {
  it("a settings change re-attributes the whole history: running, then idle with new figures", async () => {
    const shop = await seed();
    const before = await report(shop);
    const rowsBefore = (await snapshot(shop.shopId)).attributions;
    expect(before.summary.purchases).toBeGreaterThan(0);
    const put = await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { channels: { email: { event: "sent", window_hours: 72 } } },
    });
    expect(put.status).toBe(200);
    expect(put.body.attribution).toMatchObject({ state: "running" });
    const version = put.body.attribution.version;
    await settled(shop.shopId);
    const status = await http("GET", "/api/v1/settings", { key: shop.key });
    expect(status.body.attribution).toMatchObject({ state: "idle", version, attributed_version: version });
    const after = await report(shop);
    expect(after.summary.purchases).toBeGreaterThan(before.summary.purchases);
    expect(after.campaigns[0].sale_formula).toBe("Sale = message sent, then a purchase within 3 days of sending.");
    // A row whose outcome changed carries the new version; an unchanged one is not rewritten and keeps its own.
    const rowsAfter = (await snapshot(shop.shopId)).attributions;
    expect(rowsAfter.map((r) => r.order_id)).toEqual(rowsBefore.map((r) => r.order_id));
    let changed = 0;
    for (const [i, row] of rowsAfter.entries()) {
      const old = rowsBefore[i]!;
      const same = JSON.stringify({ ...row, settings_version: 0 }) === JSON.stringify({ ...old, settings_version: 0 });
      if (!same) changed += 1;
      expect(row.settings_version).toBe(same ? old.settings_version : version);
    }
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(rowsAfter.length);
    // Back to the old settings: back to the old figures.
    await http("PUT", "/api/v1/settings", {
      key: shop.key,
      body: { channels: { email: { event: "clicked", window_hours: 24 } } },
    });
    expect(await report(shop)).toEqual(before);
  });

  it("rollup rows whose sales all moved away are deleted, not kept as zeros (they equal the attributions' sums)", async () => {
    const shop = await seed();
    const fromAttributions = () => salesFromAttributions(shop.shopId);
    const stored = () => storedSales(shop.shopId);
    expect((await stored()).length).toBeGreaterThan(0);
    expect(await stored()).toEqual(await fromAttributions());
    // Every order in another currency now: nothing counts, every rollup row reaches zero and must go.
    await http("PUT", "/api/v1/settings", { key: shop.key, body: { currency: "EUR" } });
    await settled(shop.shopId);
    expect(await fromAttributions()).toEqual([]);
    expect(await stored()).toEqual([]);
    // And back: the rows come back with the same sums.
    await http("PUT", "/api/v1/settings", { key: shop.key, body: { currency: "USD" } });
    await settled(shop.shopId);
    expect(await stored()).toEqual(await fromAttributions());
    expect((await stored()).length).toBeGreaterThan(0);
  });

  it("re-attributing in chunks moves an order whose time of sale changed since it was attributed out of its old bucket", async () => {
    const shop = await seed();
    expect(await storedSales(shop.shopId)).toEqual(await salesFromAttributions(shop.shopId));
    // Orders edited to another day whose incremental attribution has not run yet: their stored attributions still
    // carry the old time of sale, which lies in another chunk than the one that now re-attributes them.
    await db().query(
      `UPDATE orders SET time_of_sale = time_of_sale + interval '2 days 3 hours'
        WHERE shop_id = $1 AND external_id IN ('o1', 'o2', 'o8', 'o13', 'o21')`,
      [shop.shopId],
    );
    // Key lists written as NULL by hand (the app writes empty arrays) have no keys; they do not stop a chunk.
    await db().query(
      `UPDATE orders SET email_keys = NULL, phone_keys = NULL WHERE shop_id = $1 AND external_id = 'o3'`,
      [shop.shopId],
    );
    const { reattributeShop } = await import("../../app/attribution/engine.server");
    await db().query(
      `UPDATE settings SET attribution_state = 'running', attributed_version = version - 1 WHERE shop_id = $1`,
      [shop.shopId],
    );
    const v = (await db().query(`SELECT version FROM settings WHERE shop_id = $1`, [shop.shopId])).rows[0].version;
    expect((await reattributeShop(BigInt(shop.shopId), v, { chunkOrders: 6 })).status).toBe("done");
    const moved = await db().query(
      `SELECT count(*)::int AS n FROM attributions a JOIN orders o ON o.id = a.order_id
        WHERE o.shop_id = $1 AND a.time_of_sale IS DISTINCT FROM o.time_of_sale`,
      [shop.shopId],
    );
    expect(moved.rows[0].n).toBe(0);
    expect(await storedSales(shop.shopId)).toEqual(await salesFromAttributions(shop.shopId));
  });

  it("an older version's job does nothing once a newer version exists", async () => {
    const shop = await seed();
    const { reattributeShop } = await import("../../app/attribution/engine.server");
    const current = await db().query(`SELECT version FROM settings WHERE shop_id = $1`, [shop.shopId]);
    const v = current.rows[0].version as number;
    expect(await reattributeShop(BigInt(shop.shopId), v - 1)).toMatchObject({ status: "superseded" });
    expect(await reattributeShop(BigInt(shop.shopId), v)).toMatchObject({ status: "already_done" });
  });

  it("running the same work twice changes nothing (incremental and full)", async () => {
    const shop = await seed();
    const first = await snapshot(shop.shopId);
    expect(first.attributions.length).toBe(40);
    // The same pending work again (as if a worker died after committing but before acking the job).
    await db().query(
      `INSERT INTO pending_attributions (shop_id, event_ids, order_ids)
       SELECT $1, (SELECT array_agg(id) FROM message_events WHERE shop_id = $1), (SELECT array_agg(id) FROM orders WHERE shop_id = $1)`,
      [shop.shopId],
    );
    await settled(shop.shopId);
    expect(await snapshot(shop.shopId)).toEqual(first);
    // The full re-attribution of the current version again, in small chunks.
    const { reattributeShop } = await import("../../app/attribution/engine.server");
    await db().query(
      `UPDATE settings SET attribution_state = 'running', attributed_version = version - 1 WHERE shop_id = $1`,
      [shop.shopId],
    );
    const v = (await db().query(`SELECT version FROM settings WHERE shop_id = $1`, [shop.shopId])).rows[0].version;
    const r = await reattributeShop(BigInt(shop.shopId), v, { chunkOrders: 7 });
    expect(["done", "already_done"]).toContain(r.status);
    await waitFor(
      async () =>
        (await db().query(`SELECT attribution_state FROM settings WHERE shop_id = $1`, [shop.shopId])).rows[0]
          .attribution_state === "idle",
    );
    expect(await snapshot(shop.shopId)).toEqual(first);
  });

  it("shows progress while running and stops early when superseded", async () => {
    const shop = await seed();
    const { reattributeShop } = await import("../../app/attribution/engine.server");
    const put = await http("PUT", "/api/v1/settings", { key: shop.key, body: { excluded_tags: [] } });
    const v = put.body.attribution.version;
    // Another change arrives: the first job's work is superseded.
    await http("PUT", "/api/v1/settings", { key: shop.key, body: { excluded_tags: ["news", "promo"] } });
    expect((await reattributeShop(BigInt(shop.shopId), v, { chunkOrders: 5 })).status).toBe("superseded");
    await settled(shop.shopId);
    const row = (await db().query(`SELECT * FROM settings WHERE shop_id = $1`, [shop.shopId])).rows[0];
    expect(row).toMatchObject({
      attribution_state: "idle",
      attributed_version: v + 1,
      progress_total: 40,
      progress_done: 40,
    });
  });
});
