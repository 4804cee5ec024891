import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isJsonObject, parseJson } from "~/ingest/json";
import { parseShopifyOrder } from "~/ingest/shopify";
import { bulkRecordFrom, legacyId, orderFromGraphql } from "~/ingest/shopify-graphql";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures");
const REST = readFileSync(path.join(FIXTURES, "shopify-order-create.json"), "utf8")
  // the webhook's order with one refund: 18.40 EUR presented, 20.00 USD in shop money
  .replace(
    '"refunds": [],',
    `"refunds": [{"id": 18014398509482001, "order_id": 9007199254740993123, "created_at": "2026-03-20T09:00:00+01:00",
      "transactions": [{"id": 1, "kind": "refund", "status": "success", "amount": "18.40", "currency": "EUR",
        "amount_set": {"shop_money": {"amount": "20.00", "currency_code": "USD"},
                       "presentment_money": {"amount": "18.40", "currency_code": "EUR"}}}]}],`,
  );

/** The same order as the GraphQL Admin API returns it (bulk operation line / reconciliation node). */
const GRAPHQL = `{"id":"gid://shopify/Order/9007199254740993123","name":"#1042","email":"Anna.Schmidt@Example.de",
  "phone":"+49 30 1234567","createdAt":"2026-03-14T09:22:41Z","processedAt":"2026-03-14T09:22:40Z",
  "updatedAt":"2026-03-14T09:22:43Z","cancelledAt":null,"test":false,"checkoutToken":"c1b2f8a7e0d94b1f8e3f2a7c9d5e4b3a",
  "currencyCode":"USD","presentmentCurrencyCode":"EUR",
  "totalPriceSet":{"shopMoney":{"amount":"404.95","currencyCode":"USD"},"presentmentMoney":{"amount":"372.55","currencyCode":"EUR"}},
  "customer":{"id":"gid://shopify/Customer/9007199254741234567","defaultEmailAddress":{"emailAddress":"anna.schmidt@example.de"},
    "defaultPhoneNumber":{"phoneNumber":"+4930 1234567"}},
  "customerJourneySummary":{"firstVisit":{"landingPage":"https://shop.example.com/products/aviator-sunglasses?utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale&cr_mid=msg_01HXZ4N7Q2"}},
  "refunds":[{"id":"gid://shopify/Refund/18014398509482001","createdAt":"2026-03-20T08:00:00Z",
    "totalRefundedSet":{"shopMoney":{"amount":"20.00","currencyCode":"USD"}}}]}`;

function graphqlNode(text: string) {
  const p = parseJson(text);
  if (!p.ok || !isJsonObject(p.value)) throw new Error("bad fixture");
  return p.value;
}

describe("one order mapping for webhooks and the GraphQL import", () => {
  it("maps the REST webhook shape and the GraphQL shape of the same order to the same normalised order", () => {
    const rest = parseShopifyOrder(REST);
    const gql = orderFromGraphql(graphqlNode(GRAPHQL));
    expect(rest.ok && gql.ok).toBe(true);
    if (!rest.ok || !gql.ok) return;
    expect(gql.order).toEqual(rest.order);
    expect(gql.order).toMatchObject({
      externalId: "9007199254740993123",
      name: "#1042",
      checkoutToken: "c1b2f8a7e0d94b1f8e3f2a7c9d5e4b3a",
      totalPrice: "404.95",
      currency: "USD",
      refunds: [{ externalId: "18014398509482001", amount: "20.00", currency: "USD" }],
    });
    expect(gql.order.customer?.id).toBe("9007199254741234567");
  });

  it("reads a bulk line's child object (__parentId) as a refund of its parent order", () => {
    const child = graphqlNode(
      `{"id":"gid://shopify/Refund/77","createdAt":"2026-03-21T08:00:00Z","totalRefundedSet":{"shopMoney":{"amount":"2.50","currencyCode":"USD"}},"__parentId":"gid://shopify/Order/9007199254740993123"}`,
    );
    expect(bulkRecordFrom(child)).toEqual({
      kind: "refund",
      refund: {
        externalId: "77",
        orderExternalId: "9007199254740993123",
        createdAt: new Date("2026-03-21T08:00:00Z"),
        amount: "2.50",
        currency: "USD",
      },
    });
    expect(
      bulkRecordFrom(graphqlNode(`{"id":"gid://shopify/LineItem/1","__parentId":"gid://shopify/Order/1"}`)),
    ).toEqual({
      kind: "skip",
    });
    expect(bulkRecordFrom(graphqlNode(`{"id":"gid://shopify/Order/5","createdAt":"2026-01-01T00:00:00Z"}`)).kind).toBe(
      "invalid",
    );
  });

  it("keeps ids beyond 2^53 exact", () => {
    expect(legacyId("gid://shopify/Order/18446744073709551615")).toBe("18446744073709551615");
  });
});
