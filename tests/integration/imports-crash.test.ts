/**
 * A worker killed with SIGKILL in the middle of an import resumes from the last committed batch and finishes with
 * exactly the right orders, refunds and figures. Own server + worker + database (tests/support/faults.ts); the
 * bulk result is served slowly by a local HTTP server so the kill lands mid-download.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueShopDomain, waitFor } from "../support/api";
import { ownStack, type OwnStack } from "../support/faults";
import { ResultServer, installShop, writeScenario } from "../support/imports";

let stack: OwnStack;
let results: ResultServer;

beforeAll(async () => {
  stack = await ownStack({ ownDatabase: true });
  results = await new ResultServer().start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await results?.stop();
});

const N = 5000;
const orderId = (i: number) => String(1_152_921_504_606_846_976n + BigInt(i)); // 2^60 + i

function bulkFile(): { text: string; lines: number; total: string; refunded: string } {
  let text = "";
  let lines = 0;
  let total = 0;
  let refunded = 0;
  for (let i = 0; i < N; i++) {
    const cents = 1000 + i;
    total += cents;
    const refunds =
      i % 7 === 0
        ? [
            {
              id: `gid://shopify/Refund/${900_000 + i}`,
              createdAt: "2026-06-02T00:00:00Z",
              totalRefundedSet: { shopMoney: { amount: "1.25", currencyCode: "USD" } },
            },
          ]
        : [];
    if (refunds.length) refunded += 125;
    text += `${JSON.stringify({
      id: `gid://shopify/Order/${orderId(i)}`,
      name: `#${i}`,
      email: `buyer${i % 50}@example.com`,
      createdAt: "2026-06-01T10:00:00Z",
      processedAt: "2026-06-01T10:00:00Z",
      updatedAt: "2026-06-01T10:00:00Z",
      cancelledAt: null,
      test: false,
      currencyCode: "USD",
      totalPriceSet: { shopMoney: { amount: (cents / 100).toFixed(2), currencyCode: "USD" } },
      customer: null,
      refunds,
    })}\n`;
    lines++;
    if (i % 11 === 0) {
      // a refund as its own line (__parentId), as Shopify writes a connection's children
      text += `${JSON.stringify({ id: `gid://shopify/Refund/${700_000 + i}`, createdAt: "2026-06-03T00:00:00Z", totalRefundedSet: { shopMoney: { amount: "0.50", currencyCode: "USD" } }, __parentId: `gid://shopify/Order/${orderId(i)}` })}\n`;
      lines++;
      refunded += 50;
    }
  }
  return { text, lines, total: (total / 100).toFixed(4), refunded: (refunded / 100).toFixed(4) };
}

describe("import crash", () => {
  it("a worker killed mid-import resumes from the last committed batch: no order twice, none missing", async () => {
    const domain = uniqueShopDomain("crash");
    const { key, shopId } = await stack.createShopWithKey(domain);
    await installShop(domain, stack.db);
    const file = bulkFile();
    const url = results.serve(`crash-${shopId}`, file.text, "slow");
    writeScenario(domain, { bulk: { url, objectCount: file.lines } });

    const first = await stack.startWorker();
    const started = await stack.http("POST", "/api/v1/imports", { key, body: {} });
    expect(started.status).toBe(202);
    const progress = async () =>
      (await stack.db.query(`SELECT orders_done, state FROM imports WHERE id = $1`, [started.body.id])).rows[0];
    await waitFor(async () => (await progress()).orders_done >= 500, 60_000, "the first batches");
    await first.stop("SIGKILL");
    const atKill = await progress();
    expect(atKill.state).toBe("running");
    expect(atKill.orders_done).toBeLessThan(N);

    await stack.startWorker();
    const done = await waitFor(
      async () => {
        const r = await stack.http("GET", `/api/v1/imports/${started.body.id}`, { key });
        return r.body.state === "completed" || r.body.state === "failed" ? r.body : null;
      },
      120_000,
      "the resumed import",
    );
    expect(done).toMatchObject({ state: "completed", orders_done: N, error: null });

    const sums = await stack.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS ids, sum(total_price)::text AS total,
              sum(refunded_total)::text AS refunded FROM orders WHERE shop_id = $1`,
      [shopId],
    );
    expect(sums.rows[0]).toEqual({ n: N, ids: N, total: file.total, refunded: file.refunded });
    await waitFor(
      async () => {
        const r = await stack.db.query(
          `SELECT (SELECT count(*) FROM pending_attributions WHERE shop_id = $1)::int AS pending,
                  (SELECT count(*) FROM attributions WHERE shop_id = $1)::int AS attributed,
                  (SELECT sum(gross)::text FROM attributions WHERE shop_id = $1) AS gross,
                  (SELECT sum(refunded)::text FROM attributions WHERE shop_id = $1) AS refunded`,
          [shopId],
        );
        const row = r.rows[0];
        return row.pending === 0 && row.attributed === N && row.gross === file.total && row.refunded === file.refunded;
      },
      120_000,
      "every imported order attributed once with the right figures",
    );
  }, 300_000);
});
