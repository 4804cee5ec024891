/**
 * Reconciliation (docs/decisions/009-history-import-and-reconciliation.md): asks the Admin API for the shop's
 * orders updated since its last watermark minus an overlap, page by page (honouring cost throttling), and stores
 * them through the webhook write path: an order whose webhook never came appears; an unchanged one is a duplicate
 * that writes nothing. Each page commits with its cursor, so a crash resumes at the next page. The watermark of a
 * completed run is the instant its first page was asked for.
 */
import { env } from "../env.server";
import { type ImportRow, reconciliationStart, recordBatch, updateImport } from "../data/imports.server";
import type { OrderInput } from "../domain/types";
import { ORDER_GRAPHQL_FIELDS, orderFromGraphql } from "../ingest/shopify-graphql";
import { type JsonObject, isJsonObject, parseJson } from "../ingest/json";
import { ingestImportBatch } from "../ingest/store.server";
import { log } from "../logger.server";
import { type AdminCall, errorText, throttledCall } from "./admin.server";

export const RECONCILE_PAGE_SIZE = 100;

export const RECONCILE_QUERY = `#graphql
  query ReconcileOrders($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {${ORDER_GRAPHQL_FIELDS}
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;

/** The instant the run reads from: the last watermark minus the overlap (or the overlap before now, never run). */
export function reconcileFrom(lastWatermark: Date | null, overlapMinutes: number, nowMs = Date.now()): Date {
  const base = lastWatermark ? lastWatermark.getTime() : nowMs;
  return new Date(base - overlapMinutes * 60_000);
}

const MAX_PAGES_PER_STEP = 50;

export async function reconciliationStep(imp: ImportRow, admin: AdminCall): Promise<string> {
  let watermark = imp.watermark;
  let since = imp.since;
  if (imp.state === "queued" || !watermark || !since) {
    // The run's own watermark is fixed when it starts: every order updated before it is read by this run.
    since = reconcileFrom(await reconciliationStart(BigInt(imp.shop_id)), env().RECONCILE_OVERLAP_MINUTES);
    watermark = new Date();
    await updateImport(imp.id, { state: "running", since, watermark, started_at: new Date() });
  }
  const query = `updated_at:>='${new Date(since).toISOString()}'`;
  let cursor = imp.page_cursor;
  for (let page = 0; page < MAX_PAGES_PER_STEP; page++) {
    const r = await throttledCall<{
      orders: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(admin, RECONCILE_QUERY, { first: RECONCILE_PAGE_SIZE, after: cursor, query });
    const conn = r.data?.orders;
    if (!conn) {
      await updateImport(imp.id, {
        state: "failed",
        error: `Shopify refused the orders query: ${errorText(r)}`,
        finished_at: new Date(),
      });
      return "failed";
    }
    const orders: OrderInput[] = [];
    for (const node of conn.nodes) {
      // numbers exact (ids beyond 2^53): re-read the node through the exact JSON parser
      const exact = parseJson(JSON.stringify(node));
      if (!exact.ok || !isJsonObject(exact.value)) continue;
      const o = orderFromGraphql(exact.value as JsonObject);
      if (o.ok) orders.push(o.order);
      else
        log.warn("reconciliation skipped an invalid order", { importId: imp.id, fields: o.errors.map((e) => e.path) });
    }
    const next = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    await ingestImportBatch(BigInt(imp.shop_id), orders, [], (client, changed) =>
      recordBatch(client, imp.id, { orders: orders.length, changed, cursor: next }),
    );
    if (!next) {
      await updateImport(imp.id, { state: "completed", finished_at: new Date(), next_poll_at: null });
      log.info("reconciliation completed", { importId: imp.id, shopId: imp.shop_id });
      return "completed";
    }
    cursor = next;
  }
  // a long run yields its worker slot; the relay queues the next step at once
  await updateImport(imp.id, { next_poll_at: new Date() });
  return "continuing";
}
