/**
 * Shopify webhooks (docs/openapi.json "Shopify webhooks"): HMAC verification and parsers for the REST-format bodies.
 *
 * - `orders/create`, `orders/updated`, `orders/cancelled`: the order resource.
 * - `refunds/create`: the refund resource (with `order_id`).
 * - `customers/redact`, `customers/data_request`, `shop/redact` (mandatory compliance topics), `app/uninstalled`
 *   (the shop resource).
 *
 * Amounts are shop money: `total_price_set.shop_money.amount` (falling back to `total_price`, which Shopify documents
 * in the shop currency). Refund transactions carry no shop-money set in REST: their `amount` is in the order's
 * presentment currency. So a refund takes `amount_set.shop_money` where a transaction has one, else `amount` with the
 * transaction's `currency`; inside an order whose presentment currency differs from the shop currency, such an
 * amount is converted with the order's own rate (`total_price_set.shop_money / presentment_money`), rounded half away
 * from zero to the shop total's decimals. A standalone `refunds/create` keeps the transaction currency (`null` when
 * Shopify sends null, as in the shopify.dev sample: read as "the order's currency"); the consumer compares it with
 * the stored order's currency.
 */
import { createHmac } from "node:crypto";
import Decimal from "decimal.js";
import { z } from "zod";
import type { OrderInput, RefundInput } from "../domain/types";
import type { ErrorDetail, Result } from "./common";
import { safeEqual } from "./crypto";
import { type HeadersInput, header } from "./request";
import { MAX_ID, MAX_URL, decimalPlaces, parseIsoDate } from "./scalars";
import { runSchema, zBool, zCurrency, zId, zIsoDate, zMoney, zOptStr, zStr, zObject } from "./schema";
import { type JsonParseOptions, type JsonValue, isJsonObject, parseJson } from "./json";

// ---------------------------------------------------------------------------------------------------------------
// Signature

/** `base64(HMAC-SHA256(secret, raw body bytes))` compared in constant time with `X-Shopify-Hmac-Sha256`. */
export function verifyShopifyHmac(
  rawBody: string | Uint8Array,
  hmacHeader: string | null | undefined,
  secret: string,
): boolean {
  if (!hmacHeader || !secret) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest("base64");
  return safeEqual(expected, hmacHeader.trim());
}

export interface ShopifyWebhookMeta {
  topic: string | null;
  shopDomain: string | null;
  webhookId: string | null;
  eventId: string | null;
  apiVersion: string | null;
  triggeredAt: Date | null;
  hmac: string | null;
  test: boolean;
}

