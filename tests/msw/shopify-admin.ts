/**
 * A fake of Shopify's GraphQL Admin API (`POST https://<shop>.myshopify.com/admin/api/<version>/graphql.json`) for
 * msw: the one place where the app's Admin API calls are imitated, shared by tests and local development.
 * It keeps per-shop state, so a sequence of calls behaves like Shopify: the `shop` query, and the app's web pixel
 * (`webPixelCreate`, `webPixelUpdate`, `webPixel`), and Shopify Flow's `flowTriggerReceive` (the triggers received
 * per shop, with the GraphQL cost bucket and THROTTLED answers on demand).
 * - `shopifyAdminHandlers`: handlers over one shared fake that answers for any shop (defaults below); what
 *   tests/msw/node.ts loads into the test server and dev processes.
 * - `createShopifyAdminHandlers(admin)`: handlers over your own `FakeShopifyAdmin`, to set a shop's details and
 *   inspect the calls made (tests in the vitest process).
 *
 * Operations are recognised by their root field; an operation it does not know answers a GraphQL error naming it,
 * so a new Admin API call fails loudly until it is added here.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { http, HttpResponse } from "msw";

export interface FakeShop {
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  /** The app's web pixel on this shop (Shopify allows one per app and shop). */
  webPixel: { id: string; settings: string } | null;
  /** Settings every created/updated pixel must have (the extension's `[settings]` fields). */
  requiredSettings: string[];
  /** Flow triggers received (flowTriggerReceive), in order. */
  flowTriggers: { handle: string; payload: Record<string, unknown>; raw: string }[];
  /** Trigger handles the app has deployed; another handle gets a user error, as from Shopify. */
  flowHandles: string[];
  /** The next this-many flowTriggerReceive calls answer THROTTLED (nothing received). */
  flowThrottleNext: number;
}

export interface AdminCall {
  shop: string;
  apiVersion: string;
  operation: string;
  variables: Record<string, unknown>;
}

let pixelSeq = 1000;

export class FakeShopifyAdmin {
  readonly shops = new Map<string, FakeShop>();
  readonly calls: AdminCall[] = [];

  /** `anyShop`: a shop never added answers with the defaults (instead of 401, as for an unknown shop). */
  constructor(readonly options: { anyShop?: boolean } = {}) {}

  addShop(domain: string, init: Partial<FakeShop> = {}): FakeShop {
    const shop: FakeShop = {
      name: "Test shop",
      currencyCode: "USD",
      ianaTimezone: "UTC",
      webPixel: null,
      requiredSettings: ["app_url", "shop_token"],
      flowTriggers: [],
      flowHandles: ["order-attributed"],
      flowThrottleNext: 0,
      ...init,
    };
    this.shops.set(domain, shop);
    return shop;
  }

  callsTo(domain: string, operation?: string): AdminCall[] {
    return this.calls.filter((c) => c.shop === domain && (!operation || c.operation === operation));
  }
}

type RootField =
  | "webPixelCreate"
  | "webPixelUpdate"
  | "webPixelDelete"
  | "webPixel"
  | "shop"
  | "bulkOperationRunQuery"
  | "node"
  | "orders"
  | "flowTriggerReceive";

/**
 * The history import and reconciliation side of the fake, driven by a scenario file per shop, because the calls come
 * from the worker process: `<FAKE_SHOPIFY_DIR>/<shop domain>.json` (written by the test, read on every call; see
 * tests/support/shopify-scenario.ts). Stateless where it matters: a bulk operation's id carries its creation time,
 * so a worker killed and restarted mid-import polls the same operation and gets the same answers. Every call is
 * appended to `<shop domain>.calls.jsonl` for the test to inspect.
 *
 * Bulk lifecycle: bulkOperationRunQuery -> CREATED; then RUNNING while `hold` is true or for `runningMs`; then
 * `outcome` (COMPLETED with `objectCount` and `url`, FAILED with `errorCode`, CANCELED, EXPIRED). `userErrors`
 * refuses the mutation (e.g. an operation already running). The orders query pages through `orders` (GraphQL
 * Order nodes) filtered by `updated_at:>='...'` and sorted by updatedAt, answering the first `throttle.times` calls
 * THROTTLED (with `extensions.cost.throttleStatus`, as Shopify does).
 */
export interface FakeScenario {
  bulk?: {
    userErrors?: { field: string[] | null; message: string; code?: string }[];
    outcome?: "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";
    errorCode?: string | null;
    runningMs?: number;
    hold?: boolean;
    url?: string | null;
    objectCount?: number;
  };
  orders?: Record<string, unknown>[];
  pageSize?: number;
  throttle?: { times: number; restoreRate?: number; currentlyAvailable?: number };
}

function scenarioDir(): string | null {
  return process.env.FAKE_SHOPIFY_DIR ?? null;
}

function readScenario(domain: string): FakeScenario {
  const dir = scenarioDir();
  const file = dir ? path.join(dir, `${domain}.json`) : null;
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as FakeScenario;
  } catch {
    return {}; // being rewritten: the next call reads it
  }
}

