/**
 * A worker that dies mid-job (SIGKILL of its own process group) loses nothing and counts nothing twice: BullMQ
 * re-runs its stalled jobs on the next worker, and every handler is idempotent. Own server + worker + database
 * (the run's shared worker must not do this work), shared Redis under an own prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueShopDomain, waitFor } from "../support/api";
import { ownStack, shopifyOrderBody, shopifyRefundBody, type OwnStack } from "../support/faults";

let stack: OwnStack;

beforeAll(async () => {
  // Small batches (ADR 013): the deliveries take many transactions, so the kill lands in the middle of them.
  stack = await ownStack({ ownDatabase: true, env: { WORKER_CONCURRENCY: "4", WEBHOOK_BATCH_DELIVERIES: "10" } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const N = 160;
const orderId = (i: number) => String(1_152_921_504_606_846_976n + BigInt(i)); // 2^60 + i
const refundsOf = (i: number) => (i % 3 === 0 ? 100 : 0) + (i % 4 === 0 ? 50 : 0); // cents

describe("worker crash", () => {
  it("a worker killed with SIGKILL mid-job loses nothing and counts nothing twice", async () => {
    const domain = uniqueShopDomain("sigkill");
    const { key, shopId } = await stack.createShopWithKey(domain);
    // Clicks for every tenth customer, so attribution jobs run (and can be killed) too.
    const events = Array.from({ length: 10 }, (_, c) => ({
      id: `click-${c}`,
      type: "clicked",
      channel: "email",
      occurred_at: "2026-03-01T08:00:00Z",
      campaign_id: `camp-${c % 3}`,
      message_id: `msg-${c}`,
      recipient: { email: `buyer${c}@example.com` },
    }));
    expect((await stack.http("POST", "/api/v1/events", { key, body: { events } })).status).toBe(202);

    // Every delivery is stored and queued while no worker runs.
    const posts: Promise<{ status: number }>[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < N; i++) {
      const body = shopifyOrderBody({
        id: orderId(i),
        email: `buyer${i % 10}@example.com`,
        total: `${i + 1}.00`,
        refunds: i % 3 === 0 ? [{ id: `${800000 + i}`, amount: "1.00" }] : [],
      });
      posts.push(stack.postShopifyWebhook("orders/create", domain, body, { webhookId: `create-${i}` }));
      if (i % 5 === 0) posts.push(stack.postShopifyWebhook("orders/create", domain, body, { webhookId: `again-${i}` }));
      if (i % 4 === 0) {
        posts.push(
          stack.postShopifyWebhook(
            "refunds/create",
            domain,
            shopifyRefundBody({ id: `${900000 + i}`, orderId: orderId(i), amount: "0.50" }),
            {
              webhookId: `refund-${i}`,
            },
          ),
        );
      }
      if (posts.length >= 16) statuses.push(...(await Promise.all(posts.splice(0))).map((r) => r.status));
    }
    statuses.push(...(await Promise.all(posts)).map((r) => r.status));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const total = (
      await stack.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [domain])
    ).rows[0].n;
    expect(total).toBe(N + Math.ceil(N / 5) + Math.ceil(N / 4));

    const processed = async () =>
      (
        await stack.db.query(`SELECT count(processed_at)::int AS n FROM webhook_deliveries WHERE shop_domain = $1`, [
          domain,
        ])
      ).rows[0].n as number;

    const first = await stack.startWorker();
    const deadline = Date.now() + 60_000;
    while ((await processed()) < total / 4) {
      if (Date.now() > deadline) throw new Error(`worker made no progress:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await first.stop("SIGKILL");
    const atKill = await processed();
    expect(atKill, "the worker must die before it finished everything").toBeLessThan(total);

    await stack.startWorker();
    await waitFor(
      async () => {
        const r = await stack.db.query(
          `SELECT (SELECT count(*) FROM webhook_deliveries WHERE shop_domain = $2 AND processed_at IS NULL)::int AS inbox,
                  (SELECT count(*) FROM pending_attributions WHERE shop_id = $1)::int AS pending`,
          [shopId, domain],
        );
        return r.rows[0].inbox === 0 && r.rows[0].pending === 0;
      },
      90_000,
      "the second worker to finish the inbox and pending attributions",
    );

    const orders = await stack.db.query(
      `SELECT external_id, total_price::text AS total, refunded_total::text AS refunded FROM orders WHERE shop_id = $1`,
      [shopId],
    );
    expect(orders.rows).toHaveLength(N);
    const byId = new Map(orders.rows.map((r) => [r.external_id as string, r]));
    for (let i = 0; i < N; i++) {
      const row = byId.get(orderId(i));
      expect(row, `order ${orderId(i)}`).toBeDefined();
      expect(row!.total).toBe(`${i + 1}.0000`);
      expect(row!.refunded, `refunded of order ${i}`).toBe((refundsOf(i) / 100).toFixed(4));
    }
    const refunds = await stack.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct_ids, sum(amount)::text AS sum FROM refunds WHERE shop_id = $1`,
      [shopId],
    );
    const expectedSum = Array.from({ length: N }, (_, i) => refundsOf(i)).reduce((a, b) => a + b, 0) / 100;
    expect(refunds.rows[0]).toEqual({
      n: Math.ceil(N / 3) + Math.ceil(N / 4),
      distinct_ids: Math.ceil(N / 3) + Math.ceil(N / 4),
      sum: expectedSum.toFixed(4),
    });
    const stored = await stack.db.query(`SELECT count(*)::int AS n FROM message_events WHERE shop_id = $1`, [shopId]);
    expect(stored.rows[0].n).toBe(10);

    // Attribution: one row per order, and the sales rollup counts each counted order exactly once.
    const attr = await stack.db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE counted)::int AS counted,
              COALESCE(sum(gross) FILTER (WHERE counted), 0)::text AS gross,
              count(*) FILTER (WHERE campaign_id IS NOT NULL)::int AS attributed
         FROM attributions WHERE shop_id = $1`,
      [shopId],
    );
    expect(attr.rows[0].n).toBe(N);
    expect(attr.rows[0].attributed).toBeGreaterThan(0);
    const rollup = await stack.db.query(
      `SELECT COALESCE(sum(purchases), 0)::int AS purchases, COALESCE(sum(gross), 0)::text AS gross
         FROM rollup_sales WHERE shop_id = $1 AND grain = 'd'`,
      [shopId],
    );
    expect(rollup.rows[0]).toEqual({ purchases: attr.rows[0].counted, gross: attr.rows[0].gross });
  }, 180_000);
});
