/**
 * Malformed bodies on every ingress (fast-check, fixed seed): each is answered 4xx with the JSON error body (naming
 * the bad field where there is one), nothing is written, and the server stays healthy.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request as httpRequest } from "node:http";
import { pixelToken } from "../../app/pixel/token.server";
import { baseUrl, BROWSER_UA, createShopWithKey, db, http, shopifyHmac, stackEnv, type Call } from "../support/api";

const SEED = 20261127;
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const run = randomBytes(3).toString("hex");

let shop: { domain: string; key: string; shopId: string };
let token: string;
let before: Snapshot;

type Snapshot = Record<string, unknown>;

async function snapshot(): Promise<Snapshot> {
  const r = await db().query(
    `SELECT (SELECT count(*) FROM message_events WHERE shop_id = $1)::int AS events,
            (SELECT count(*) FROM orders WHERE shop_id = $1)::int AS orders,
            (SELECT count(*) FROM refunds WHERE shop_id = $1)::int AS refunds,
            (SELECT count(*) FROM pending_attributions WHERE shop_id = $1)::int AS pending,
            (SELECT count(*) FROM webhook_deliveries WHERE shop_domain = $2)::int AS deliveries,
            (SELECT count(*) FROM compliance_requests WHERE shop_id = $1)::int AS compliance,
            (SELECT count(*) FROM pixel_links WHERE shop_id = $1)::int AS pixel_links,
            (SELECT version FROM settings WHERE shop_id = $1) AS settings_version,
            (SELECT uninstalled_at FROM shops WHERE id = $1) AS uninstalled_at`,
    [shop.shopId, shop.domain],
  );
  const settings = await http("GET", "/api/v1/settings", { key: shop.key });
  return { ...r.rows[0], settings: settings.body };
}

beforeAll(async () => {
  shop = await createShopWithKey();
  const s = await http("GET", "/api/v1/settings", { key: shop.key });
  token = s.body.ingest.token;
  before = await snapshot();
});

afterAll(async () => {
  // Nothing of any malformed request was written, and the server is still healthy.
  expect(await snapshot()).toEqual(before);
  const health = await http("GET", "/healthz");
  expect(health.status).toBe(200);
});

// ---------------------------------------------------------------------------------------------------------------
// Bodies

/** A value spliced into the JSON text as is (numbers JSON.stringify cannot write: 1e400, 2^64, -0.0). */
class Raw {
  constructor(readonly text: string) {}
}
const RAW_MARK = "\u0001raw:";

function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `${RAW_MARK}${raws.length - 1}`;
    }
    return v;
  });
  return text.replace(new RegExp(`"\\\\u0001raw:(\\d+)"`, "g"), (_m, i) => raws[Number(i)]!);
}

const DELETE = Symbol("delete");

/** Bad values that no id field accepts. */
/** Text PostgreSQL cannot store (NUL). */
const NUL = "a\u0000b";
const badIds = [
  NUL,
  {},
  [],
  true,
  "",
  "   ",
  new Raw("-1"),
  new Raw("1.5"),
  new Raw("1e400"),
  new Raw("-0"),
  "x".repeat(300),
  new Raw("1".repeat(50)),
];
const badDates = [
  1700000000,
  new Raw("1e400"),
  "yesterday",
  "",
  "2026-02-30T10:00:00Z",
  "2026-03-01T10:00:00",
  "2026-03-01T25:00:00Z",
  "2026-13-01T10:00:00Z",
  "0000-01-01T00:00:00Z",
  "2026-03-01T10:00:00+25:00",
  {},
  [],
  true,
];
const badMoney = [
  "abc",
  "",
  " 1.00",
  new Raw("-5"),
  "-5",
  new Raw("1e400"),
  "1e3",
  "NaN",
  "Infinity",
  {},
  true,
  [],
  new Raw("123456789012345678901234567890.5"),
];
const badCurrency = ["usd", "US", "EURO", "", 5, {}, "U$D"];