function logCall(domain: string, operation: string, extra: Record<string, unknown> = {}) {
  const dir = scenarioDir();
  if (!dir) return;
  appendFileSync(
    path.join(dir, `${domain}.calls.jsonl`),
    `${JSON.stringify({ operation, at: Date.now(), pid: process.pid, ...extra })}\n`,
  );
}

const throttledCalls = new Map<string, number>();
let bulkSeq = 0;

function bulkStatus(scenario: FakeScenario, id: string) {
  const created = Number(/BulkOperation\/(\d+)$/.exec(id)?.[1]?.slice(0, 13) ?? "0");
  const bulk = scenario.bulk ?? {};
  const age = Date.now() - created;
  const running = bulk.hold === true || age < (bulk.runningMs ?? 0);
  const status = running ? (age < 200 ? "CREATED" : "RUNNING") : (bulk.outcome ?? "COMPLETED");
  const objectCount = bulk.objectCount ?? 0;
  return {
    id,
    status,
    errorCode: status === "FAILED" ? (bulk.errorCode ?? "INTERNAL_SERVER_ERROR") : null,
    objectCount: String(running ? Math.floor(objectCount / 2) : objectCount),
    url: status === "COMPLETED" ? (bulk.url ?? null) : null,
    partialDataUrl: null,
    completedAt: running ? null : new Date(created + (bulk.runningMs ?? 0)).toISOString(),
  };
}

const cost = (requested: number, available: number, restoreRate: number) => ({
  cost: {
    requestedQueryCost: requested,
    actualQueryCost: available >= requested ? requested : null,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate },
  },
});

function ordersPage(domain: string, scenario: FakeScenario, variables: Record<string, unknown>) {
  const t = scenario.throttle;
  const restoreRate = t?.restoreRate ?? 100;
  const done = throttledCalls.get(domain) ?? 0;
  if (t && done < t.times) {
    throttledCalls.set(domain, done + 1);
    logCall(domain, "orders", { throttled: true });
    return {
      errors: [
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/limits" },
        },
      ],
      extensions: cost(502, t.currentlyAvailable ?? 2, restoreRate),
    };
  }
  const from = /updated_at:>='([^']+)'/.exec(String(variables.query ?? ""))?.[1];
  const fromMs = from ? Date.parse(from) : -Infinity;
  const all = (scenario.orders ?? [])
    .filter((o) => Date.parse(String(o.updatedAt)) >= fromMs)
    .sort((a, b) => Date.parse(String(a.updatedAt)) - Date.parse(String(b.updatedAt)));
  const first = Math.min(Number(variables.first ?? 50), scenario.pageSize ?? 250);
  const start = typeof variables.after === "string" ? Number(variables.after) : 0;
  const nodes = all.slice(start, start + first);
  const end = start + nodes.length;
  logCall(domain, "orders", { from: from ?? null, after: variables.after ?? null, count: nodes.length });
  return {
    data: {
      orders: { nodes, pageInfo: { hasNextPage: end < all.length, endCursor: nodes.length ? String(end) : null } },
    },
    extensions: cost(502, 2000, restoreRate),
  };
}

