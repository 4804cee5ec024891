/**
 * What the API, the settings page and the CLI call: validate a request to import, start it (409 while one runs),
 * and present runs in the contract's shape (API.md "POST /api/v1/imports").
 */
import {
  type ImportKind,
  type ImportRow,
  type ImportTrigger,
  getImport,
  grantedScopes,
  listImports,
} from "../data/imports.server";
import { findShopById } from "../data/shops.server";
import { ApiError, type ErrorDetail, invalid } from "../http/errors";
import { sinceInstant, startImport } from "./start.server";

export interface ImportView {
  id: string;
  kind: ImportKind;
  state: ImportRow["state"];
  since: string | null;
  orders_done: number;
  orders_total: number | null;
  orders_changed: number;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  trigger: ImportTrigger;
  created_at: string;
  /** Reconciliation: orders updated up to this instant have been read. */
  watermark: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function importView(r: ImportRow): ImportView {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    since: iso(r.since),
    orders_done: r.orders_done,
    orders_total: r.orders_total,
    orders_changed: r.orders_changed,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    error: r.error,
    trigger: r.trigger,
    created_at: iso(r.created_at)!,
    watermark: iso(r.watermark),
  };
}

/** Parses `{"since": "YYYY-MM-DD", "kind": "history" | "reconciliation"}` (both optional). */
export function parseImportRequest(body: unknown): { since: string | null; kind: ImportKind } {
  const details: ErrorDetail[] = [];
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid([{ path: "body", message: "must be a JSON object" }]);
  }
  const b = body as Record<string, unknown>;
  let since: string | null = null;
  if (b.since !== undefined && b.since !== null) {
    if (typeof b.since !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(b.since) || !validDate(b.since)) {
      details.push({ path: "since", message: "must be a date YYYY-MM-DD" });
    } else if (b.since > new Date().toISOString().slice(0, 10)) {
      details.push({ path: "since", message: "must not be in the future" });
    } else since = b.since;
  }
  let kind: ImportKind = "history";
  if (b.kind !== undefined) {
    if (b.kind === "history" || b.kind === "reconciliation") kind = b.kind;
    else details.push({ path: "kind", message: 'must be "history" or "reconciliation"' });
  }
  for (const key of Object.keys(b)) {
    if (key !== "since" && key !== "kind") details.push({ path: key, message: "is not a known field" });
  }
  if (details.length) throw invalid(details);
  return { since, kind };
}

function validDate(s: string): boolean {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1970 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** Starts an import for the shop; 409 `conflict` while one of the same kind is queued or running. */
export async function requestImport(
  shopId: bigint,
  request: { since: string | null; kind: ImportKind },
  trigger: ImportTrigger,
  actor?: string,
): Promise<ImportView> {
  const shop = await findShopById(shopId);
  if (!shop) throw new ApiError("not_found", "The shop was not found.");
  const since = request.since ? sinceInstant(request.since, shop.timezone) : null;
  const r = await startImport(shopId, { kind: request.kind, since, trigger, actor });
  if (!r.ok) {
    throw new ApiError(
      "conflict",
      request.kind === "history"
        ? "An import of the order history is already running for this shop."
        : "A reconciliation is already running for this shop.",
    );
  }
  return importView(r.import);
}

export async function importsOf(shopId: bigint, kind: ImportKind | null, limit = 20): Promise<ImportView[]> {
  return (await listImports(shopId, kind, limit)).map(importView);
}

export async function importOf(shopId: bigint, id: string): Promise<ImportView | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const r = await getImport(id, shopId);
  return r ? importView(r) : null;
}

export interface ImportStatus {
  history: ImportView | null;
  reconciliation: ImportView | null;
  /** Whether the app holds read_all_orders (else Shopify serves the last 60 days of orders). */
  allOrders: boolean;
}

/** What the settings page and the report show: the latest history import and reconciliation run. */
export async function importStatus(shopId: bigint, shopDomain: string): Promise<ImportStatus> {
  const [history, reconciliation, scopes] = await Promise.all([
    listImports(shopId, "history", 1),
    listImports(shopId, "reconciliation", 1),
    grantedScopes(shopDomain),
  ]);
  return {
    history: history[0] ? importView(history[0]) : null,
    reconciliation: reconciliation[0] ? importView(reconciliation[0]) : null,
    allOrders: scopes.includes("read_all_orders"),
  };
}