interface Case {
  label: string;
  method: string;
  path: string;
  body: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** A detail must name this field (exactly, or a field under it). */
  field?: string;
  status?: number[];
}

function withField(base: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const clone = (v: unknown): unknown =>
    v instanceof Raw || v === null || typeof v !== "object"
      ? v
      : Array.isArray(v)
        ? v.map(clone)
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  const copy = clone(base) as Record<string, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) delete cur[last];
  else cur[last] = value;
  return copy;
}

function fieldPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** One field of a valid body set to a bad value (or removed when required). */
function fieldMutation(
  base: () => Record<string, unknown>,
  prefix: (string | number)[] | fc.Arbitrary<(string | number)[]>,
  fields: Record<string, unknown[]>,
): fc.Arbitrary<{ body: string; field: string; label: string }> {
  const prefixArb = Array.isArray(prefix) ? fc.constant(prefix) : prefix;
  return fc
    .tuple(prefixArb, fc.constantFrom(...Object.keys(fields)))
    .chain(([pre, name]) => fc.constantFrom(...fields[name]!).map((v) => ({ pre, name, v })))
    .map(({ pre, name, v }) => {
      const path = [...pre, ...name.split(".").map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg))];
      const body = toJson(withField(base(), path, v));
      return {
        body,
        field: fieldPath(path),
        label: `${fieldPath(path)} = ${v === DELETE ? "(missing)" : toJson(v).slice(0, 60)}`,
      };
    });
}

/** Bodies that are not the JSON the route wants, whatever the route. */
const garbage: fc.Arbitrary<{ body: string | Buffer; label: string }> = fc.oneof(
  fc
    .constantFrom("", " ", "{", "[", "nul", '{"a":1}}', "'single'", '{"events": [', "\u0000", "NaN", '{"a":01}', "[1,]")
    .map((b) => ({ body: b, label: `invalid JSON ${JSON.stringify(b)}` })),
  fc
    .constantFrom("[]", '"a string"', "123", "null", "true", "1e400", "18446744073709551616")
    .map((b) => ({ body: b, label: `top-level ${b}` })),
  fc
    .integer({ min: 65, max: 20_000 })
    .map((d) => ({ body: `${"[".repeat(d)}${"]".repeat(d)}`, label: `nesting ${d}` })),
  fc
    .integer({ min: 65, max: 5_000 })
    .map((d) => ({ body: `{"x":${'{"a":'.repeat(d)}1${"}".repeat(d)}}`, label: `object nesting ${d}` })),
  fc
    .tuple(
      fc.constantFrom(
        [0xff],
        [0xfe, 0xff],
        [0x80],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xf5, 0x80, 0x80, 0x80],
        [0xe2, 0x82],
      ),
      fc.nat(20),
    )
    .map(([bytes, at]) => {
      const text = Buffer.from(`{"events":[{"id":"${"a".repeat(at)}`);
      return {
        body: Buffer.concat([text, Buffer.from(bytes), Buffer.from(`"}],"orders":[],"id":"x"}`)]),
        label: `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(" ")}`,
      };
    }),
);

// ---------------------------------------------------------------------------------------------------------------
// Valid bases

