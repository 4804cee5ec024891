/**
 * Scaling out on real parts (ADR 012): two worker processes share one queue and come to the same results as one
 * worker; the report presenters read through DATABASE_READ_URL when it is set. Own server, workers and database (the
 * run's shared worker must not take these jobs), shared Redis under an own prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueShopDomain, waitFor } from "../support/api";
import { ownStack, shopifyOrderBody, type OwnStack } from "../support/faults";
import type { Proc } from "../support/processes";

let stack: OwnStack;
let extra: Proc | null = null;

beforeAll(async () => {
  // LOG_LEVEL debug: each worker logs the deliveries it applied and every job it completed, which tells who did the
  // work.
  stack = await ownStack({ ownDatabase: true, env: { LOG_LEVEL: "debug", WORKER_CONCURRENCY: "2" } });
}, 120_000);

afterAll(async () => {
  await extra?.stop();
  await stack?.stop();
});

const CUSTOMERS = 12;
const ORDERS = 90;

/** One shop's history: clicks for most customers, then orders as Shopify webhooks, then a settings change. */
async function runShop(label: string) {
  const domain = uniqueShopDomain(label);
  const { key, shopId } = await stack.createShopWithKey(domain);
  const events = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    if (c % 4 === 3) continue; // some customers never clicked anything
    for (const [type, at] of [
      ["sent", `2026-03-0${1 + (c % 3)}T08:00:00Z`],
      ["clicked", `2026-03-0${1 + (c % 3)}T09:${String(c).padStart(2, "0")}:00Z`],
    ] as const) {
      events.push({
        id: `${c}-${type}`,
        type,
        channel: c % 5 === 0 ? "sms" : "email",
        occurred_at: at,
        campaign_id: `camp-${c % 3}`,
        message_id: `msg-${c}`,
        recipient: c % 5 === 0 ? { phone: `+1415555${String(1000 + c)}` } : { email: `buyer${c}@example.com` },
        tags: c % 6 === 1 ? ["password-reset"] : [],
      });
    }
  }
  expect((await stack.http("POST", "/api/v1/events", { key, body: { events } })).status).toBe(202);
  const posts = [];
  for (let i = 0; i < ORDERS; i++) {
    const c = i % CUSTOMERS;
    const body = shopifyOrderBody({
      id: String(4_000_000_000 + i),
      email: `buyer${c}@example.com`,
      total: `${10 + i}.25`,
      createdAt: `2026-03-0${1 + (i % 4)}T${String(9 + (i % 12)).padStart(2, "0")}:30:00Z`,
      customerId: String(7000 + c),
      refunds: i % 7 === 0 ? [{ id: String(600_000 + i), amount: "2.00" }] : [],
    });
    posts.push(stack.postShopifyWebhook("orders/create", domain, body, { webhookId: `${label}-${i}` }));
  }
  const statuses = (await Promise.all(posts)).map((r) => r.status);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  await settle(shopId, domain);
  const put = await stack.http("PUT", "/api/v1/settings", {
    key,
    body: { excluded_tags: ["password-reset"], channels: { sms: { event: "clicked", window_hours: 72 } } },
  });
  expect(put.status).toBe(200);
  await settle(shopId, domain);
  return { shopId, domain, key, snapshot: await snapshot(shopId) };
}

async function settle(shopId: string, domain: string) {
  await waitFor(
    async () => {
      const r = await stack.db.query(
        `SELECT (SELECT count(*) FROM webhook_deliveries WHERE shop_domain = $2 AND processed_at IS NULL)::int AS inbox,
                (SELECT count(*) FROM pending_attributions WHERE shop_id = $1)::int AS pending,
                (SELECT count(*) FROM settings WHERE shop_id = $1 AND attribution_state = 'running')::int AS running`,
        [shopId, domain],
      );
      return r.rows[0].inbox === 0 && r.rows[0].pending === 0 && r.rows[0].running === 0;
    },
    120_000,
    `shop ${domain} to settle`,
  );
}

