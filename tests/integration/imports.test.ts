/**
 * History import (GraphQL bulk operation) and reconciliation, through the running server and worker. Shopify's
 * Admin API is the msw fake (tests/msw/shopify-admin.ts) inside the worker, driven by a scenario file per shop; the
 * bulk result is served by a local HTTP server.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createShopWithKey,
  db,
  http,
  postShopifyWebhook,
  settled,
  stackEnv,
  uniqueShopDomain,
  waitFor,
} from "../support/api";
import type { FakeScenario } from "../msw/shopify-admin";
import { runCli } from "../support/processes";
import { ResultServer, fakeCalls, installShop, jsonlLines, writeScenario } from "../support/imports";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/shopify-bulk");
const ORDERS = readFileSync(path.join(FIXTURES, "orders.jsonl"), "utf8");
const ORDERS_CUT = readFileSync(path.join(FIXTURES, "orders-cut.jsonl"), "utf8");

let results: ResultServer;
beforeAll(async () => {
  results = await new ResultServer().start();
});
afterAll(async () => {
  await results.stop();
});

async function shop(label: string) {
  const s = await createShopWithKey(uniqueShopDomain(label));
  await installShop(s.domain);
  return s;
}

async function importRow(id: string) {
  return (await db().query(`SELECT * FROM imports WHERE id = $1`, [id])).rows[0];
}

async function finished(key: string, id: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const r = await http("GET", `/api/v1/imports/${id}`, { key });
      return r.body.state === "completed" || r.body.state === "failed" ? r.body : null;
    },
    timeoutMs,
    `import ${id} to finish`,
  );
}

async function orderRows(shopId: string) {
  const r = await db().query(
    `SELECT external_id, name, currency, total_price::text AS total, refunded_total::text AS refunded, test,
            cancelled_at IS NOT NULL AS cancelled, email_keys, checkout_token, landing_site, customer_key
       FROM orders WHERE shop_id = $1 ORDER BY external_id`,
    [shopId],
  );
  return r.rows;
}

describe("history import", () => {
  it("imports the bulk result through the write path: refunds, cancelled, test, other currency, big ids, non-ASCII", async () => {
    const s = await shop("imp");
    const url = results.serve(`ok-${s.shopId}`, ORDERS);
    writeScenario(s.domain, { bulk: { runningMs: 1200, url, objectCount: jsonlLines(ORDERS) } });

    const started = await http("POST", "/api/v1/imports", { key: s.key, body: { since: "2026-01-01" } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: "history", state: "queued", orders_done: 0, error: null });
    expect(started.body.since).toBe("2026-01-01T00:00:00.000Z");

    // a second import while one runs
    const again = await http("POST", "/api/v1/imports", { key: s.key, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");

    const done = await finished(s.key, started.body.id);
    expect(done).toMatchObject({ state: "completed", orders_done: 5, orders_total: 6, error: null });
    expect(done.started_at).not.toBeNull();
    expect(done.finished_at).not.toBeNull();

    const rows = await orderRows(s.shopId);
    expect(rows.map((r) => r.external_id)).toEqual([
      "450789469",
      "450789470",
      "450789471",
      "450789472",
      "9007199254740993",
    ]);
    const by = new Map(rows.map((r) => [r.external_id, r]));
    expect(by.get("450789469")).toMatchObject({
      name: "#1001",
      total: "120.0000",
      refunded: "12.5000", // 10.00 inline + 2.50 as a __parentId child line
      checkout_token: "b1946ac92492d2347c6235b4d2611184",
      landing_site: "/products/tea?cr_mid=msg-1",
      customer_key: "115310627314723954",
    });
    expect(by.get("9007199254740993")!.email_keys).toEqual(["zoë@exämple.com"]);
    expect(by.get("450789470")!.cancelled).toBe(true);
    expect(by.get("450789471")!.test).toBe(true);
    expect(by.get("450789472")).toMatchObject({ currency: "EUR", total: "92.3000", refunded: "9.2300" });

    // the query asked Shopify for orders since the date, in the shop's time zone
    const run = fakeCalls(s.domain).find((c) => c.operation === "bulkOperationRunQuery");
    expect(String(run!.query)).toContain("created_at:>='2026-01-01T00:00:00.000Z'");
    await settled(s.shopId);
    const attributed = await db().query(`SELECT count(*)::int AS n FROM attributions WHERE shop_id = $1`, [s.shopId]);
    expect(attributed.rows[0].n).toBe(5);

    // importing twice changes nothing
    const second = await http("POST", "/api/v1/imports", { key: s.key, body: { since: "2026-01-01" } });
    expect(second.status).toBe(202);
    const done2 = await finished(s.key, second.body.id);
    expect(done2).toMatchObject({ state: "completed", orders_done: 5, orders_changed: 0 });
    expect(await orderRows(s.shopId)).toEqual(rows);

    const list = await http("GET", "/api/v1/imports?kind=history", { key: s.key });
    expect(list.body.imports.map((i: { id: string }) => i.id)).toEqual([second.body.id, started.body.id]);
  });

  it("does not overwrite an order that a newer webhook stored during the import", async () => {
    const s = await shop("race");
    const url = results.serve(`race-${s.shopId}`, ORDERS);
    writeScenario(s.domain, { bulk: { hold: true, url, objectCount: jsonlLines(ORDERS) } });
    const started = await http("POST", "/api/v1/imports", { key: s.key, body: {} });
    expect(started.status).toBe(202);
    await waitFor(async () => (await importRow(started.body.id)).bulk_operation_id, 20_000, "bulk operation");

    // while Shopify runs the operation, orders/updated brings a newer version of order 450789470 (now 85.00)
    const newer = JSON.stringify({
      id: 450789470,
      name: "#1003",
      email: "buyer3@example.com",
      created_at: "2026-10-01T10:00:00Z",
      updated_at: "2026-10-05T09:00:00Z",
      cancelled_at: null,
      currency: "USD",
      total_price: "85.00",
      refunds: [],
    });
    expect((await postShopifyWebhook("orders/updated", s.domain, newer)).status).toBe(200);
    await settled(s.shopId);

    // the operation completes; bulk_operations/finish arrives (signed), the import runs at once
    const imp = await importRow(started.body.id);
    writeScenario(s.domain, { bulk: { hold: false, url, objectCount: jsonlLines(ORDERS) } });
    const finish = JSON.stringify({
      admin_graphql_api_id: imp.bulk_operation_id,
      completed_at: new Date().toISOString(),
      created_at: new Date().toISOString(),
      error_code: null,
      status: "completed",
      type: "query",
    });
    expect((await postShopifyWebhook("bulk_operations/finish", s.domain, finish, { hmac: "bad" })).status).toBe(401);
    expect((await postShopifyWebhook("bulk_operations/finish", s.domain, finish)).status).toBe(200);
    const done = await finished(s.key, started.body.id);
    expect(done.state).toBe("completed");

    const row = (await orderRows(s.shopId)).find((r) => r.external_id === "450789470");
    expect(row).toMatchObject({ total: "85.0000", cancelled: false });
    expect((await orderRows(s.shopId)).length).toBe(5);
  });

  it.each([
    ["FAILED", { outcome: "FAILED", errorCode: "ACCESS_DENIED" }, /FAILED \(ACCESS_DENIED\)/],
    ["CANCELED", { outcome: "CANCELED" }, /canceled/],
    ["EXPIRED", { outcome: "EXPIRED" }, /expired/],
    [
      "userErrors",
      {
        userErrors: [{ field: null, message: "A bulk query operation for this app and shop is already in progress." }],
      },
      /already in progress/,
    ],
  ] as const)("a bulk operation that ends %s fails visibly, and a retry imports", async (_label, bulk, message) => {
    const s = await shop("fail");
    writeScenario(s.domain, { bulk: JSON.parse(JSON.stringify(bulk)) as FakeScenario["bulk"] });
    const started = await http("POST", "/api/v1/imports", { key: s.key, body: {} });
    const failed = await finished(s.key, started.body.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(message);
    expect((await orderRows(s.shopId)).length).toBe(0);

    const url = results.serve(`retry-${s.shopId}`, ORDERS);
    writeScenario(s.domain, { bulk: { url, objectCount: jsonlLines(ORDERS) } });
    const retry = await http("POST", "/api/v1/imports", { key: s.key, body: {} });
    expect(retry.status).toBe(202);
    expect((await finished(s.key, retry.body.id)).state).toBe("completed");
    expect((await orderRows(s.shopId)).length).toBe(5);
  });

  it.each([
    ["an expired result URL", "expired", ORDERS, /no longer available \(HTTP 403/],
    ["a download cut off half way", "cut", ORDERS, /cut off/],
    ["a last line cut in half", "whole", ORDERS_CUT, /cut off in line 6/],
  ] as const)("%s fails visibly with a retry", async (_label, mode, body, message) => {
    const s = await shop("dl");
    const url = results.serve(`dl-${s.shopId}`, body, mode);
    writeScenario(s.domain, { bulk: { url, objectCount: jsonlLines(ORDERS) } });
    const started = await http("POST", "/api/v1/imports", { key: s.key, body: {} });
    const failed = await finished(s.key, started.body.id, 60_000);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(message);
  });

  it("npm run cli -- import-orders shows progress, exits 0 when completed and 1 with the reason when failed", async () => {
    const s = await shop("cli");
    const url = results.serve(`cli-${s.shopId}`, ORDERS);
    writeScenario(s.domain, { bulk: { runningMs: 1500, url, objectCount: jsonlLines(ORDERS) } });
    const ok = await runCli(["import-orders", "--shop", s.domain, "--since", "2026-01-01"], stackEnv());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("Completed: 5 orders imported");
    expect(ok.stderr).toContain("Importing history");

    writeScenario(s.domain, { bulk: { outcome: "FAILED", errorCode: "INTERNAL_SERVER_ERROR" } });
    const bad = await runCli(["import-orders", "--shop", s.domain], stackEnv());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Failed: Shopify reported the bulk operation FAILED/);
  }, 60_000);

  it("refuses bad input with the field named, and another shop's import is not found", async () => {
    const s = await shop("bad");
    const bad = await http("POST", "/api/v1/imports", { key: s.key, body: { since: "2026-02-30" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("since");
    const other = await shop("other");
    writeScenario(other.domain, { bulk: { hold: true } });
    const theirs = await http("POST", "/api/v1/imports", { key: other.key, body: {} });
    expect((await http("GET", `/api/v1/imports/${theirs.body.id}`, { key: s.key })).status).toBe(404);
    expect((await http("GET", "/api/v1/imports", {})).status).toBe(401);
    const count = await db().query(`SELECT count(*)::int AS n FROM imports WHERE shop_id = $1`, [s.shopId]);
    expect(count.rows[0].n).toBe(0);
  });
});

function gqlOrder(id: string, updatedAt: string, total: string) {
  return {
    id: `gid://shopify/Order/${id}`,
    name: `#${id.slice(-4)}`,
    email: `r${id}@example.com`,
    phone: null,
    createdAt: "2026-11-01T10:00:00Z",
    processedAt: "2026-11-01T10:00:00Z",
    updatedAt,
    cancelledAt: null,
    test: false,
    checkoutToken: null,
    currencyCode: "USD",
    presentmentCurrencyCode: "USD",
    totalPriceSet: {
      shopMoney: { amount: total, currencyCode: "USD" },
      presentmentMoney: { amount: total, currencyCode: "USD" },
    },
    customer: null,
    customerJourneySummary: null,
    refunds: [],
  };
}

describe("reconciliation", () => {
  it("recovers an order whose webhook never came, honouring THROTTLED answers, and shows its watermark", async () => {
    const s = await shop("rec");
    const recent = new Date(Date.now() - 60_000).toISOString();
    // order 7001 came by webhook; 7002 never did (dropped); 7003 is older than the window
    const delivered = JSON.stringify({
      id: 7001,
      name: "#7001",
      test: false,
      processed_at: "2026-11-01T10:00:00Z",
      created_at: "2026-11-01T10:00:00Z",
      updated_at: recent,
      currency: "USD",
      total_price: "10.00",
      email: "r7001@example.com",
    });
    expect((await postShopifyWebhook("orders/create", s.domain, delivered)).status).toBe(200);
    await settled(s.shopId);
    const nodes = Array.from({ length: 7 }, (_, i) => gqlOrder(String(7010 + i), recent, "5.00"));
    writeScenario(s.domain, {
      orders: [
        gqlOrder("7001", recent, "10.00"),
        gqlOrder("7002", recent, "20.00"),
        ...nodes,
        gqlOrder("7003", "2020-01-01T00:00:00Z", "30.00"),
      ],
      pageSize: 4,
      throttle: { times: 2, restoreRate: 1000, currentlyAvailable: 0 },
    });

    const started = await http("POST", "/api/v1/imports", { key: s.key, body: { kind: "reconciliation" } });
    expect(started.status).toBe(202);
    const done = await finished(s.key, started.body.id);
    expect(done).toMatchObject({ kind: "reconciliation", state: "completed", orders_done: 9, orders_changed: 8 });
    expect(done.watermark).not.toBeNull();

    const ids = (await orderRows(s.shopId)).map((r) => r.external_id);
    expect(ids).toContain("7002");
    expect(ids).not.toContain("7003");
    expect(ids.length).toBe(9);

    // two THROTTLED answers, each followed by a wait before the same page was asked again; 3 pages in all
    const calls = fakeCalls(s.domain).filter((c) => c.operation === "orders");
    expect(calls.map((c) => Boolean(c.throttled))).toEqual([true, true, false, false, false]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(900);

    const list = await http("GET", "/api/v1/imports?kind=reconciliation", { key: s.key });
    expect(list.body.imports[0]).toMatchObject({ id: started.body.id, kind: "reconciliation", state: "completed" });

    // the next run starts from that watermark minus the overlap
    const next = await http("POST", "/api/v1/imports", { key: s.key, body: { kind: "reconciliation" } });
    const done2 = await finished(s.key, next.body.id);
    expect(done2).toMatchObject({ state: "completed", orders_changed: 0 });
    const from = fakeCalls(s.domain)
      .filter((c) => c.operation === "orders")
      .at(-1)!.from as string;
    expect(Date.parse(from)).toBeLessThan(Date.parse(done.watermark));
    expect(Date.parse(from)).toBeGreaterThan(Date.parse(done.watermark) - 16 * 60_000);
  });

  it("is scheduled for every installed shop once its interval has passed", async () => {
    const s = await shop("sched");
    writeScenario(s.domain, { orders: [gqlOrder("7101", new Date().toISOString(), "1.00")] });
    await db().query(`UPDATE shops SET installed_at = now() - interval '7 hours' WHERE id = $1`, [s.shopId]);
    const run = await waitFor(
      async () =>
        (
          await db().query(
            `SELECT id::text AS id, trigger, state FROM imports WHERE shop_id = $1 AND kind = 'reconciliation'`,
            [s.shopId],
          )
        ).rows[0],
      20_000,
      "a scheduled reconciliation",
    );
    expect(run.trigger).toBe("schedule");
    const done = await finished(s.key, run.id);
    expect(done.state).toBe("completed");
    expect((await orderRows(s.shopId)).map((r) => r.external_id)).toEqual(["7101"]);
  });
});
