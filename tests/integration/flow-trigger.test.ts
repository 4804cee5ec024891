/**
 * The Shopify Flow trigger "Order attributed to a campaign": the lifecycle callback through the built server, the
 * outbox that PostgreSQL triggers on `attributions` fill while the real worker attributes, and the drain
 * (app/flow/trigger.server.ts, the worker's `flow-drain` job) run here against the msw fake of the Admin API.
 */
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFlowDrain } from "../../app/flow/trigger.server";
import { FakeShopifyAdmin, createShopifyAdminHandlers } from "../msw/shopify-admin";
import { storeOfflineSession } from "../support/admin-session";
import { createShopWithKey, db, http, settled, shopifyHmac } from "../support/api";

const admin = new FakeShopifyAdmin();
const server = setupServer(...createShopifyAdminHandlers(admin));
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OPTS = { windowDays: 30, perSecond: 50, batch: 100 };

async function lifecycle(body: unknown, opts: { hmac?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (opts.hmac !== null) headers["X-Shopify-Hmac-Sha256"] = opts.hmac ?? shopifyHmac(raw);
  return http("POST", "/flow/lifecycle", { raw, headers });
}

const callback = (domain: string, enabled: boolean, timestamp = new Date().toISOString()) => ({
  flow_trigger_definition_id: "Order attributed to a campaign",
  has_enabled_flow: enabled,
  shop_id: 690933842,
  shopify_domain: domain,
  timestamp,
});

async function shopUsingFlow() {
  const s = await createShopWithKey();
  await storeOfflineSession(s.domain);
  admin.addShop(s.domain);
  expect((await lifecycle(callback(s.domain, true))).status).toBe(200);
  return s;
}

async function send(key: string, events: unknown[], orders: unknown[]) {
  if (events.length) expect((await http("POST", "/api/v1/events", { key, body: { events } })).status).toBe(202);
  if (orders.length) expect((await http("POST", "/api/v1/orders", { key, body: { orders } })).status).toBe(202);
}

function clickEvents(prefix: string, campaign: string, name: string, email: string, at: number) {
  const base = {
    channel: "email",
    campaign_id: campaign,
    campaign_name: name,
    message_id: `${prefix}-m`,
    recipient: { email },
  };
  return [
    { id: `${prefix}-s`, type: "sent", occurred_at: new Date(at).toISOString(), ...base },
    { id: `${prefix}-c`, type: "clicked", occurred_at: new Date(at + 60_000).toISOString(), ...base },
  ];
}

const outbox = async (shopId: string) =>
  Number((await db().query(`SELECT count(*) AS n FROM flow_outbox WHERE shop_id = $1`, [shopId])).rows[0].n);

describe("Flow lifecycle callback", () => {
  it("refuses an unsigned or wrongly signed callback and records nothing", async () => {
    const s = await createShopWithKey();
    const unsigned = await lifecycle(callback(s.domain, true), { hmac: null });
    expect(unsigned.status).toBe(401);
    const forged = await lifecycle(callback(s.domain, true), { hmac: "bm90IHRoZSBobWFj" });
    expect(forged.status).toBe(401);
    const rows = await db().query(`SELECT 1 FROM flow_trigger_shops WHERE shop_id = $1`, [s.shopId]);
    expect(rows.rowCount).toBe(0);
  });

  it("answers 400 naming the bad field", async () => {
    const s = await createShopWithKey();
    const res = await lifecycle({ ...callback(s.domain, true), has_enabled_flow: "yes" });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain("has_enabled_flow");
  });

  it("records which shops use the trigger; an older callback does not override a newer one", async () => {
    const s = await createShopWithKey();
    const t = Date.now();
    expect((await lifecycle(callback(s.domain, true, new Date(t).toISOString()))).body.recorded).toBe(true);
    const stale = await lifecycle(callback(s.domain, false, new Date(t - 60_000).toISOString()));
    expect(stale.status).toBe(200);
    expect(stale.body.recorded).toBe(false);
    let row = (await db().query(`SELECT enabled FROM flow_trigger_shops WHERE shop_id = $1`, [s.shopId])).rows[0];
    expect(row.enabled).toBe(true);
    await lifecycle(callback(s.domain, false, new Date(t + 60_000).toISOString()));
    row = (await db().query(`SELECT enabled FROM flow_trigger_shops WHERE shop_id = $1`, [s.shopId])).rows[0];
    expect(row.enabled).toBe(false);
  });
});

describe("Flow trigger", () => {
  it("fires exactly once for a newly attributed order, with the trigger's fields", async () => {
    const s = await shopUsingFlow();
    const t0 = Date.now() - 5 * HOUR;
    await send(s.key, clickEvents("a", "spring", "Spring sale", "ada@example.com", t0), [
      {
        id: "6001",
        name: "#1001",
        processed_at: new Date(t0 + HOUR).toISOString(),
        currency: "USD",
        total_price: "100.10",
        email: "ada@example.com",
      },
    ]);
    await settled(s.shopId);
    expect(await outbox(s.shopId)).toBe(1);

    const first = await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(first).toMatchObject({ sent: 1, throttled: false, remaining: 0 });
    const received = admin.shops.get(s.domain)!.flowTriggers;
    expect(received).toHaveLength(1);
    expect(received[0]!.handle).toBe("order-attributed");
    expect(received[0]!.payload).toEqual({
      order_id: 6001,
      "Campaign id": "spring",
      "Campaign name": "Spring sale",
      Channel: "email",
      "Net revenue": 100.1,
      Currency: "USD",
    });
    expect(received[0]!.raw).toContain(`"Net revenue":100.10`);

    // Draining again, or the order re-sent unchanged: nothing more.
    await send(
      s.key,
      [],
      [
        {
          id: "6001",
          name: "#1001",
          processed_at: new Date(t0 + HOUR).toISOString(),
          currency: "USD",
          total_price: "100.10",
          email: "ada@example.com",
        },
      ],
    );
    await settled(s.shopId);
    await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(received).toHaveLength(1);
  });

  it("does not fire on a re-attribution that changes nothing, and fires once more when the campaign changes", async () => {
    const s = await shopUsingFlow();
    const t0 = Date.now() - 10 * HOUR;
    await send(s.key, clickEvents("b", "spring", "Spring sale", "bea@example.com", t0), [
      {
        id: "6101",
        processed_at: new Date(t0 + 6 * HOUR).toISOString(),
        currency: "USD",
        total_price: "50.00",
        email: "bea@example.com",
      },
    ]);
    await settled(s.shopId);
    await runFlowDrain(BigInt(s.shopId), OPTS);
    const received = admin.shops.get(s.domain)!.flowTriggers;
    expect(received).toHaveLength(1);

    // A settings change that moves nothing: the whole history is re-attributed (every outcome recomputed, none
    // changed, so no row is rewritten), Flow hears nothing.
    const before = (
      await db().query(
        `SELECT settings_version FROM attributions a JOIN orders o ON o.id = a.order_id WHERE o.shop_id = $1`,
        [s.shopId],
      )
    ).rows[0];
    expect(
      (await http("PUT", "/api/v1/settings", { key: s.key, body: { excluded_tags: ["nothing-uses-this"] } })).status,
    ).toBe(200);
    await settled(s.shopId);
    const after = (
      await db().query(
        `SELECT settings_version FROM attributions a JOIN orders o ON o.id = a.order_id WHERE o.shop_id = $1`,
        [s.shopId],
      )
    ).rows[0];
    expect(after.settings_version).toBe(before.settings_version);
    const state = await db().query(`SELECT version, attributed_version FROM settings WHERE shop_id = $1`, [s.shopId]);
    expect(state.rows[0].attributed_version).toBe(state.rows[0].version);
    expect(state.rows[0].version).toBeGreaterThan(before.settings_version);
    expect(await outbox(s.shopId)).toBe(0);
    await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(received).toHaveLength(1);

    // A later message of another campaign wins the order (the last message sent wins): one more trigger.
    await send(s.key, clickEvents("b2", "flash", "Flash sale", "bea@example.com", t0 + 2 * HOUR), []);
    await settled(s.shopId);
    await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(received).toHaveLength(2);
    expect(received[1]!.payload).toMatchObject({
      order_id: 6101,
      "Campaign id": "flash",
      "Campaign name": "Flash sale",
    });
  });

  it("keeps no outbox for a shop without a workflow using the trigger", async () => {
    const s = await createShopWithKey();
    const t0 = Date.now() - 5 * HOUR;
    await send(s.key, clickEvents("c", "spring", "Spring", "cy@example.com", t0), [
      {
        id: "6201",
        processed_at: new Date(t0 + HOUR).toISOString(),
        currency: "USD",
        total_price: "10.00",
        email: "cy@example.com",
      },
    ]);
    await settled(s.shopId);
    const attributed = await db().query(
      `SELECT a.campaign_id FROM attributions a JOIN orders o ON o.id = a.order_id WHERE o.shop_id = $1`,
      [s.shopId],
    );
    expect(attributed.rows[0].campaign_id).not.toBeNull();
    expect(await outbox(s.shopId)).toBe(0);
  });

  it("sends only orders of the last N days", async () => {
    const s = await shopUsingFlow();
    const old = Date.now() - 40 * DAY;
    const recent = Date.now() - 3 * HOUR;
    await send(
      s.key,
      [
        ...clickEvents("d1", "spring", "Spring", "old@example.com", old),
        ...clickEvents("d2", "spring", "Spring", "new@example.com", recent),
      ],
      [
        {
          id: "6301",
          processed_at: new Date(old + HOUR).toISOString(),
          currency: "USD",
          total_price: "10.00",
          email: "old@example.com",
        },
        {
          id: "6302",
          processed_at: new Date(recent + HOUR).toISOString(),
          currency: "USD",
          total_price: "20.00",
          email: "new@example.com",
        },
      ],
    );
    await settled(s.shopId);
    expect(await outbox(s.shopId)).toBe(2);
    const r = await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(r).toMatchObject({ sent: 1, skipped: 1, remaining: 0 });
    expect(admin.shops.get(s.domain)!.flowTriggers.map((t) => t.payload.order_id)).toEqual([6302]);
  });

  it("backs off when Flow answers THROTTLED and sends the order on the next run", async () => {
    const s = await shopUsingFlow();
    admin.shops.get(s.domain)!.flowThrottleNext = 1;
    const t0 = Date.now() - 4 * HOUR;
    await send(s.key, clickEvents("e", "spring", "Spring", "eve@example.com", t0), [
      {
        id: "6401",
        processed_at: new Date(t0 + HOUR).toISOString(),
        currency: "USD",
        total_price: "10.00",
        email: "eve@example.com",
      },
    ]);
    await settled(s.shopId);
    const first = await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(first).toMatchObject({ sent: 0, throttled: true, remaining: 1 });
    const second = await runFlowDrain(BigInt(s.shopId), OPTS);
    expect(second).toMatchObject({ sent: 1, throttled: false, remaining: 0 });
    expect(admin.shops.get(s.domain)!.flowTriggers).toHaveLength(1);
  });

  it("paces the calls of one shop at the configured rate", async () => {
    const s = await shopUsingFlow();
    const t0 = Date.now() - 4 * HOUR;
    const events = [0, 1, 2].flatMap((i) => clickEvents(`f${i}`, "spring", "Spring", `f${i}@example.com`, t0));
    const orders = [0, 1, 2].map((i) => ({
      id: `650${i}`,
      processed_at: new Date(t0 + HOUR).toISOString(),
      currency: "USD",
      total_price: "10.00",
      email: `f${i}@example.com`,
    }));
    await send(s.key, events, orders);
    await settled(s.shopId);
    const waits: number[] = [];
    const r = await runFlowDrain(BigInt(s.shopId), {
      ...OPTS,
      // One call every 10 s: a call and its bookkeeping always take less, so each later call waits (the sleep is
      // recorded, not slept).
      perSecond: 0.1,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(r?.sent).toBe(3);
    // Before the 2nd and 3rd call it waits what is left of 10 s since the previous call.
    expect(waits).toHaveLength(2);
    for (const w of waits) {
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(10_000);
    }
  });
});
