/**
 * The API reference as an OpenAPI 3.1 document, generated from the zod schemas the routes validate with
 * (`z.toJSONSchema`). Served at `GET /api/v1/openapi.json`; checked in as docs/openapi.json, and CI fails when the two
 * differ (`npm run openapi:check`; `npm run openapi:write` updates the file).
 *
 * Adding an endpoint = one entry in `ENDPOINTS` below.
 */
import { z } from "zod";
import { CHANNELS, STAGE_EVENTS } from "../domain/types";
import { settingsPatchSchema } from "../domain/settings";
import { pixelCheckoutSchema } from "../ingest/pixel";
import {
  MAX_EVENTS_PER_REQUEST,
  MAX_ORDERS_PER_REQUEST,
  eventSchema,
  orderSchema,
  refundBodySchema,
} from "../ingest/api";

// ------------------------------------------------------------------------------------------------ shared shapes

const money = z.string().meta({ description: "decimal string in the currency's minor units", examples: ["70.00"] });
const instant = z.string().meta({ format: "date-time" });

const errorBody = z
  .object({
    error: z.object({
      code: z.enum([
        "invalid_request",
        "unauthorized",
        "not_found",
        "method_not_allowed",
        "conflict",
        "payload_too_large",
        "unsupported_media_type",
        "rate_limited",
        "internal_error",
      ]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Error" });

const accepted = z.object({ accepted: z.number().int(), duplicates: z.number().int() }).meta({ id: "Accepted" });

const summary = z
  .object({
    campaigns: z.number().int(),
    campaigns_with_revenue: z.number().int(),
    purchases: z.number().int(),
    gross: money,
    refunded: money,
    revenue: money,
    average_check: money,
    store_revenue: money,
    incremental_revenue: money
      .nullable()
      .meta({ description: "incremental revenue of the period's campaigns with a holdout; null when none has one" }),
  })
  .meta({ id: "ReportSummary" });

const rate = z.number().nullable();
const holdout = z
  .object({
    treated: z.number().int(),
    held_out: z.number().int(),
    overlap: z.number().int(),
    conversion_treated: rate,
    conversion_held_out: rate,
    lift: rate,
    revenue_per_recipient_treated: money.nullable(),
    revenue_per_recipient_held_out: money.nullable(),
    incremental_revenue: money.nullable(),
    incremental_revenue_low: money.nullable(),
    incremental_revenue_high: money.nullable(),
    significant: z.boolean().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: "Holdout", description: "docs/attribution.md, Holdouts" });

const campaignRow = z
  .object({
    id: z.string(),
    name: z.string(),
    channel: z.enum(CHANNELS),
    sent: z.number().int(),
    delivered: z.number().int(),
    opened: z.number().int(),
    clicked: z.number().int(),
    purchases: z.number().int(),
    gross: money,
    refunded: money,
    revenue: money,
    average_check: money,
    sale_formula: z.string(),
    holdout: holdout.nullable(),
    previous: z
      .object({ purchases: z.number().int(), revenue: money })
      .optional()
      .meta({ description: "with compare: the campaign's figures in the earlier period" }),
  })
  .meta({ id: "CampaignRow" });

const change = z.number().nullable().meta({ description: "(now - before) / before; null where before is 0" });
const report = z
  .object({
    currency: z.string(),
    from: instant,
    to: instant,
    summary,
    campaigns: z.array(campaignRow),
    previous: summary.extend({ from: instant, to: instant }).optional(),
    change: z.object({ purchases: change, revenue: change, average_check: change, store_revenue: change }).optional(),
  })
  .meta({ id: "CampaignReport" });

const importRun = z
  .object({
    id: z.string(),
    kind: z.enum(["history", "reconciliation"]),
    state: z.enum(["queued", "running", "completed", "failed"]),
    since: z.string().nullable(),
    orders_done: z.number().int(),
    orders_total: z.number().int().nullable().meta({ description: "Shopify's estimate (objectCount)" }),
    orders_changed: z.number().int(),
    started_at: instant.nullable(),
    finished_at: instant.nullable(),
    error: z.string().nullable(),
    trigger: z.string(),
    created_at: instant,
    watermark: instant.nullable(),
  })
  .meta({ id: "Import" });

const importRequest = z.strictObject({
  since: z.string().optional().meta({ description: "YYYY-MM-DD; default: as far back as the scopes allow" }),
  kind: z.enum(["history", "reconciliation"]).optional(),
});

const previewFigures = z.object({ purchases: z.number().int(), revenue: money });
const preview = z
  .object({
    from: instant,
    to: instant,
    current: summary,
    proposed: summary,
    campaigns: z.array(
      z.object({ id: z.string(), name: z.string(), current: previewFigures, proposed: previewFigures }),
    ),
    orders: z.object({
      gained: z.number().int(),
      lost: z.number().int(),
      moved: z.number().int(),
      unchanged: z.number().int(),
    }),
  })
  .meta({ id: "SettingsPreview" });

const channelSettings = z.object({ event: z.enum(STAGE_EVENTS), window_hours: z.number().int().min(1).max(2160) });
const settings = z
  .object({
    enabled: z.boolean(),
    currency: z.string(),
    channels: z.object(Object.fromEntries(CHANNELS.map((c) => [c, channelSettings]))),
    excluded_tags: z.array(z.string()),
    ignore_machine_opens: z.boolean(),
    providers: z.record(z.string(), z.object({ configured: z.boolean() })),
    attribution: z.object({
      state: z.enum(["idle", "running"]),
      version: z.number().int(),
    }),
    ingest: z.object({ token: z.string(), urls: z.record(z.string(), z.string()) }),
  })
  .meta({ id: "Settings" });

const attribution = z
  .object({
    order_id: z.string(),
    attributed: z.boolean(),
    campaign_id: z.string().nullable(),
    message_id: z.string().nullable(),
    channel: z.enum(CHANNELS).nullable(),
    event_type: z.enum(STAGE_EVENTS).nullable(),
    event_at: instant.nullable(),
    explanation: z.string(),
    reason: z.enum(["no_match", "outside_window", "excluded_tag", "other_currency", "cancelled", "test"]).nullable(),
    linked_by: z.enum(["identity", "click"]).nullable(),
    time_of_sale: instant,
    name: z.string().nullable().meta({ description: "the order's name as merchants know it (#1001)" }),
    campaign_name: z.string().nullable(),
  })
  .meta({ id: "OrderAttribution" });

const campaignDetail = campaignRow
  .extend({
    orders: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        time_of_sale: instant,
        gross: money,
        refunded: money,
        revenue: money,
      }),
    ),
  })
  .meta({ id: "CampaignDetail" });

const health = z
  .object({
    db: z.enum(["ok", "down"]),
    redis: z.enum(["ok", "down"]),
    queue: z.object({ waiting: z.number().int().nullable(), failed: z.number().int().nullable() }),
  })
  .meta({ id: "Health" });

/** Report period (GET /api/v1/reports/campaigns, /api/v1/campaigns/{id}); parsed by app/http/report-params.server.ts. */
const period = z.object({
  from: instant.optional().meta({ description: "ISO 8601 instant with an offset; default 30 days before `to`" }),
  to: instant.optional().meta({ description: "ISO 8601 instant, excluded; default now" }),
});

// ------------------------------------------------------------------------------------------------ the registry

type Method = "get" | "post" | "put";
interface Endpoint {
  method: Method;
  path: string;
  summary: string;
  /** false: no API key (Shopify HMAC, provider signatures or none). */
  apiKey?: boolean;
  params?: Record<string, string>;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType; csv?: boolean }>;
}

const ERRORS = {
  400: { description: "invalid_request: `details` name each bad field by path", schema: errorBody },
  401: { description: "unauthorized", schema: errorBody },
  429: { description: "rate_limited (with Retry-After)", schema: errorBody },
};

export const ENDPOINTS: Endpoint[] = [
  {
    method: "post",
    path: "/api/v1/orders",
    summary: "Add orders (Shopify's order field names); the same id again updates the order",
    body: z.object({ orders: z.array(orderSchema).min(1).max(MAX_ORDERS_PER_REQUEST) }),
    responses: {
      202: { description: "stored", schema: accepted },
      ...ERRORS,
      413: { description: "body over 5 MB", schema: errorBody },
    },
  },
  {
    method: "post",
    path: "/api/v1/orders/{id}/refunds",
    summary: "Add a refund; the order need not exist yet, the same refund id again changes nothing",
    params: { id: "the order's id" },
    body: refundBodySchema,
    responses: { 202: { description: "stored", schema: accepted }, ...ERRORS },
  },
  {
    method: "post",
    path: "/api/v1/events",
    summary: "Generate event: message events (sent, delivered, opened, clicked, bounced…)",
    body: z.object({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) }),
    responses: {
      202: { description: "stored", schema: accepted },
      ...ERRORS,
      413: { description: "body over 5 MB", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/settings",
    summary: "The shop's attribution settings, the re-attribution state and the provider ingest URLs",
    responses: { 200: { description: "settings", schema: settings }, 401: ERRORS[401] },
  },
  {
    method: "put",
    path: "/api/v1/settings",
    summary: "Change any subset of the settings; starts the re-attribution when attribution changes",
    body: settingsPatchSchema,
    responses: { 200: { description: "the new settings", schema: settings }, ...ERRORS },
  },
  {
    method: "post",
    path: "/api/v1/settings/preview",
    summary: "The period's report under proposed settings next to the current one; saves nothing",
    query: period.meta({ description: "default: the last 30 days in the shop's time zone" }),
    body: settingsPatchSchema,
    responses: { 200: { description: "the preview", schema: preview }, ...ERRORS },
  },
  {
    method: "post",
    path: "/api/v1/settings/ingest-token/rotate",
    summary: "A new provider ingest token; URLs built from the old one answer 404 from now on",
    responses: {
      200: { description: "the settings with the new ingest token and URLs", schema: settings },
      401: ERRORS[401],
    },
  },
  {
    method: "post",
    path: "/api/v1/imports",
    summary: "Import the shop's order history from Shopify (a bulk operation), or run a reconciliation now",
    body: importRequest,
    responses: {
      202: { description: "queued", schema: importRun },
      ...ERRORS,
      409: { description: "conflict: an import is already running for the shop", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/imports",
    summary: "The shop's imports and reconciliation runs, newest first",
    query: z.object({ kind: z.enum(["history", "reconciliation"]).optional() }),
    responses: { 200: { description: "the runs", schema: z.object({ imports: z.array(importRun) }) }, ...ERRORS },
  },
  {
    method: "get",
    path: "/api/v1/imports/{id}",
    summary: "One import or reconciliation run",
    params: { id: "the import's id" },
    responses: {
      200: { description: "the run", schema: importRun },
      401: ERRORS[401],
      404: { description: "not_found", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/reports/campaigns",
    summary: "The campaign revenue report for [from, to); CSV with Accept: text/csv or format=csv",
    query: period.extend({
      format: z.enum(["json", "csv"]).optional(),
      compare: z.enum(["previous_period", "previous_year"]).optional(),
    }),
    responses: { 200: { description: "the report", schema: report, csv: true }, ...ERRORS },
  },
  {
    method: "get",
    path: "/api/v1/campaigns/{id}",
    summary: "One campaign's report row and its attributed orders of the period",
    params: { id: "the campaign's id" },
    query: period,
    responses: {
      200: { description: "the campaign", schema: campaignDetail },
      ...ERRORS,
      404: { description: "not_found", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/orders/{id}/attribution",
    summary: "Which campaign earned the order and why, or why none did (explains the stored attribution)",
    params: { id: "the order's id" },
    responses: {
      200: { description: "the attribution", schema: attribution },
      401: ERRORS[401],
      404: { description: "not_found", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    summary: "This document",
    apiKey: false,
    responses: { 200: { description: "OpenAPI 3.1" } },
  },
  ...[
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "refunds/create",
    "app/uninstalled",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "bulk_operations/finish",
  ].map((topic): Endpoint => ({
    method: "post",
    path: `/webhooks/${topic}`,
    summary: `Shopify webhook ${topic} (authenticated by X-Shopify-Hmac-Sha256; X-Shopify-Webhook-Id deduplicates)`,
    apiKey: false,
    body: z.looseObject({}).meta({ description: "Shopify's own REST webhook body" }),
    responses: { 200: { description: "stored" }, 401: { description: "bad or missing HMAC" } },
  })),
  {
    method: "post",
    path: "/ingest/{provider}/{token}",
    summary: "A mailing provider's own event webhook (sendgrid, mailgun, postmark, ses, twilio); signatures verified",
    apiKey: false,
    params: { provider: "sendgrid | mailgun | postmark | ses | twilio", token: "the shop's ingest token" },
    responses: {
      200: { description: "stored" },
      400: { description: "a body that cannot be parsed", schema: errorBody },
      401: { description: "bad signature where the provider's secret is configured", schema: errorBody },
      404: { description: "unknown token", schema: errorBody },
    },
  },
  {
    method: "post",
    path: "/pixel/{token}",
    summary: "A completed checkout from the click pixel (CORS, any origin; the per-shop token is the credential)",
    apiKey: false,
    params: { token: "the shop's pixel token" },
    body: pixelCheckoutSchema,
    responses: {
      202: { description: "stored", schema: accepted },
      400: { description: "invalid_request", schema: errorBody },
      401: { description: "unknown or forged token", schema: errorBody },
      429: ERRORS[429],
    },
  },
  {
    method: "get",
    path: "/extensions/orders/{id}/attribution",
    summary: "The order details block's read: the order's attribution (session token of the admin, CORS for it)",
    apiKey: false,
    params: { id: "the order's id" },
    responses: {
      200: { description: "the attribution" },
      401: { description: "no valid session token", schema: errorBody },
      404: { description: "not_found", schema: errorBody },
    },
  },
  {
    method: "post",
    path: "/flow/lifecycle",
    summary: "Shopify Flow's trigger lifecycle callback (HMAC-signed): which shops use the trigger",
    apiKey: false,
    responses: { 200: { description: "recorded" }, 401: { description: "bad or missing HMAC" } },
  },
  {
    method: "get",
    path: "/healthz",
    summary: "Health of PostgreSQL, Redis and the queue (no auth); 503 names what is down",
    apiKey: false,
    responses: { 200: { description: "healthy", schema: health }, 503: { description: "something is down" } },
  },
];

// ------------------------------------------------------------------------------------------------ the document

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  const s = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12", reused: "inline" });
  delete (s as { $schema?: string }).$schema;
  return s as Record<string, unknown>;
}

/** The OpenAPI 3.1 document. `serverUrl`: the app's URL. */
export function openApiDocument(serverUrl = "/") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ENDPOINTS) {
    const parameters = [
      ...Object.entries(e.params ?? {}).map(([name, description]) => ({
        name,
        in: "path",
        required: true,
        description,
        schema: { type: "string" },
      })),
      ...Object.entries(e.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: "query",
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: jsonSchema(schema as z.ZodType, "input"),
      })),
    ];
    const responses = Object.fromEntries(
      Object.entries(e.responses).map(([code, r]) => [
        code,
        {
          description: r.description,
          ...(r.schema
            ? {
                content: {
                  "application/json": { schema: jsonSchema(r.schema, "output") },
                  ...(r.csv ? { "text/csv": { schema: { type: "string" } } } : {}),
                },
              }
            : {}),
        },
      ]),
    );
    (paths[e.path] ??= {})[e.method] = {
      summary: e.summary,
      ...(e.apiKey === false ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(e.body
        ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(e.body, "input") } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Campaign Revenue API",
      version: "1",
      description:
        "Orders, refunds and message events in; campaign revenue reports out. The attribution rules: docs/attribution.md.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "an API key (npm run cli -- api-key create)" },
      },
    },
    paths,
  };
}
