/**
 * `attribution_latency_s_p99` (API.md "Benchmarks"): for small shops posting Shopify orders/create webhooks, the
 * time from a webhook answered 200 to that order's attribution row existing (seen by polling every 25 ms, so the
 * figure is up to ~25 ms pessimistic). Measured twice in the same run: while a large shop re-attributes its whole
 * history, and with the worker otherwise idle (the baseline); the ratio is what the large shop costs everyone else.
 */
import { createHmac, randomBytes } from "node:crypto";
import pg from "pg";

export interface SmallShop {
  domain: string;
  shopId: string;
  key: string;
}

/** Each small shop's customers and their clicks: order i of a shop buys 10 to 70 minutes after a click. */
const CUSTOMERS = 5;
const DAY = Date.parse("2026-06-01T12:00:00Z");
const email = (shop: number, c: number) => `buyer${c}.s${shop}@small.example`;

/** Posts each small shop's campaign events through the public API (sent + clicked for each customer). */
export async function seedSmallShops(baseUrl: string, shops: SmallShop[]): Promise<void> {
  await Promise.all(
    shops.map(async (shop, s) => {
      const events = [];
      for (let c = 0; c < CUSTOMERS; c++) {
        for (const [type, at] of [
          ["sent", DAY - 3_600_000],
          ["clicked", DAY - 1_800_000],
        ] as const) {
          events.push({
            id: `${shop.shopId}-${c}-${type}`,
            type,
            channel: "email",
            occurred_at: new Date(at).toISOString(),
            campaign_id: `small-${s % 7}`,
            campaign_name: `Small campaign ${s % 7}`,
            message_id: `m-${shop.shopId}-${c}`,
            recipient: { email: email(s, c) },
          });
        }
      }
      const res = await fetch(`${baseUrl}/api/v1/events`, {
        method: "POST",
        headers: { Authorization: `Bearer ${shop.key}`, "Content-Type": "application/json" },
        body: JSON.stringify({ events }),
      });
      if (res.status !== 202) throw new Error(`small shop events: ${res.status} ${await res.text()}`);
    }),
  );
}

function orderBody(shop: number, n: number, id: string): string {
  const at = new Date(DAY + (10 + (n % 60)) * 60_000).toISOString();
  const mail = email(shop, n % CUSTOMERS);
  return JSON.stringify({
    id: Number(id),
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#S${n}`,
    email: mail,
    created_at: at,
    processed_at: at,
    updated_at: at,
    currency: "USD",
    total_price: "25.00",
    test: false,
    customer: { id: 9_000_000 + shop * 100 + (n % CUSTOMERS), email: mail, phone: null },
    line_items: [{ id: 1, title: "Thing", quantity: 1, price: "25.00" }],
    refunds: [],
  });
}

export interface LatencyRun {
  latencies: number[];
  posted: number;
  /** Orders answered while `busy()` was still true (e.g. the large shop still re-attributing). */
  postedWhileBusy: number;
  non200: number;
}

/**
 * Posts `count` orders/create webhooks round-robin over `shops` at `rate` per second (open loop), and waits until
 * every one is attributed (or `timeoutMs`). `stopEarly()` ends the posting before `count` (at least `minCount`).
 */
export async function measureLatency(opts: {
  baseUrl: string;
  secret: string;
  databaseUrl: string;
  shops: SmallShop[];
  rate: number;
  count: number;
  minCount?: number;
  busy?: () => boolean;
  stopEarly?: () => boolean;
  timeoutMs?: number;
}): Promise<LatencyRun> {
  const { shops, rate } = opts;
  const run = randomBytes(3).toString("hex");
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  const shopIds = shops.map((s) => s.shopId);
  const acked = new Map<string, number>(); // external id -> ack time
  const latencies: number[] = [];
  let posted = 0;
  let postedWhileBusy = 0;
  let non200 = 0;
  let postingDone = false;
  const started = performance.now();

  const poller = (async () => {
    const deadline = () => performance.now() > started + (opts.timeoutMs ?? 600_000);
    while (!postingDone || acked.size > 0) {
      if (deadline()) throw new Error(`${acked.size} small-shop orders not attributed in time`);
      if (acked.size > 0) {
        const r = await client.query<{ external_id: string }>(
          `SELECT o.external_id FROM orders o JOIN attributions a ON a.order_id = o.id
            WHERE o.shop_id = ANY($1::bigint[]) AND o.external_id = ANY($2::text[])`,
          [shopIds, [...acked.keys()]],
        );
        const now = performance.now();
        for (const row of r.rows) {
          const at = acked.get(row.external_id);
          if (at === undefined) continue;
          latencies.push((now - at) / 1000);
          acked.delete(row.external_id);
        }
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  const inflight: Promise<void>[] = [];
  const base = 6_000_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  for (let i = 0; i < opts.count; i++) {
    if (i >= (opts.minCount ?? 0) && opts.stopEarly?.()) break;
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const s = i % shops.length;
    const shop = shops[s]!;
    const id = String(base + i);
    const body = orderBody(s, i, id);
    const busyAtPost = opts.busy?.() ?? false;
    inflight.push(
      fetch(`${opts.baseUrl}/webhooks/orders/create`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Shopify-Captain-Hook",
          "X-Shopify-Topic": "orders/create",
          "X-Shopify-Shop-Domain": shop.domain,
          "X-Shopify-Webhook-Id": `${run}-${i}`,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", opts.secret).update(body).digest("base64"),
        },
        body,
      }).then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) {
          non200 += 1;
          return;
        }
        acked.set(id, performance.now());
        posted += 1;
        if (busyAtPost) postedWhileBusy += 1;
      }),
    );
  }
  await Promise.all(inflight);
  postingDone = true;
  try {
    await poller;
  } finally {
    await client.end();
  }
  return { latencies: latencies.sort((a, b) => a - b), posted, postedWhileBusy, non200 };
}

export function p99(sorted: number[]): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * 0.99) - 1))] ?? NaN;
}