/** Reads the `X-Shopify-*` headers (or the lower-case `shopify-*` names of "Events" deliveries). */
export function readShopifyHeaders(headers: HeadersInput): ShopifyWebhookMeta {
  const h = (name: string) => header(headers, `x-shopify-${name}`) ?? header(headers, `shopify-${name}`);
  const triggered = h("triggered-at");
  const t = triggered ? parseIsoDate(triggered) : null;
  return {
    topic: h("topic"),
    shopDomain: h("shop-domain"),
    webhookId: h("webhook-id"),
    eventId: h("event-id"),
    apiVersion: h("api-version"),
    triggeredAt: t instanceof Date ? t : null,
    hmac: h("hmac-sha256"),
    test: h("test") === "true",
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const moneySchema = zObject({ amount: zMoney(), currency_code: zCurrency().nullish() });
const moneySetSchema = zObject({ shop_money: moneySchema.nullish(), presentment_money: moneySchema.nullish() });

const transactionSchema = zObject({
  id: zId().nullish(),
  kind: zStr(32),
  status: zOptStr(32),
  amount: zMoney(),
  currency: zCurrency().nullish(),
  amount_set: moneySetSchema.nullish(),
});

const refundSchema = zObject({
  id: zId(),
  order_id: zId().nullish(),
  created_at: zIsoDate(),
  processed_at: zIsoDate().nullish(),
  transactions: z.array(transactionSchema).max(250).nullish(),
});

const customerSchema = zObject({ id: zId().nullish(), email: zOptStr(320), phone: zOptStr(64) });

const orderSchema = zObject({
  id: zId(),
  name: zOptStr(MAX_ID),
  created_at: zIsoDate().nullish(),
  processed_at: zIsoDate().nullish(),
  updated_at: zIsoDate().nullish(),
  cancelled_at: zIsoDate().nullish(),
  currency: zCurrency().nullish(),
  presentment_currency: zCurrency().nullish(),
  total_price: zMoney().nullish(),
  total_price_set: moneySetSchema.nullish(),
  email: zOptStr(320),
  contact_email: zOptStr(320),
  phone: zOptStr(64),
  customer: customerSchema.nullish(),
  test: zBool().nullish(),
  landing_site: zOptStr(MAX_URL),
  refunds: z.array(refundSchema).max(1000).nullish(),
  checkout_token: zOptStr(MAX_ID),
});

type ParsedRefund = z.output<typeof refundSchema>;
type ParsedOrder = z.output<typeof orderSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function body(raw: string | Uint8Array, options?: JsonParseOptions): Result<{ value: Record<string, JsonValue> }> {
  const p = parseJson(raw, options);
  if (!p.ok) return p;
  if (!isJsonObject(p.value)) return { ok: false, errors: [{ path: "", message: "body must be a JSON object" }] };
  return { ok: true, value: p.value };
}

/** A refund in shop money where Shopify says so; else the transactions' own (presentment) currency. */
function refundFrom(r: ParsedRefund, orderId: string): RefundInput | { error: string } {
  let total = new Decimal(0);
  let places = 0;
  let currency: string | null = null;
  for (const t of r.transactions ?? []) {
    if (t.kind.toLowerCase() !== "refund" || (t.status ?? "").toLowerCase() !== "success") continue;
    const shop = t.amount_set?.shop_money;
    const amount = shop?.amount ?? t.amount;
    const cur = shop ? (shop.currency_code ?? null) : (t.currency ?? null);
    if (cur !== null) {
      if (currency !== null && currency !== cur) return { error: "successful refund transactions mix currencies" };
      currency = cur;
    }
    total = total.plus(amount);
    places = Math.max(places, decimalPlaces(amount));
  }
  return {
    externalId: r.id,
    orderExternalId: orderId,
    createdAt: r.created_at,
    amount: total.toFixed(places),
    currency,
  };
}

function orderFrom(o: ParsedOrder): Result<{ order: OrderInput }> {
  const errors: ErrorDetail[] = [];
  const shop = o.total_price_set?.shop_money ?? null;
  const presentment = o.total_price_set?.presentment_money ?? null;
  const totalPrice = shop?.amount ?? o.total_price ?? null;
  const currency = shop?.currency_code ?? o.currency ?? null;
  if (totalPrice === null)
    errors.push({ path: "total_price_set.shop_money.amount", message: "is required (or total_price)" });
  if (currency === null) errors.push({ path: "currency", message: "is required" });
  if (!o.processed_at && !o.created_at)
    errors.push({ path: "processed_at", message: "processed_at or created_at is required" });
  const refunds: RefundInput[] = [];
  (o.refunds ?? []).forEach((r, i) => {
    const rf = refundFrom(r, o.id);
    if ("error" in rf) {
      errors.push({ path: `refunds[${i}].transactions`, message: rf.error });
      return;
    }
    // presentment-currency refund of a multi-currency order: convert at the order's own rate
    if (rf.currency !== null && currency !== null && rf.currency !== currency && totalPrice !== null) {
      const pCur = presentment?.currency_code ?? o.presentment_currency ?? null;
      if (pCur === rf.currency && presentment && !new Decimal(presentment.amount).isZero()) {
        const places = Math.max(2, totalPrice.split(".")[1]?.length ?? 0);
        rf.amount = new Decimal(rf.amount)
          .times(totalPrice)
          .dividedBy(presentment.amount)
          .toDecimalPlaces(places, Decimal.ROUND_HALF_UP)
          .toFixed(places);
        rf.currency = currency;
      }
    }
    if (rf.currency === null) rf.currency = currency;
    refunds.push(rf);
  });
  if (errors.length || totalPrice === null || currency === null) return { ok: false, errors };
  return {
    ok: true,
    order: {
      externalId: o.id,
      name: o.name ?? null,
      processedAt: o.processed_at ?? null,
      createdAt: o.created_at ?? null,
      updatedAt: o.updated_at ?? null,
      currency,
      totalPrice,
      email: o.email ?? o.contact_email ?? null,
      phone: o.phone ?? null,
      customer: o.customer
        ? { id: o.customer.id ?? null, email: o.customer.email ?? null, phone: o.customer.phone ?? null }
        : null,
      test: o.test ?? false,
      cancelledAt: o.cancelled_at ?? null,
      landingSite: o.landing_site ?? null,
      refunds,
      checkoutToken: o.checkout_token ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Orders and refunds

/** `orders/create`, `orders/updated`, `orders/cancelled`: the REST order resource. */
export function parseShopifyOrder(
  rawBody: string | Uint8Array,
  options?: JsonParseOptions,
): Result<{ order: OrderInput }> {
  const b = body(rawBody, options);
  if (!b.ok) return b;
  return shopifyOrderFromRest(b.value);
}

/**
 * THE order mapping: a REST-shaped order object (as `parseJson` returns it) -> the normalised order. Webhooks come
 * here directly; the GraphQL shape (bulk import, reconciliation: `app/ingest/shopify-graphql.ts`) is renamed into
 * this shape first, so both paths store the same row for the same order.
 */
export function shopifyOrderFromRest(value: Record<string, JsonValue>): Result<{ order: OrderInput }> {
  const r = runSchema(orderSchema, value);
  return r.ok ? orderFrom(r.data) : r;
}

/** `refunds/create`: the REST refund resource with `order_id`. `currency` null = the order's currency. */
export function parseShopifyRefund(
  rawBody: string | Uint8Array,
  options?: JsonParseOptions,
): Result<{ refund: RefundInput }> {
  const b = body(rawBody, options);
  if (!b.ok) return b;
  return shopifyRefundFromRest(b.value);
}

/** A REST-shaped refund object with `order_id` -> the normalised refund (webhooks and bulk child lines). */
export function shopifyRefundFromRest(value: Record<string, JsonValue>): Result<{ refund: RefundInput }> {
  const r = runSchema(refundSchema, value);
  if (!r.ok) return r;
  if (!r.data.order_id) return { ok: false, errors: [{ path: "order_id", message: "is required" }] };
  const rf = refundFrom(r.data, r.data.order_id);
  if ("error" in rf) return { ok: false, errors: [{ path: "transactions", message: rf.error }] };
  return { ok: true, refund: rf };
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance and lifecycle topics (shapes as documented on shopify.dev "privacy law compliance")

export interface ShopifyCustomerRef {
  id: string | null;
  email: string | null;
  phone: string | null;
}

export interface CustomersRedact {
  shopId: string;
  shopDomain: string;
  customer: ShopifyCustomerRef;
  ordersToRedact: string[];
}

export interface CustomersDataRequest {
  shopId: string;
  shopDomain: string;
  customer: ShopifyCustomerRef;
  ordersRequested: string[];
  dataRequestId: string | null;
}

export interface ShopRedact {
  shopId: string;
  shopDomain: string;
}

export interface AppUninstalled {
  shopId: string;
  /** `myshopify_domain` (falls back to `domain`). */
  shopDomain: string;
  name: string | null;
  email: string | null;
}

const shopDomainSchema = zStr(255);
const idList = z.array(zId()).max(100_000);

const customersRedactSchema = zObject({
  shop_id: zId(),
  shop_domain: shopDomainSchema,
  customer: customerSchema,
  // Required (may be empty): only customers/redact carries it.
  orders_to_redact: idList,
});

const customersDataRequestSchema = zObject({
  shop_id: zId(),
  shop_domain: shopDomainSchema,
  customer: customerSchema,
  // Required: only customers/data_request carries them.
  orders_requested: idList,
  data_request: zObject({ id: zId().nullish() }),
});

const shopRedactSchema = zObject({ shop_id: zId(), shop_domain: shopDomainSchema });

const appUninstalledSchema = zObject({
  id: zId(),
  name: zOptStr(255),
  email: zOptStr(320),
  domain: zOptStr(255),
  myshopify_domain: zOptStr(255),
});

/**
 * The HMAC covers the body, not the topic: a signed body of one compliance topic must not be read as another (a
 * customers/data_request body posted to /webhooks/shop/redact would otherwise parse and erase the shop). Each
 * compliance topic has fields only it carries (required above) and its exact set of top-level fields: any other
 * field is refused by name.
 */
const COMPLIANCE_FIELDS = {
  "customers/redact": ["shop_id", "shop_domain", "customer", "orders_to_redact"],
  "customers/data_request": ["shop_id", "shop_domain", "customer", "orders_requested", "data_request"],
  "shop/redact": ["shop_id", "shop_domain"],
} as const;

function unknownFields(value: Record<string, JsonValue>, topic: keyof typeof COMPLIANCE_FIELDS): ErrorDetail[] {
  const allowed: readonly string[] = COMPLIANCE_FIELDS[topic];
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: k, message: `is not a field of ${topic}` }));
}

/** Schema errors and unknown fields together, so that every bad field is named at once. */
function strictResult<T>(
  r: Result<{ data: T }>,
  value: Record<string, JsonValue>,
  topic: keyof typeof COMPLIANCE_FIELDS,
): Result<{ data: T }> {
  const extra = unknownFields(value, topic);
  if (!extra.length) return r;
  return { ok: false, errors: [...(r.ok ? [] : r.errors), ...extra] };
}

const customerRef = (c: z.output<typeof customerSchema>): ShopifyCustomerRef => ({
  id: c.id ?? null,
  email: c.email ?? null,
  phone: c.phone ?? null,
});

export function parseCustomersRedact(rawBody: string | Uint8Array): Result<{ redact: CustomersRedact }> {
  const b = body(rawBody);
  if (!b.ok) return b;
  const r = strictResult(runSchema(customersRedactSchema, b.value), b.value, "customers/redact");
  if (!r.ok) return r;
  return {
    ok: true,
    redact: {
      shopId: r.data.shop_id,
      shopDomain: r.data.shop_domain,
      customer: customerRef(r.data.customer),
      ordersToRedact: r.data.orders_to_redact,
    },
  };
}

export function parseCustomersDataRequest(rawBody: string | Uint8Array): Result<{ request: CustomersDataRequest }> {
  const b = body(rawBody);
  if (!b.ok) return b;
  const r = strictResult(runSchema(customersDataRequestSchema, b.value), b.value, "customers/data_request");
  if (!r.ok) return r;
  return {
    ok: true,
    request: {
      shopId: r.data.shop_id,
      shopDomain: r.data.shop_domain,
      customer: customerRef(r.data.customer),
      ordersRequested: r.data.orders_requested,
      dataRequestId: r.data.data_request.id ?? null,
    },
  };
}

export function parseShopRedact(rawBody: string | Uint8Array): Result<{ redact: ShopRedact }> {
  const b = body(rawBody);
  if (!b.ok) return b;
  const r = strictResult(runSchema(shopRedactSchema, b.value), b.value, "shop/redact");
  return r.ok ? { ok: true, redact: { shopId: r.data.shop_id, shopDomain: r.data.shop_domain } } : r;
}

export function parseAppUninstalled(rawBody: string | Uint8Array): Result<{ shop: AppUninstalled }> {
  const b = body(rawBody);
  if (!b.ok) return b;
  const r = runSchema(appUninstalledSchema, b.value);
  if (!r.ok) return r;
  const domain = r.data.myshopify_domain ?? r.data.domain;
  if (!domain) return { ok: false, errors: [{ path: "myshopify_domain", message: "is required" }] };
  return {
    ok: true,
    shop: { shopId: r.data.id, shopDomain: domain, name: r.data.name ?? null, email: r.data.email ?? null },
  };
}

/** `bulk_operations/finish`: `{admin_graphql_api_id, completed_at, created_at, error_code, status, type}`. */
export interface BulkOperationFinish {
  id: string;
  status: string;
  errorCode: string | null;
  type: string | null;
}

const bulkFinishSchema = zObject({
  admin_graphql_api_id: zStr(MAX_ID),
  status: zStr(32),
  error_code: zOptStr(64),
  type: zOptStr(32),
});

export function parseBulkOperationFinish(rawBody: string | Uint8Array): Result<{ bulk: BulkOperationFinish }> {
  const b = body(rawBody);
  if (!b.ok) return b;
  const r = runSchema(bulkFinishSchema, b.value);
  if (!r.ok) return r;
  return {
    ok: true,
    bulk: {
      id: r.data.admin_graphql_api_id,
      status: r.data.status,
      errorCode: r.data.error_code ?? null,
      type: r.data.type ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dispatch by topic

export const SHOPIFY_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "refunds/create",
  "app/uninstalled",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
  "bulk_operations/finish",
] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

export type ShopifyWebhookPayload =
  | { topic: "orders/create" | "orders/updated" | "orders/cancelled"; order: OrderInput }
  | { topic: "refunds/create"; refund: RefundInput }
  | { topic: "customers/redact"; redact: CustomersRedact }
  | { topic: "customers/data_request"; request: CustomersDataRequest }
  | { topic: "shop/redact"; redact: ShopRedact }
  | { topic: "app/uninstalled"; shop: AppUninstalled }
  | { topic: "bulk_operations/finish"; bulk: BulkOperationFinish };

/** Parses a body by its topic (`X-Shopify-Topic`, or the `/webhooks/<topic>` path). */
export function parseShopifyWebhook(
  topic: string,
  rawBody: string | Uint8Array,
): Result<{ payload: ShopifyWebhookPayload }> {
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled": {
      const r = parseShopifyOrder(rawBody);
      return r.ok ? { ok: true, payload: { topic, order: r.order } } : r;
    }
    case "refunds/create": {
      const r = parseShopifyRefund(rawBody);
      return r.ok ? { ok: true, payload: { topic, refund: r.refund } } : r;
    }
    case "customers/redact": {
      const r = parseCustomersRedact(rawBody);
      return r.ok ? { ok: true, payload: { topic, redact: r.redact } } : r;
    }
    case "customers/data_request": {
      const r = parseCustomersDataRequest(rawBody);
      return r.ok ? { ok: true, payload: { topic, request: r.request } } : r;
    }
    case "shop/redact": {
      const r = parseShopRedact(rawBody);
      return r.ok ? { ok: true, payload: { topic, redact: r.redact } } : r;
    }
    case "app/uninstalled": {
      const r = parseAppUninstalled(rawBody);
      return r.ok ? { ok: true, payload: { topic, shop: r.shop } } : r;
    }
    case "bulk_operations/finish": {
      const r = parseBulkOperationFinish(rawBody);
      return r.ok ? { ok: true, payload: { topic, bulk: r.bulk } } : r;
    }
    default:
      return { ok: false, errors: [{ path: "topic", message: `unsupported topic ${JSON.stringify(topic)}` }] };
  }
}
