/**
 * The database-backed engine agrees with the domain's reference implementation (`attributeAll`) on random data
 * posted through the public API in random order and batches: per-order outcomes and the whole report, after
 * incremental attribution and again after a settings change (full re-attribution). Plus: two workers at once.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { settled, stackEnv } from "../support/api";
import { newShop, type Shop } from "../support/attribution";
import { startWorker, type Proc } from "../support/processes";
import {
  DAY0,
  buildData,
  currentSettings,
  engineOutcomes,
  eventArb,
  oracle,
  oracleOutcomes,
  orderArb,
  postAll,
  settingsArb,
  type Data,
} from "../support/oracle";
import { http } from "../support/api";

const PERIODS = [
  { from: new Date(DAY0 - 86_400_000), to: new Date(DAY0 + 5 * 86_400_000) },
  // Odd edges: raw rows for the partial hours, hourly rollups inside.
  { from: new Date(DAY0 + 7 * 3_600_000 + 17 * 60_000), to: new Date(DAY0 + 41 * 3_600_000 + 59 * 60_000 + 30_000) },
];

async function check(shop: Shop, data: Data) {
  await settled(shop.shopId, 60_000);
  const settings = await currentSettings(shop);
  const outcomes = await engineOutcomes(shop.shopId);
  for (const [i, period] of PERIODS.entries()) {
    const expected = oracle(data, settings, period);
    if (i === 0) expect(outcomes).toEqual(oracleOutcomes(expected));
    const res = await http(
      "GET",
      `/api/v1/reports/campaigns?from=${period.from.toISOString()}&to=${period.to.toISOString()}`,
      { key: shop.key },
    );
    expect(res.status).toBe(200);
    // The random data has no held_out events: every row's holdout is null, and so is the summary's total.
    expect(res.body).toEqual({
      ...expected.report,
      summary: { ...expected.report.summary, incremental_revenue: null },
      campaigns: expected.report.campaigns.map((c) => ({ ...c, holdout: null })),
    });
  }
  // The explanation endpoint agrees with the stored attribution.
  for (const o of outcomes.slice(0, 3)) {
    const res = await http("GET", `/api/v1/orders/${o.order_id}/attribution`, { key: shop.key });
    expect(res.status).toBe(200);
    expect({
      attributed: res.body.attributed,
      campaign_id: res.body.campaign_id,
      message_id: res.body.message_id,
    }).toEqual({
      attributed: o.attributed,
      campaign_id: o.campaign_id,
      message_id: o.message_id,
    });
  }
}

describe("engine = attributeAll", () => {
  it("on random data in random arrival order, then after a settings change", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 25 }),
        fc.array(orderArb, { minLength: 1, maxLength: 8 }),
        settingsArb,
        settingsArb,
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        async (events, orders, s1, s2, batches, seed) => {
          const data = buildData(events, orders);
          const n = data.events.length + data.orders.length + data.refunds.length;
          const order = [...Array(n).keys()].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
          const shop = await newShop(s1);
          await postAll(shop, data, order, batches);
          await check(shop, data);
          const put = await http("PUT", "/api/v1/settings", { key: shop.key, body: s2 });
          expect(put.status).toBe(200);
          await check(shop, data);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 8), endOnFailure: true },
    );
  }, 300_000);
});

describe("two workers at once", () => {
  let second: Proc | undefined;
  afterAll(async () => {
    await second?.stop();
  });

  it("give the same result as the reference", async () => {
    second = await startWorker(stackEnv());
    const [events, orders] = fc.sample(
      fc.tuple(
        fc.array(eventArb, { minLength: 120, maxLength: 120 }),
        fc.array(orderArb, { minLength: 40, maxLength: 40 }),
      ),
      { numRuns: 1, seed: 42 },
    )[0]!;
    const data = buildData(events, orders);
    const shop = await newShop({ channels: { email: { event: "opened", window_hours: 36 } }, excluded_tags: ["news"] });
    // Many small batches, four requests at a time: both workers take attribute-shop jobs for the shop.
    const n = data.events.length + data.orders.length + data.refunds.length;
    const order = [...Array(n).keys()].reverse();
    await Promise.all(
      [0, 1].map((k) =>
        postAll(
          shop,
          { ...data },
          order.filter((_, i) => i % 2 === k).map((x) => x),
          30,
        ),
      ),
    );
    await check(shop, data);
    // A settings change re-attributes while both run.
    expect(
      (
        await http("PUT", "/api/v1/settings", {
          key: shop.key,
          body: { channels: { email: { event: "clicked", window_hours: 12 } } },
        })
      ).status,
    ).toBe(200);
    await check(shop, data);
  }, 120_000);
});