/** What the shop's figures are, in its own external ids (comparable across shops). */
async function snapshot(shopId: string) {
  const a = await stack.db.query(
    `SELECT o.external_id AS order_id, m.external_id AS message, c.external_id AS campaign, a.channel, a.event_type,
            a.event_at, a.linked_by, a.reason, a.counted, a.gross::text, a.refunded::text
       FROM attributions a JOIN orders o ON o.id = a.order_id
       LEFT JOIN messages m ON m.id = a.message_id LEFT JOIN campaigns c ON c.id = a.campaign_id
      WHERE a.shop_id = $1 ORDER BY o.external_id`,
    [shopId],
  );
  const sales = await stack.db.query(
    `SELECT s.grain, s.bucket, COALESCE(c.external_id, '-') AS campaign, s.purchases, s.gross::text, s.refunded::text
       FROM rollup_sales s LEFT JOIN campaigns c ON c.id = s.campaign_id
      WHERE s.shop_id = $1 ORDER BY 1, 2, 3`,
    [shopId],
  );
  const messages = await stack.db.query(
    `SELECT r.grain, r.bucket, c.external_id AS campaign, r.messages, r.sent, r.delivered, r.opened, r.clicked
       FROM rollup_messages r JOIN campaigns c ON c.id = r.campaign_id WHERE r.shop_id = $1 ORDER BY 1, 2, 3`,
    [shopId],
  );
  return { attributions: a.rows, sales: sales.rows, messages: messages.rows };
}

/** Jobs a worker completed (one "job completed" line each, at LOG_LEVEL debug). */
const completed = (p: Proc) => (p.output().match(/"msg":"job completed"/g) ?? []).length;

/** Deliveries a worker applied: one per "webhook processed" line, `deliveries` per batch ("webhooks processed"). */
const applied = (p: Proc) => {
  const out = p.output();
  const single = (out.match(/"msg":"webhook processed"/g) ?? []).length;
  const batched = [...out.matchAll(/"msg":"webhooks processed"[^\n]*?"deliveries":(\d+)/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  return single + batched;
};

describe("scale-out", () => {
  it("two worker processes share the work, both busy, with the same results as one worker", async () => {
    const first = await stack.startWorker();
    extra = first;
    const second = await stack.startWorker();
    // Three shops at once: each shop's deliveries, attribution and re-attribution are jobs (about fifteen in all,
    // three shops' at a time, more than one worker's concurrency of 2), and both workers take jobs from the one queue.
    // Which worker applies a shop's deliveries is up to timing: one job applies them in batches (ADR 013), so one
    // worker may apply all of them while the other's jobs find them applied. Together they apply each exactly once.
    const two = await Promise.all(["two-workers-a", "two-workers-b", "two-workers-c"].map((l) => runShop(l)));
    expect(completed(first), "the first worker completed jobs").toBeGreaterThan(0);
    expect(completed(second), "the second worker completed jobs").toBeGreaterThan(0);
    expect(applied(first) + applied(second)).toBe(3 * ORDERS);

    // The same history for another shop, with one worker left.
    await first.stop();
    extra = null;
    const one = await runShop("one-worker");
    expect(one.snapshot.attributions).toHaveLength(ORDERS);
    expect(one.snapshot.attributions.filter((r) => r.campaign !== null).length).toBeGreaterThan(0);
    for (const shop of two) expect(shop.snapshot).toEqual(one.snapshot);
  }, 300_000);

  it("reports read through DATABASE_READ_URL when it is set", async () => {
    const url = new URL(stack.env.DATABASE_URL!);
    url.searchParams.set("application_name", "cr_read_replica_test");
    const replica = await ownStack({
      env: { DATABASE_URL: stack.env.DATABASE_URL!, DATABASE_READ_URL: url.toString() },
    });
    try {
      const { key } = await replica.createShopWithKey(uniqueShopDomain("replica"));
      const readers = async () =>
        (
          await replica.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cr_read_replica_test'`,
          )
        ).rows[0].n as number;
      expect(await readers()).toBe(0);
      const res = await replica.http(
        "GET",
        "/api/v1/reports/campaigns?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z",
        { key },
      );
      expect(res.status).toBe(200);
      // The report's reads opened connections on the read URL (pooled, idle for a while after the request).
      expect(await readers()).toBeGreaterThan(0);
    } finally {
      await replica.stop();
    }
  }, 120_000);
});
