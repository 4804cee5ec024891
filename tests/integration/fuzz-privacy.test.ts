import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createShopWithKey, http } from "../support/api";
import { adminFetch, storeOfflineSession } from "../support/admin";

/**
 * The fuzz test of issue 10's new inputs: the customer data request (admin) and the ingest token rotation (API).
 * Whatever arrives, the answer is a 2xx or a 4xx with the field named — never a 500 — and no other shop's data.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
let shop: { domain: string; key: string; shopId: string };

beforeAll(async () => {
  shop = await createShopWithKey();
  await storeOfflineSession(shop.domain);
  const other = await createShopWithKey();
  // Another shop's customer, who must never appear in this shop's answers.
  await http("POST", "/api/v1/orders", {
    key: other.key,
    body: {
      orders: [
        {
          id: "1",
          processed_at: "2026-11-01T20:00:00Z",
          currency: "USD",
          total_price: "1.00",
          email: "x@y.z",
          customer: { id: 1 },
        },
      ],
    },
  });
});

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "x@y.z",
    "+1 555 010 0000",
    "1",
    "gid://shopify/Customer/1",
    " ",
    "\u0000",
    "a@b",
    "%",
    "'; DROP TABLE orders; --",
    "7\u0000",
    "x".repeat(400),
  ),
);

describe("fuzz: issue 10's new inputs", () => {
  it("GET /app/customer-data with any query: 200 with this shop's data only, or 400 naming the field", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ email: value, phone: value, customer_id: value }, { requiredKeys: [] }),
        async (q) => {
          const params = new URLSearchParams(Object.entries(q) as [string, string][]);
          const res = await adminFetch(shop.domain, `/app/customer-data?${params}`);
          expect([200, 400], `${params}`).toContain(res.status);
          const body = (await res.json()) as {
            orders?: unknown[];
            error?: { code: string; details: { path: string }[] };
          };
          if (res.status === 400) {
            expect(body.error!.code).toBe("invalid_request");
            expect(body.error!.details[0]!.path).toMatch(/^(email|phone|customer_id)(,(phone|customer_id))*$/);
          } else {
            expect(body.orders).toEqual([]); // this shop holds no orders: the other shop's customer stays out
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 180_000);

  it("POST /api/v1/settings/ingest-token/rotate with any body or method: a new token or 405, never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "PUT", "DELETE", "GET"),
        fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })),
        async (method, raw) => {
          const before = (await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token as string;
          const res = await http(method, "/api/v1/settings/ingest-token/rotate", {
            key: shop.key,
            ...(method === "GET" ? {} : { raw, headers: { "Content-Type": "application/json" } }),
          });
          if (method === "POST") {
            expect(res.status).toBe(200);
            expect(res.body.ingest.token).not.toBe(before);
          } else {
            expect(res.status).toBe(405);
            expect((await http("GET", "/api/v1/settings", { key: shop.key })).body.ingest.token).toBe(before);
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  }, 180_000);
});