const validEvent = (i: number) => ({
  id: `fz-${run}-${i}`,
  type: "clicked",
  channel: "email",
  occurred_at: "2026-03-01T09:00:00Z",
  campaign_id: "fuzz",
  message_id: `fz-msg-${i}`,
  recipient: { email: `fz${i}@example.com`, phone: "+14155550100", customer_id: "77" },
  tags: ["a"],
  url: "https://shop.example.com/?x=1",
  machine: false,
});
const validOrder = (i: number) => ({
  id: `fz-${run}-${i}`,
  processed_at: "2026-03-01T10:00:00Z",
  currency: "USD",
  total_price: "10.00",
  email: "fz@example.com",
  customer: { id: "77", email: "fz@example.com" },
  test: false,
  checkout_token: `fz-chk-${i}`,
  refunds: [
    {
      id: `fz-r-${run}-${i}`,
      created_at: "2026-03-02T10:00:00Z",
      transactions: [{ kind: "refund", status: "success", amount: "1.00", currency: "USD" }],
    },
  ],
});
const shopifyOrder = () => ({
  id: new Raw("9007199254740993"),
  name: "#1001",
  email: "fz@example.com",
  created_at: "2026-03-01T10:00:00Z",
  processed_at: "2026-03-01T10:00:00Z",
  updated_at: "2026-03-01T10:00:00Z",
  currency: "USD",
  total_price: "10.00",
  total_price_set: {
    shop_money: { amount: "10.00", currency_code: "USD" },
    presentment_money: { amount: "10.00", currency_code: "USD" },
  },
  customer: { id: 77, email: "fz@example.com", phone: null },
  checkout_token: "fz-chk",
  refunds: [],
});
const shopifyRefund = () => ({
  id: 55501,
  order_id: new Raw("9007199254740993"),
  created_at: "2026-03-02T10:00:00Z",
  transactions: [{ id: 1, kind: "refund", status: "success", amount: "1.00", currency: "USD" }],
});

const eventFields: Record<string, unknown[]> = {
  id: badIds.filter((v) => v !== null),
  type: [DELETE, null, 5, true, {}, [], "", "two words", "x".repeat(40), "ünïcode"],
  channel: [DELETE, null, "fax", "EMAIL", 1, "", {}],
  occurred_at: [DELETE, null, ...badDates],
  campaign_id: [DELETE, null, ...badIds],
  message_id: badIds,
  recipient: [DELETE, null, {}, "a@b.c", [], { email: "" }],
  "recipient.email": [5, {}, [], true, "x".repeat(400)],
  "recipient.customer_id": badIds,
  tags: ["x", [1], [{}], [null], Array.from({ length: 101 }, (_, i) => `t${i}`), {}],
  url: [5, {}, [], "x".repeat(5000)],
  machine: ["yes", 1, {}, []],
  campaign_name: [5, {}, "x".repeat(1001)],
};

const orderFields: Record<string, unknown[]> = {
  id: [DELETE, null, ...badIds],
  processed_at: badDates,
  created_at: badDates,
  updated_at: badDates,
  cancelled_at: badDates,
  currency: [DELETE, null, ...badCurrency],
  total_price: [DELETE, null, ...badMoney],
  email: [5, {}, [], "x".repeat(400)],
  customer: [5, "x", [], true],
  "customer.id": badIds.filter((v) => v !== ""),
  test: ["yes", 1, {}],
  checkout_token: [5, {}, [], true, "x".repeat(300)],
  refunds: ["x", 5, {}, [5], [{}], Array.from({ length: 251 }, () => ({}))],
  "refunds.0.id": [DELETE, null, ...badIds],
  "refunds.0.created_at": [DELETE, null, ...badDates],
  "refunds.0.transactions": ["x", 5, [5], [{}]],
  "refunds.0.transactions.0.amount": [DELETE, null, ...badMoney],
  "refunds.0.transactions.0.kind": [DELETE, null, 5, {}],
  "refunds.0.transactions.0.currency": ["usd", 5, "EURO"],
};

const refundFields: Record<string, unknown[]> = {
  id: [DELETE, null, ...badIds],
  created_at: [DELETE, null, ...badDates],
  amount: [DELETE, null, ...badMoney],
  currency: badCurrency.filter((v) => v !== ""),
};

