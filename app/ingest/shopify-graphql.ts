/**
 * Orders in the GraphQL Admin API's shape (history import through bulk operations, reconciliation pages) ->
 * the REST field names the webhook parser reads -> THE one order mapping (`shopifyOrderFromRest` in ./shopify.ts).
 * So an order read from a bulk operation and the same order delivered by `orders/updated` store the same row
 * (tests/unit/ingest/shopify-graphql.test.ts proves it on one order in both shapes).
 *
 * GraphQL ids are global ids (`gid://shopify/Order/450789469`); the numeric tail is the REST id, kept as an exact
 * string (ids exceed 2^53). Amounts are shop money (`shopMoney`), as the webhook mapping uses; a refund's amount is
 * its `totalRefundedSet.shopMoney` (the sum of its successful refund transactions in the shop's currency).
 * Pure: no I/O.
 */
import type { OrderInput, RefundInput } from "../domain/types";
import type { ErrorDetail, Result } from "./common";
import { type JsonObject, type JsonValue, JsonNumber, isJsonObject } from "./json";
import { shopifyOrderFromRest, shopifyRefundFromRest } from "./shopify";

/** The fields the rules need, for the bulk query and the reconciliation query alike. */
export const ORDER_GRAPHQL_FIELDS = `
  id
  name
  email
  phone
  createdAt
  processedAt
  updatedAt
  cancelledAt
  test
  checkoutToken
  currencyCode
  presentmentCurrencyCode
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  customer { id defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  customerJourneySummary { firstVisit { landingPage } }
  refunds { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } }`;

/** `gid://shopify/Order/123` -> `123`; anything else unchanged (a REST id already). */
export function legacyId(gid: string): string {
  const m = /^gid:\/\/shopify\/[A-Za-z]+\/([^/?]+)/.exec(gid);
  return m ? m[1]! : gid;
}

/** The resource type of a global id (`Order`, `Refund`, ...), or null. */
export function gidType(gid: string): string | null {
  const m = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid);
  return m ? m[1]! : null;
}

const obj = (v: JsonValue | undefined): JsonObject | null => (isJsonObject(v) ? v : null);
const str = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);
const id = (v: JsonValue | undefined): JsonValue => (typeof v === "string" ? legacyId(v) : (v ?? null));

function money(v: JsonValue | undefined): JsonValue {
  const m = obj(v);
  if (!m) return null;
  const amount = m.amount instanceof JsonNumber || typeof m.amount === "string" ? m.amount : null;
  return { amount, currency_code: m.currencyCode ?? null };
}

/** A landing page URL -> its path and query, as REST's `landing_site` holds it. */
function landingSite(v: JsonValue | undefined): string | null {
  const url = str(v);
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url;
  }
}

/** A GraphQL Refund -> the REST refund resource (one successful refund transaction in shop money). */
export function refundToRest(refund: JsonObject, orderId: string | null): JsonObject {
  const shop = money(obj(refund.totalRefundedSet)?.shopMoney);
  const shopMoney = obj(shop);
  const transactions: JsonValue[] = shopMoney
    ? [
        {
          kind: "refund",
          status: "success",
          amount: shopMoney.amount ?? null,
          currency: shopMoney.currency_code ?? null,
          amount_set: { shop_money: shop },
        },
      ]
    : [];
  return {
    id: id(refund.id),
    ...(orderId !== null ? { order_id: orderId } : {}),
    created_at: refund.createdAt ?? null,
    transactions,
  };
}

/** A GraphQL Order node -> the REST order resource's field names (only the fields the mapping reads). */
export function orderToRest(node: JsonObject): JsonObject {
  const customer = obj(node.customer);
  const orderId = typeof node.id === "string" ? legacyId(node.id) : null;
  const refunds = Array.isArray(node.refunds) ? node.refunds : [];
  return {
    id: id(node.id),
    name: node.name ?? null,
    email: node.email ?? null,
    phone: node.phone ?? null,
    created_at: node.createdAt ?? null,
    processed_at: node.processedAt ?? null,
    updated_at: node.updatedAt ?? null,
    cancelled_at: node.cancelledAt ?? null,
    test: node.test ?? null,
    checkout_token: node.checkoutToken ?? null,
    currency: node.currencyCode ?? null,
    presentment_currency: node.presentmentCurrencyCode ?? null,
    total_price_set: {
      shop_money: money(obj(node.totalPriceSet)?.shopMoney),
      presentment_money: money(obj(node.totalPriceSet)?.presentmentMoney),
    },
    customer: customer
      ? {
          id: id(customer.id),
          email: obj(customer.defaultEmailAddress)?.emailAddress ?? customer.email ?? null,
          phone: obj(customer.defaultPhoneNumber)?.phoneNumber ?? customer.phone ?? null,
        }
      : null,
    landing_site: landingSite(obj(obj(node.customerJourneySummary)?.firstVisit)?.landingPage),
    refunds: refunds.filter(isJsonObject).map((r) => refundToRest(r, orderId)),
  };
}

/** A GraphQL Order node -> the normalised order, through the webhook path's mapping. */
export function orderFromGraphql(node: JsonObject): Result<{ order: OrderInput }> {
  return shopifyOrderFromRest(orderToRest(node));
}

/**
 * One line of a bulk operation's JSONL result: an order (top level), or a child object of a connection with
 * `__parentId` (a refund of an order, when a query asks for refunds as their own lines). Anything else is skipped.
 */
export type BulkRecord =
  | { kind: "order"; order: OrderInput }
  | { kind: "refund"; refund: RefundInput }
  | { kind: "skip" }
  | { kind: "invalid"; errors: ErrorDetail[] };

export function bulkRecordFrom(line: JsonObject): BulkRecord {
  const gid = str(line.id);
  const parent = str(line.__parentId);
  const type = gid ? gidType(gid) : null;
  if (!parent && type === "Order") {
    const r = orderFromGraphql(line);
    return r.ok ? { kind: "order", order: r.order } : { kind: "invalid", errors: r.errors };
  }
  if (parent && type === "Refund" && gidType(parent) === "Order") {
    const r = shopifyRefundFromRest(refundToRest(line, legacyId(parent)));
    return r.ok ? { kind: "refund", refund: r.refund } : { kind: "invalid", errors: r.errors };
  }
  return { kind: "skip" };
}
