import { describe, expect, it } from "vitest";
import type { ErrorDetail } from "~/domain/validation";
import { parseApiEvents, parseApiOrders, parseApiRefund } from "~/ingest/api";
import { at } from "../../support/at";

const order = (extra: Record<string, unknown> = {}) => ({
  id: 1001,
  processed_at: "2026-11-01T20:00:00Z",
  currency: "USD",
  total_price: "100.00",
  email: "buyer@example.com",
  ...extra,
});

const event = (extra: Record<string, unknown> = {}) => ({
  id: "ev-1",
  type: "clicked",
  channel: "email",
  occurred_at: "2026-11-01T10:00:00+00:00",
  campaign_id: "A",
  message_id: "m1",
  recipient: { email: "buyer@example.com" },
  ...extra,
});

/** JSON with raw number tokens: the string "#n:820982911946154508" becomes the bare number 820982911946154508. */
const raw = (v: unknown) => JSON.stringify(v).replace(/"#n:([^"]+)"/g, "$1");
const orders = (...list: unknown[]) => raw({ orders: list });
const events = (...list: unknown[]) => raw({ events: list });

function errorsOf(r: { ok: boolean } & ({ errors: ErrorDetail[] } | object)) {
  expect(r.ok).toBe(false);
  return "errors" in r ? r.errors : [];
}
const paths = (r: Parameters<typeof errorsOf>[0]) => errorsOf(r).map((e) => e.path);