function rootField(query: string): string | null {
  const body = query.replace(/#[^\n]*/g, "");
  const start = body.indexOf("{");
  if (start < 0) return null;
  const m = /^\s*([A-Za-z_]\w*)/.exec(body.slice(start + 1));
  return m ? m[1]! : null;
}

function validSettings(shop: FakeShop, settings: unknown): string | null {
  if (typeof settings !== "string") return "settings must be a JSON string";
  let parsed: unknown;
  try {
    parsed = JSON.parse(settings);
  } catch {
    return "settings is not valid JSON";
  }
  if (!parsed || typeof parsed !== "object") return "settings must be a JSON object";
  for (const f of shop.requiredSettings) {
    const v = (parsed as Record<string, unknown>)[f];
    if (typeof v !== "string" || v === "") return `settings.${f} is required`;
  }
  return null;
}

const userError = (code: string, message: string, field = ["webPixel"]) => ({ code, field, message });

/** msw handlers over `admin` (e.g. a fresh `FakeShopifyAdmin` per test file). */
export function createShopifyAdminHandlers(admin: FakeShopifyAdmin) {
  return [
    http.post("https://*.myshopify.com/admin/api/:version/graphql.json", async ({ request, params }) => {
      const domain = new URL(request.url).hostname;
      const shop = admin.shops.get(domain) ?? (admin.options.anyShop ? admin.addShop(domain) : undefined);
      const token = request.headers.get("x-shopify-access-token");
      if (!shop || !token) {
        return HttpResponse.json(
          { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
          { status: 401 },
        );
      }
      const rawBody = await request.text();
      const { query, variables = {} } = JSON.parse(rawBody) as {
        query: string;
        variables?: Record<string, unknown>;
      };
      const operation = rootField(query) ?? "?";
      admin.calls.push({ shop: domain, apiVersion: String(params.version), operation, variables });

      switch (operation as RootField) {
        case "bulkOperationRunQuery": {
          const scenario = readScenario(domain);
          const errors = scenario.bulk?.userErrors ?? [];
          logCall(domain, operation, { query: variables.query, refused: errors.length > 0 });
          if (errors.length) {
            return HttpResponse.json({
              data: { bulkOperationRunQuery: { bulkOperation: null, userErrors: errors } },
            });
          }
          const id = `gid://shopify/BulkOperation/${Date.now()}${String(++bulkSeq % 1000).padStart(3, "0")}`;
          return HttpResponse.json({
            data: { bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED" }, userErrors: [] } },
          });
        }
        case "node": {
          const id = String(variables.id ?? "");
          logCall(domain, operation, { id });
          if (!id.startsWith("gid://shopify/BulkOperation/")) return HttpResponse.json({ data: { node: null } });
          return HttpResponse.json({ data: { node: bulkStatus(readScenario(domain), id) } });
        }
        case "orders":
          return HttpResponse.json(ordersPage(domain, readScenario(domain), variables));
        case "shop":
          return HttpResponse.json({
            data: { shop: { name: shop.name, currencyCode: shop.currencyCode, ianaTimezone: shop.ianaTimezone } },
          });
        case "webPixel":
          if (!shop.webPixel) {
            return HttpResponse.json({
              data: { webPixel: null },
              errors: [{ message: "No web pixel was found for this app.", path: ["webPixel"] }],
            });
          }
          return HttpResponse.json({ data: { webPixel: shop.webPixel } });
        case "webPixelCreate": {
          const settings = (variables.webPixel as { settings?: unknown } | undefined)?.settings;
          if (shop.webPixel)
            return HttpResponse.json({
              data: { webPixelCreate: { userErrors: [userError("TAKEN", "Web pixel is taken.")], webPixel: null } },
            });
          const bad = validSettings(shop, settings);
          if (bad)
            return HttpResponse.json({
              data: {
                webPixelCreate: { userErrors: [userError("INVALID_SETTINGS", bad, ["settings"])], webPixel: null },
              },
            });
          shop.webPixel = { id: `gid://shopify/WebPixel/${++pixelSeq}`, settings: settings as string };
          return HttpResponse.json({ data: { webPixelCreate: { userErrors: [], webPixel: shop.webPixel } } });
        }
        case "webPixelUpdate": {
          const settings = (variables.webPixel as { settings?: unknown } | undefined)?.settings;
          if (!shop.webPixel || shop.webPixel.id !== variables.id) {
            return HttpResponse.json({
              data: {
                webPixelUpdate: {
                  userErrors: [userError("NOT_FOUND", "Web pixel not found.", ["id"])],
                  webPixel: null,
                },
              },
            });
          }
          const bad = validSettings(shop, settings);
          if (bad)
            return HttpResponse.json({
              data: {
                webPixelUpdate: { userErrors: [userError("INVALID_SETTINGS", bad, ["settings"])], webPixel: null },
              },
            });
          shop.webPixel = { ...shop.webPixel, settings: settings as string };
          return HttpResponse.json({ data: { webPixelUpdate: { userErrors: [], webPixel: shop.webPixel } } });
        }
        case "webPixelDelete": {
          const id = shop.webPixel?.id ?? null;
          shop.webPixel = null;
          return HttpResponse.json({ data: { webPixelDelete: { userErrors: [], deletedWebPixelId: id } } });
        }
        case "flowTriggerReceive": {
          const cost = {
            requestedQueryCost: 10,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
          };
          if (shop.flowThrottleNext > 0) {
            shop.flowThrottleNext -= 1;
            return HttpResponse.json({
              errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
              extensions: { cost: { ...cost, throttleStatus: { ...cost.throttleStatus, currentlyAvailable: 0 } } },
            });
          }
          const handle = String(variables.handle ?? "");
          const payload = variables.payload;
          const errors: { field: string[]; message: string }[] = [];
          if (!shop.flowHandles.includes(handle)) errors.push({ field: ["handle"], message: "Invalid handle" });
          if (!payload || typeof payload !== "object")
            errors.push({ field: ["payload"], message: "Payload is required" });
          else if (JSON.stringify(payload).length > 50_000)
            errors.push({ field: ["payload"], message: "Payload is too large (50 KB)" });
          if (errors.length === 0) {
            // The payload's raw JSON text, so tests can see numbers exactly as sent.
            const rawPayload = /"payload":(\{.*\})\}\s*$/.exec(rawBody)?.[1] ?? JSON.stringify(payload);
            shop.flowTriggers.push({ handle, payload: payload as Record<string, unknown>, raw: rawPayload });
          }
          return HttpResponse.json({ data: { flowTriggerReceive: { userErrors: errors } }, extensions: { cost } });
        }
        default:
          return HttpResponse.json({
            errors: [{ message: `the fake Admin API does not know the operation "${operation}"` }],
          });
      }
    }),
  ];
}

/** The shared fake (answers for any shop), for the test server and dev processes (tests/msw/node.ts). */
export const sharedShopifyAdmin = new FakeShopifyAdmin({ anyShop: true });
export const shopifyAdminHandlers = createShopifyAdminHandlers(sharedShopifyAdmin);