const settingsFields: Record<string, unknown[]> = {
  enabled: ["yes", 1, {}, [], "true"],
  currency: [5, "US", "EURO", "", "U$D", {}, "US\u0000"],
  channels: [
    "x",
    5,
    [],
    { fax: {} },
    { email: { event: "bounced" } },
    { email: { window_hours: -1 } },
    { email: { window_hours: new Raw("1e400") } },
    { email: { window_hours: "24" } },
    { email: 5 },
    { email: { colour: "red" } },
  ],
  excluded_tags: ["x", [5], [{}], 5, {}, [NUL]],
  ignore_machine_opens: ["no", 0, {}],
  providers: [
    5,
    "x",
    { unknown: {} },
    { sendgrid: { public_key: 5 } },
    { mailgun: {} },
    { postmark: { username: "u" } },
    { twilio: { auth_token: "" } },
    { ses: {} },
    { ses: 5 },
    { ses: { topic_arns: "arn:aws:sns:us-east-1:123456789012:x" } },
    { ses: { topic_arns: ["not-an-arn"] } },
    { ses: { topic_arns: [5] } },
    { ses: { topic_arns: ["arn:aws:sns:us-east-1:123456789012:x"], colour: "red" } },
    { ses: { topic_arns: Array.from({ length: 11 }, (_, i) => `arn:aws:sns:us-east-1:123456789012:t${i}`) } },
  ],
};

const webhookOrderFields: Record<string, unknown[]> = {
  id: [DELETE, null, ...badIds],
  created_at: badDates,
  processed_at: badDates,
  updated_at: badDates,
  total_price: badMoney,
  currency: badCurrency,
  customer: [5, "x", []],
  "customer.id": badIds.filter((v) => v !== ""),
  checkout_token: [5, {}, [], "x".repeat(300)],
  refunds: ["x", 5, [5], [{}]],
};

const pixelCheckout = () => ({
  shop: shop.domain,
  order_id: "gid://shopify/Order/424242",
  checkout_token: "fz-chk",
  message_id: "fz-msg",
  landed_at: "2026-03-01T09:00:00Z",
  occurred_at: "2026-03-01T09:10:00Z",
});
const pixelFields: Record<string, unknown[]> = {
  shop: [DELETE, null, 5, "evil.com", "", {}],
  order_id: [DELETE, null, ...badIds, "gid://shopify/Product/1"],
  checkout_token: [DELETE, null, 5, {}, [], "", "x".repeat(300)],
  message_id: [DELETE, null, 5, {}, "", "x".repeat(300)],
  landed_at: [DELETE, null, ...badDates, "2026-03-01T09:20:00Z"],
  occurred_at: [DELETE, null, ...badDates],
};
const webhookRefundFields: Record<string, unknown[]> = {
  id: [DELETE, null, ...badIds],
  created_at: [DELETE, null, ...badDates],
  transactions: ["x", 5, [5], [{}]],
  "transactions.0.amount": [DELETE, null, ...badMoney],
};

// ---------------------------------------------------------------------------------------------------------------
// Sending and checking

async function send(c: Case): Promise<Call> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.contentType !== null) headers["Content-Type"] = c.contentType ?? "application/json";
  return http(c.method, c.path, { raw: c.body, headers, key: c.path.startsWith("/api/") ? shop.key : undefined });
}

function check(c: Case, res: Call) {
  const where = `${c.method} ${c.path} ${c.label} -> ${res.status} ${res.text.slice(0, 300)}`;
  expect(c.status ?? [400], where).toContain(res.status);
  expect(res.body, where).toEqual({
    error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
  });
  if (c.field) {
    const paths: string[] = res.body.error.details.map((d: { path: string }) => d.path);
    const f = c.field;
    expect(
      paths.some(
        (p) =>
          p === f || p.startsWith(`${f}.`) || p.startsWith(`${f}[`) || f.startsWith(`${p}.`) || f.startsWith(`${p}[`),
      ),
      `${where}: details should name ${f}`,
    ).toBe(true);
  }
}

async function property(arb: fc.Arbitrary<Case>, runs = RUNS) {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => check(c, await send(c))),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
}