describe("POST /api/v1/orders", () => {
  it("maps a valid order with refunds", () => {
    const r = parseApiOrders(
      orders(
        order({
          id: "#n:820982911946154508",
          name: "#1001",
          created_at: "2026-11-01T19:59:00-05:00",
          updated_at: "2026-11-02T08:00:00.123456+01:00",
          total_price: "#n:100.50",
          phone: "+1 (555) 010-0000",
          customer: { id: "#n:9007199254740993", email: "B@Example.com", phone: null },
          test: false,
          cancelled_at: null,
          landing_site: "/?cr_mid=m1",
          refunds: [
            {
              id: 77,
              created_at: "2026-11-03T10:00:00Z",
              transactions: [
                { kind: "refund", status: "success", amount: "30.10", currency: "USD" },
                { kind: "refund", status: "success", amount: "#n:0.2", currency: "USD" },
                { kind: "refund", status: "failure", amount: "99.00", currency: "USD" },
                { kind: "sale", status: "success", amount: "100.50", currency: "USD" },
              ],
            },
          ],
        }),
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const o = at(r.orders, 0);
    expect(o.externalId).toBe("820982911946154508");
    expect(o.customer).toEqual({ id: "9007199254740993", email: "B@Example.com", phone: null });
    expect(o.totalPrice).toBe("100.50"); // the exact source text, never through a float
    expect(o.processedAt?.toISOString()).toBe("2026-11-01T20:00:00.000Z");
    expect(o.createdAt?.toISOString()).toBe("2026-11-02T00:59:00.000Z");
    expect(o.updatedAt?.toISOString()).toBe("2026-11-02T07:00:00.123Z");
    expect(o.name).toBe("#1001");
    expect(o.test).toBe(false);
    expect(o.landingSite).toBe("/?cr_mid=m1");
    expect(o.refunds).toEqual([
      {
        externalId: "77",
        orderExternalId: "820982911946154508",
        createdAt: new Date("2026-11-03T10:00:00Z"),
        amount: "30.30",
        currency: "USD",
      },
    ]);
  });

  it("accepts created_at alone and a string id", () => {
    const r = parseApiOrders(
      orders({ id: "ext-1", created_at: "2026-01-01T00:00:00+14:00", currency: "JPY", total_price: 1200 }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.orders[0]).toMatchObject({
        externalId: "ext-1",
        processedAt: null,
        totalPrice: "1200",
        test: false,
        refunds: [],
        customer: null,
      });
    }
  });

  it("reports every bad field by path, the batch as a whole", () => {
    const r = parseApiOrders(
      orders(
        order(),
        order({ id: 1.5, total_price: -1 }),
        order({ processed_at: undefined, currency: "usd" }),
        order({ total_price: "#n:1e400" }),
        order({ processed_at: "2026-02-30T10:00:00Z", created_at: "2026-01-01T10:00:00" }),
        order({ total_price: "12,50", email: 42, test: "yes" }),
        order({ customer: { id: {}, email: "x".repeat(1001) } }),
        order({
          refunds: [
            {
              id: 1,
              created_at: "2026-11-03T10:00:00Z",
              transactions: [{ kind: "refund", status: "success", amount: "-5" }],
            },
          ],
        }),
        "not an object",
        order({ total_price: "100000000000000000000" }),
        order({ id: null, currency: undefined, total_price: undefined }),
      ),
    );
    const errs = errorsOf(r);
    const has = (path: string, re: RegExp) =>
      expect(errs.find((e) => e.path === path)?.message ?? `<no error at ${path}>`).toMatch(re);
    has("orders[1].id", /integer/);
    has("orders[1].total_price", />= 0/);
    has("orders[2].processed_at", /processed_at or created_at is required/);
    has("orders[2].currency", /ISO 4217/);
    has("orders[3].total_price", /exponent/);
    has("orders[4].processed_at", /day does not exist/);
    has("orders[4].created_at", /offset/);
    has("orders[5].total_price", /decimal/);
    has("orders[5].email", /expected a string, received number/);
    has("orders[5].test", /boolean/);
    has("orders[6].customer.id", /string or an integer/);
    has("orders[6].customer.email", /at most/);
    has("orders[7].refunds[0].transactions[0].amount", />= 0/);
    has("orders[8]", /expected an object/);
    has("orders[9].total_price", /too large/);
    has("orders[10].id", /required/);
    has("orders[10].currency", /required/);
    has("orders[10].total_price", /required/);
    expect(errs.some((e) => e.path.startsWith("orders[0]"))).toBe(false);
  });

  it("refuses an empty batch, 1001 orders, a missing or wrong 'orders'", () => {
    expect(errorsOf(parseApiOrders(orders()))).toEqual([
      { path: "orders", message: "must contain 1 to 1000 orders (got 0)" },
    ]);
    const many = Array.from({ length: 1001 }, (_, i) => order({ id: i }));
    expect(paths(parseApiOrders(orders(...many)))).toEqual(["orders"]);
    expect(parseApiOrders(orders(...many.slice(0, 1000))).ok).toBe(true);
    expect(paths(parseApiOrders("{}"))).toEqual(["orders"]);
    expect(paths(parseApiOrders('{"orders": {}}'))).toEqual(["orders"]);
    expect(paths(parseApiOrders("[]"))).toEqual([""]);
    expect(paths(parseApiOrders("{not json"))).toEqual([""]);
  });

  it("refuses refund transactions in mixed currencies", () => {
    const r = parseApiOrders(
      orders(
        order({
          refunds: [
            {
              id: 1,
              created_at: "2026-11-03T10:00:00Z",
              transactions: [
                { kind: "refund", status: "success", amount: "1", currency: "USD" },
                { kind: "refund", status: "success", amount: "1", currency: "EUR" },
              ],
            },
          ],
        }),
      ),
    );
    expect(paths(r)).toEqual(["orders[0].refunds[0].transactions"]);
  });
});

describe("POST /api/v1/orders/{id}/refunds", () => {
  it("maps a refund", () => {
    const r = parseApiRefund(
      '{"id": "r1", "created_at": "2026-11-03T10:00:00Z", "amount": "12.50", "currency": "USD"}',
      "820982911946154508",
    );
    expect(r).toEqual({
      ok: true,
      refund: {
        externalId: "r1",
        orderExternalId: "820982911946154508",
        createdAt: new Date("2026-11-03T10:00:00Z"),
        amount: "12.50",
        currency: "USD",
      },
    });
  });

  it("reports bad fields", () => {
    const r = parseApiRefund(
      '{"id": 1.5, "created_at": "2026-13-01T00:00:00Z", "amount": -3, "currency": "dollars"}',
      "",
    );
    expect(paths(r).sort()).toEqual(["amount", "created_at", "currency", "id", "order_id"]);
    expect(paths(parseApiRefund('{"id": "r", "created_at": "2026-11-03T10:00:00Z"}', "1"))).toEqual(["amount"]);
  });
});

describe("POST /api/v1/events", () => {
  it("maps valid events", () => {
    const r = parseApiEvents(
      events(
        event({
          type: "CLICKED",
          tags: ["Promo", "Promo", "spring"],
          url: "https://shop.example/p?x=1",
          machine: false,
          campaign_name: "Spring",
        }),
        event({
          id: "#n:123456789012345678901",
          type: "soft_bounce",
          channel: "sms",
          recipient: { phone: "+1 555 010 0000", customer_id: "#n:9007199254740993" },
        }),
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toEqual({
      externalId: "ev-1",
      type: "clicked",
      channel: "email",
      occurredAt: new Date("2026-11-01T10:00:00Z"),
      campaignId: "A",
      campaignName: "Spring",
      messageId: "m1",
      recipient: { email: "buyer@example.com", phone: null, customerId: null },
      tags: ["Promo", "spring"],
      url: "https://shop.example/p?x=1",
      machine: false,
      source: "api",
    });
    expect(r.events[1]).toMatchObject({
      externalId: "123456789012345678901",
      type: "soft_bounce",
      channel: "sms",
      recipient: { email: null, phone: "+1 555 010 0000", customerId: "9007199254740993" },
      machine: false,
      tags: [],
    });
  });

  it("takes a clicked event's message id from the tracked-link parameter cr_mid", () => {
    const r = parseApiEvents(
      events(
        event({ message_id: undefined, url: "https://shop.example/p?utm_source=x&cr_mid=msg-42" }),
        event({ message_id: undefined, type: "opened", url: "https://shop.example/p?cr_mid=msg-42" }),
        event({ message_id: "explicit", url: "https://shop.example/p?cr_mid=msg-42" }),
      ),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.events.map((e) => e.messageId)).toEqual(["msg-42", null, "explicit"]);
  });

  it("reports every bad field by path", () => {
    const r = parseApiEvents(
      events(
        event(),
        event({ channel: "fax" }),
        event({ occurred_at: "2026-02-30T10:00:00Z" }),
        event({ occurred_at: "2026-11-01T10:00:00", type: "clicked!" }),
        event({ campaign_id: undefined, recipient: {} }),
        event({ recipient: undefined, tags: ["ok", 5], machine: "no" }),
        event({ id: "#n:1e400", occurred_at: 1700000000, url: "x".repeat(5000) }),
        event({ type: "a".repeat(33), campaign_name: "n".repeat(1001), message_id: "" }),
        event({ occurred_at: "1969-12-31T23:59:59Z", recipient: { email: "  " } }),
        event({ occurred_at: "2026-11-01T24:00:00Z", recipient: { email: ["a@b.c"] } }),
      ),
    );
    const errs = errorsOf(r);
    const has = (path: string, re: RegExp) =>
      expect(errs.find((e) => e.path === path)?.message ?? `<no error at ${path}>`).toMatch(re);
    has("events[1].channel", /must be one of email, sms, push, whatsapp, telegram, viber/);
    has("events[2].occurred_at", /day does not exist/);
    has("events[3].occurred_at", /offset/);
    has("events[3].type", /word/);
    has("events[4].campaign_id", /required/);
    has("events[4].recipient", /at least one of email, phone, customer_id/);
    has("events[5].recipient", /required/);
    has("events[5].tags[1]", /string/);
    has("events[5].machine", /boolean/);
    has("events[6].id", /integer/);
    has("events[6].occurred_at", /ISO 8601/);
    has("events[6].url", /at most 4096/);
    has("events[7].type", /word/);
    has("events[7].campaign_name", /at most 1000/);
    has("events[7].message_id", /empty/);
    has("events[8].occurred_at", /year/);
    has("events[8].recipient", /at least one/);
    has("events[9].occurred_at", /out of range/);
    has("events[9].recipient.email", /string/);
    expect(errs.some((e) => e.path.startsWith("events[0]"))).toBe(false);
    // sorted by item
    const idx = errs.map((e) => Number(/\[(\d+)\]/.exec(e.path)?.[1]));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });

  it("refuses an empty batch and 5001 events; takes 5000", () => {
    expect(errorsOf(parseApiEvents(events()))).toEqual([
      { path: "events", message: "must contain 1 to 5000 events (got 0)" },
    ]);
    const many = Array.from({ length: 5001 }, (_, i) => event({ id: `e${i}` }));
    expect(paths(parseApiEvents(events(...many)))).toEqual(["events"]);
    const ok = parseApiEvents(events(...many.slice(0, 5000)));
    expect(ok.ok && ok.events.length).toBe(5000);
  });

  it("accepts every valid ISO form with offset and refuses the rest", () => {
    const good = [
      "2026-11-01T10:00:00Z",
      "2026-11-01T10:00Z",
      "2026-11-01T10:00:00.1234567+05:30",
      "2024-02-29T00:00:00-0800",
      "2026-11-01t10:00:00z",
    ];
    const bad = [
      "2026-11-01",
      "2026-11-01 10:00:00Z",
      "2025-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-11-01T10:00:60Z",
      "2026-11-01T10:00:00+25:00",
      "Sun, 01 Nov 2026 10:00:00 GMT",
      "+022026-11-01T10:00:00Z",
    ];
    for (const d of good) expect(parseApiEvents(events(event({ occurred_at: d }))).ok, d).toBe(true);
    for (const d of bad)
      expect(paths(parseApiEvents(events(event({ occurred_at: d })))), d).toEqual(["events[0].occurred_at"]);
  });
});

describe("body limits", () => {
  it("flags bodies over 5 MB as too large (413), not merely invalid", () => {
    const big = `{"events": [${" ".repeat(5 * 1024 * 1024)}]}`;
    const r = parseApiEvents(big);
    expect(r).toMatchObject({ ok: false, tooLarge: true });
  });
});