/** For the JSON API routes: a field mutation, garbage, or a wrong content type. */
function apiCases(
  method: string,
  path: string | fc.Arbitrary<string>,
  mutations: fc.Arbitrary<{ body: string; field: string; label: string }>,
  validBody: () => string,
): fc.Arbitrary<Case> {
  const pathArb = typeof path === "string" ? fc.constant(path) : path;
  return fc
    .tuple(
      pathArb,
      fc.oneof(
        { weight: 6, arbitrary: mutations.map((m) => ({ ...m, kind: "field" as const })) },
        { weight: 3, arbitrary: garbage.map((g) => ({ ...g, kind: "garbage" as const })) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "application/xml",
              null,
              "application/jsonx",
            )
            .map((ct) => ({ body: validBody(), label: `content type ${ct}`, contentType: ct, kind: "type" as const })),
        },
      ),
    )
    .map(([p, m]): Case => ({
      label: m.label,
      method,
      path: p,
      body: m.body,
      contentType: "contentType" in m ? m.contentType : undefined,
      field: m.kind === "field" ? m.field : undefined,
      status: m.kind === "type" ? [415] : [400],
    }));
}

function webhookCases(
  topics: string[],
  mutations: fc.Arbitrary<{ body: string; field: string; label: string }> | null,
): fc.Arbitrary<Case> {
  const bodies = mutations
    ? fc.oneof(
        { weight: 2, arbitrary: mutations.map((m) => ({ ...m, garbage: false })) },
        { weight: 1, arbitrary: garbage.map((g) => ({ ...g, field: undefined, garbage: true })) },
      )
    : garbage.map((g) => ({ ...g, field: undefined, garbage: true }));
  return fc.tuple(fc.constantFrom(...topics), bodies, fc.nat()).map(([topic, b, n]): Case => ({
    label: `${topic} ${b.label}`,
    method: "POST",
    path: `/webhooks/${topic}`,
    body: b.body,
    // Shopify always sends JSON; a webhook is not refused for its content type, only for its body.
    contentType: "application/json",
    headers: {
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop.domain,
      "X-Shopify-Webhook-Id": `fz-${run}-${n}-${Math.random()}`,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Hmac-Sha256": shopifyHmac(b.body),
    },
    field: b.field,
  }));
}

describe("fuzz: malformed bodies are refused whole, with the field named, and nothing is written", () => {
  it("POST /api/v1/events", async () => {
    const batch = () => ({ events: [0, 1, 2].map(validEvent) });
    const mutations = fc.oneof(
      {
        weight: 5,
        arbitrary: fieldMutation(
          batch,
          fc.nat(2).map((i) => ["events", i]),
          eventFields,
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { body: toJson({ events: [] }), field: "events", label: "empty events" },
          {
            body: toJson({ events: Array.from({ length: 5001 }, (_, i) => validEvent(i)) }),
            field: "events",
            label: "5001 events",
          },
          { body: toJson({ events: "x" }), field: "events", label: "events a string" },
          { body: toJson({ events: { a: 1 } }), field: "events", label: "events an object" },
          { body: toJson({ event: [validEvent(0)] }), field: "events", label: "misspelt key" },
          { body: toJson({ events: [validEvent(0), 5] }), field: "events[1]", label: "an item a number" },
          { body: toJson({ events: [validEvent(0), null] }), field: "events[1]", label: "an item null" },
        ),
      },
    );
    await property(apiCases("POST", "/api/v1/events", mutations, () => toJson(batch())));
  }, 180_000);

  it("POST /api/v1/orders", async () => {
    const batch = () => ({ orders: [0, 1, 2].map(validOrder) });
    const mutations = fc.oneof(
      {
        weight: 5,
        arbitrary: fieldMutation(
          batch,
          fc.nat(2).map((i) => ["orders", i]),
          orderFields,
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { body: toJson({ orders: [] }), field: "orders", label: "empty orders" },
          {
            body: toJson({ orders: Array.from({ length: 1001 }, (_, i) => validOrder(i)) }),
            field: "orders",
            label: "1001 orders",
          },
          { body: toJson({ orders: 5 }), field: "orders", label: "orders a number" },
          {
            body: toJson({ orders: [{ ...validOrder(0), processed_at: null, created_at: undefined }] }),
            field: "orders[0].processed_at",
            label: "no date",
          },
        ),
      },
    );
    await property(apiCases("POST", "/api/v1/orders", mutations, () => toJson(batch())));
  }, 180_000);

  it("POST /api/v1/orders/{id}/refunds", async () => {
    const base = () => ({ id: `fz-${run}-r`, created_at: "2026-03-02T10:00:00Z", amount: "2.50", currency: "USD" });
    const path = fc.constantFrom(`/api/v1/orders/fz-${run}-o/refunds`, "/api/v1/orders/9007199254740993/refunds");
    await property(apiCases("POST", path, fieldMutation(base, [], refundFields), () => toJson(base())));
    // An order id that is not one.
    for (const bad of ["%20", "x".repeat(300)]) {
      const c: Case = {
        label: `order id ${bad.slice(0, 10)}`,
        method: "POST",
        path: `/api/v1/orders/${bad}/refunds`,
        body: toJson(base()),
        field: "order_id",
      };
      check(c, await send(c));
    }
  }, 180_000);

  it("PUT /api/v1/settings", async () => {
    const base = () => ({ enabled: true, currency: "USD", excluded_tags: ["x"], ignore_machine_opens: true });
    await property(apiCases("PUT", "/api/v1/settings", fieldMutation(base, [], settingsFields), () => toJson(base())));
  }, 180_000);

  it("Shopify webhooks (valid HMAC)", async () => {
    await property(
      webhookCases(
        ["orders/create", "orders/updated", "orders/cancelled"],
        fieldMutation(shopifyOrder, [], webhookOrderFields),
      ),
    );
    await property(
      webhookCases(["refunds/create"], fieldMutation(shopifyRefund, [], webhookRefundFields)),
      Math.ceil(RUNS / 2),
    );
    // Topics whose valid bodies would act on the shop (redact, uninstall): garbage only.
    await property(
      webhookCases(["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"], null),
      Math.ceil(RUNS / 2),
    );
  }, 180_000);

  it("POST /pixel/<token> (click pixel)", async () => {
    const tok = pixelToken(BigInt(shop.shopId), stackEnv().SHOPIFY_API_SECRET);
    const mutations = fieldMutation(pixelCheckout, [], pixelFields);
    const arb = fc
      .oneof(
        { weight: 3, arbitrary: mutations.map((m) => ({ ...m, garbage: false })) },
        { weight: 1, arbitrary: garbage.map((g) => ({ ...g, field: undefined, garbage: true })) },
      )
      .map((b): Case => ({
        label: `pixel ${b.label}`,
        method: "POST",
        path: `/pixel/${tok}`,
        body: b.body,
        contentType: "text/plain;charset=UTF-8",
        field: b.field,
      }));
    await property(arb);
  }, 180_000);

  it("Shopify webhooks: a signed body under another topic (route or X-Shopify-Topic) is refused", async () => {
    const bodies: Record<string, string> = {
      "shop/redact": toJson({ shop_id: 1, shop_domain: shop.domain }),
      "customers/redact": toJson({ shop_id: 1, shop_domain: shop.domain, customer: { id: 1 }, orders_to_redact: [] }),
      "customers/data_request": toJson({
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: 1 },
        orders_requested: [],
        data_request: { id: 1 },
      }),
      "orders/create": toJson(shopifyOrder()),
    };
    const topics = Object.keys(bodies);
    const arb = fc
      .tuple(fc.constantFrom(...topics), fc.constantFrom(...topics), fc.constantFrom(...topics), fc.nat())
      .filter(([bodyOf, route, header]) => !(bodyOf === route && route === header))
      .map(([bodyOf, route, header, n]): Case => {
        const body = bodies[bodyOf]!;
        const wrongHeader = header !== route;
        return {
          label: `${bodyOf} body to /webhooks/${route} with X-Shopify-Topic ${header}`,
          method: "POST",
          path: `/webhooks/${route}`,
          body,
          contentType: "application/json",
          headers: {
            "X-Shopify-Topic": header,
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-Webhook-Id": `fz-topic-${run}-${n}-${Math.random()}`,
            "X-Shopify-Hmac-Sha256": shopifyHmac(body),
          },
          // A wrong topic header: 401 naming it; the right header but another topic's body: 400.
          status: wrongHeader ? [401] : [400],
          field: wrongHeader ? "headers.X-Shopify-Topic" : undefined,
        };
      });
    await property(arb, Math.ceil(RUNS / 2));
  }, 180_000);

  it("provider ingest /ingest/<provider>/<token>", async () => {
    // (An empty SendGrid array is a valid delivery of no events.)
    const arb = fc
      .tuple(
        fc.constantFrom("sendgrid", "mailgun", "postmark", "ses", "twilio"),
        garbage.filter((g) => g.body !== "[]"),
      )
      .map(([provider, g]): Case => ({
        label: `${provider} ${g.label}`,
        method: "POST",
        path: `/ingest/${provider}/${token}`,
        body: g.body,
        contentType: provider === "twilio" ? "application/x-www-form-urlencoded" : "application/json",
        status: [400, 415],
      }));
    await property(arb);
  }, 180_000);

  it("bodies over 5 MB get 413 on every JSON ingress", async () => {
    const huge = `{"events":[${'"x",'.repeat(1_400_000)}"x"]}`;
    for (const [method, path] of [
      ["POST", "/api/v1/events"],
      ["POST", "/api/v1/orders"],
      ["POST", "/api/v1/orders/1/refunds"],
      ["PUT", "/api/v1/settings"],
      ["POST", "/webhooks/orders/create"],
      ["POST", `/ingest/sendgrid/${token}`],
    ] as const) {
      const c: Case = {
        label: "over 5 MB",
        method,
        path,
        body: huge,
        status: [413],
        headers: path.startsWith("/webhooks/")
          ? {
              "X-Shopify-Shop-Domain": shop.domain,
              "X-Shopify-Webhook-Id": `fz-big-${run}`,
              "X-Shopify-Hmac-Sha256": shopifyHmac(huge),
            }
          : {},
      };
      // node:http rather than fetch: the server may answer 413 (and close) before the upload ends, and fetch then
      // reports the reset instead of the answer. What counts is the answer.
      const res = await postEarlyAnswer(path, method, huge, {
        "Content-Type": "application/json",
        "User-Agent": BROWSER_UA,
        ...(path.startsWith("/api/") ? { Authorization: `Bearer ${shop.key}` } : {}),
        ...c.headers,
      });
      check(c, res);
    }
  }, 60_000);
});

/**
 * Sends the headers (with the declared Content-Length) first and the body only if no answer came within 10 s: a
 * server that refuses by the declared length answers at once, and a client that is still uploading when the server
 * closes would see a reset instead of the answer (what clients with `Expect: 100-continue` avoid).
 */
function postEarlyAnswer(path: string, method: string, body: string, headers: Record<string, string>): Promise<Call> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.from(body);
    let answered = false;
    const req = httpRequest(
      `${baseUrl()}${path}`,
      { method, headers: { ...headers, "Content-Length": String(bytes.length) }, agent: false },
      (res) => {
        answered = true;
        clearTimeout(timer);
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = null;
          }
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(res.headers as Record<string, string>),
            body: parsed,
            text,
          });
        });
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(new Error(`${method} ${path}: ${error.message}`));
    });
    req.flushHeaders();
    const timer = setTimeout(() => req.end(bytes), 10_000);
  });
}
