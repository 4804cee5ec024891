/**
 * History import through a GraphQL bulk operation (docs/decisions/009-history-import-and-reconciliation.md).
 * One step per `import-run` job; the row in `imports` is the state machine, so any step can die and re-run:
 *
 *   queued  --bulkOperationRunQuery--> running (bulk CREATED/RUNNING: poll every BULK_POLL_INTERVAL_MS, or at once
 *   when bulk_operations/finish arrives) --COMPLETED--> stream the JSONL result from `lines_done`, batches stored
 *   through the webhook write path with their progress in the same transaction --> completed.
 *
 * FAILED, CANCELED, EXPIRED, a result URL that no longer answers, a download cut off, or `userErrors` end the run
 * `failed` with a message a merchant can read; a retry starts a new run.
 */
import { env } from "../env.server";
import { type ImportRow, recordBatch, updateImport } from "../data/imports.server";
import type { OrderInput, RefundInput } from "../domain/types";
import { bulkRecordFrom } from "../ingest/shopify-graphql";
import { ORDER_GRAPHQL_FIELDS } from "../ingest/shopify-graphql";
import { isJsonObject, parseJson } from "../ingest/json";
import { ingestImportBatch } from "../ingest/store.server";
import { log } from "../logger.server";
import { type AdminCall, PermanentImportError, errorText, throttledCall } from "./admin.server";
import { readJsonlLines } from "./jsonl.server";

/** Orders per stored batch: bounded memory whatever the file size. */
export const IMPORT_BATCH_SIZE = 1000;

/** The bulk query over the shop's orders (since an instant, or as far back as the scopes allow). */
export function bulkOrdersQuery(since: Date | null): string {
  const filter = since ? `(query: ${JSON.stringify(`created_at:>='${since.toISOString()}'`)})` : "";
  return `{
  orders${filter} {
    edges {
      node {${ORDER_GRAPHQL_FIELDS.replace(/\n/g, "\n        ")}
      }
    }
  }
}`;
}

export const BULK_RUN_MUTATION = `#graphql
  mutation BulkOrders($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

export const BULK_STATUS_QUERY = `#graphql
  query BulkOperationStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation { id status errorCode objectCount url partialDataUrl completedAt }
    }
  }`;

interface BulkOperation {
  id: string;
  status: string;
  errorCode?: string | null;
  objectCount?: string | number | null;
  url?: string | null;
}

const now = () => new Date();
const later = (ms: number) => new Date(Date.now() + ms);

async function fail(imp: ImportRow, error: string, bulkStatus?: string) {
  await updateImport(imp.id, {
    state: "failed",
    error,
    finished_at: now(),
    next_poll_at: null,
    ...(bulkStatus ? { bulk_status: bulkStatus } : {}),
  });
  log.warn("import failed", { importId: imp.id, shopId: imp.shop_id, error });
  return "failed";
}

/** One step of a history import. Returns what happened (for logs and tests). */
export async function historyStep(imp: ImportRow, admin: AdminCall): Promise<string> {
  if (!imp.bulk_operation_id) return startBulk(imp, admin);
  const r = await throttledCall<{ node: BulkOperation | null }>(admin, BULK_STATUS_QUERY, {
    id: imp.bulk_operation_id,
  });
  const op = r.data?.node;
  if (!op) return fail(imp, `Shopify no longer knows the bulk operation (${errorText(r)}). Retry the import.`);
  const total = op.objectCount === null || op.objectCount === undefined ? null : Number(op.objectCount);
  switch (op.status) {
    case "CREATED":
    case "RUNNING":
    case "CANCELING":
      await updateImport(imp.id, {
        bulk_status: op.status,
        orders_total: total,
        next_poll_at: later(env().BULK_POLL_INTERVAL_MS),
      });
      return "waiting";
    case "COMPLETED":
      await updateImport(imp.id, { bulk_status: op.status, orders_total: total, result_url: op.url ?? null });
      if (!op.url) {
        // no order matched: Shopify gives no file
        await updateImport(imp.id, { state: "completed", finished_at: now(), next_poll_at: null, orders_total: 0 });
        return "completed";
      }
      return download(imp, op.url, total);
    case "FAILED":
      return fail(imp, `Shopify reported the bulk operation FAILED (${op.errorCode ?? "no error code"}).`, op.status);
    case "CANCELED":
      return fail(imp, "The bulk operation was canceled on Shopify's side.", op.status);
    case "EXPIRED":
      return fail(imp, "The bulk operation's result expired (Shopify keeps it 7 days).", op.status);
    default:
      return fail(imp, `Unexpected bulk operation status ${op.status}.`, op.status);
  }
}

async function startBulk(imp: ImportRow, admin: AdminCall): Promise<string> {
  const since = imp.since ? new Date(imp.since) : null;
  const r = await throttledCall<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string; status: string } | null;
      userErrors: { field?: string[] | null; message: string; code?: string | null }[];
    } | null;
  }>(admin, BULK_RUN_MUTATION, { query: bulkOrdersQuery(since) });
  const payload = r.data?.bulkOperationRunQuery;
  if (!payload) return fail(imp, `Shopify refused the bulk operation: ${errorText(r)}.`);
  if (payload.userErrors.length || !payload.bulkOperation) {
    const text = payload.userErrors.map((e) => e.message).join("; ") || "no bulk operation returned";
    return fail(imp, `Shopify refused the bulk operation: ${text}`);
  }
  await updateImport(imp.id, {
    state: "running",
    bulk_operation_id: payload.bulkOperation.id,
    bulk_status: payload.bulkOperation.status,
    started_at: now(),
    next_poll_at: later(env().BULK_POLL_INTERVAL_MS),
  });
  log.info("bulk operation started", { importId: imp.id, shopId: imp.shop_id });
  return "started";
}

class DownloadCutOff extends Error {}

/** Streams the result from the last committed line; a broken connection is resumed up to 3 times. */
async function download(imp: ImportRow, url: string, objectCount: number | null): Promise<string> {
  let linesDone = Number(imp.lines_done);
  let ordersDone = imp.orders_done;
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await streamFrom(imp, url, linesDone, ordersDone, (lines, orders) => {
        linesDone = lines;
        ordersDone = orders;
      });
      if (objectCount !== null && r.lines < objectCount) {
        return fail(
          imp,
          `The download of the result was cut off: ${r.lines} of ${objectCount} lines arrived. Retry the import.`,
        );
      }
      await updateImport(imp.id, { state: "completed", finished_at: now(), next_poll_at: null });
      log.info("import completed", { importId: imp.id, shopId: imp.shop_id, orders: ordersDone, skipped: r.skipped });
      return "completed";
    } catch (error) {
      if (error instanceof PermanentImportError) return fail(imp, error.message);
      if (error instanceof DownloadCutOff) return fail(imp, error.message);
      if (attempt >= 2) {
        return fail(
          imp,
          `The download of the result was cut off after ${linesDone} lines (${(error as Error).message}). Retry the import.`,
        );
      }
      log.warn("import download interrupted; resuming", { importId: imp.id, linesDone, error });
    }
  }
}

async function streamFrom(
  imp: ImportRow,
  url: string,
  startLine: number,
  startOrders: number,
  onCommit: (lines: number, orders: number) => void,
): Promise<{ lines: number; skipped: number }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(6 * 3600_000) });
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    // not awaited: with some fetch interceptors (msw) cancelling an unread body never settles
    void response.body?.cancel().catch(() => {});
    throw new PermanentImportError(
      `The result file is no longer available (HTTP ${response.status}; Shopify's result URLs expire after 7 days). Retry the import.`,
    );
  }
  if (!response.ok || !response.body) throw new Error(`result download answered HTTP ${response.status}`);
  const shopId = BigInt(imp.shop_id);
  let orders: OrderInput[] = [];
  let refunds: RefundInput[] = [];
  let lines = 0;
  let skipped = 0;
  let ordersDone = startOrders;
  // One batch is written while the next is read and parsed (at most two batches in memory); batches still commit
  // in file order, each with its own resume point.
  let inflight: Promise<void> = Promise.resolve();
  const flush = async (upTo: number) => {
    const n = orders.length;
    if (n === 0 && refunds.length === 0) return;
    const batch = { orders, refunds };
    orders = [];
    refunds = [];
    await inflight;
    const write = ingestImportBatch(shopId, batch.orders, batch.refunds, (client, changed) =>
      recordBatch(client, imp.id, { linesDone: upTo, orders: n, changed }),
    ).then(() => {
      ordersDone += n;
      onCommit(upTo, ordersDone);
    });
    write.catch(() => {}); // awaited by the next flush or at the end
    inflight = write;
  };
  try {
    for await (const line of readJsonlLines(response.body as unknown as AsyncIterable<Uint8Array>)) {
      lines = line.index + 1;
      if (line.index < startLine) continue;
      const parsed = parseJson(line.text, { maxBytes: 16 * 1024 * 1024 });
      if (!parsed.ok || !isJsonObject(parsed.value)) {
        if (!line.complete) {
          throw new DownloadCutOff(
            `The download of the result was cut off in line ${line.index + 1}. Retry the import.`,
          );
        }
        skipped++;
        continue;
      }
      const rec = bulkRecordFrom(parsed.value);
      if (rec.kind === "order") orders.push(rec.order);
      else if (rec.kind === "refund") refunds.push(rec.refund);
      else if (rec.kind === "invalid") {
        skipped++;
        log.warn("import skipped an invalid line", {
          importId: imp.id,
          line: line.index + 1,
          fields: rec.errors.map((e) => e.path),
        });
      }
      if (orders.length + refunds.length >= IMPORT_BATCH_SIZE) await flush(line.index + 1);
    }
    await flush(lines);
    await inflight;
  } finally {
    // never leave a write running behind a failure: a retry must start from its committed resume point
    await inflight.catch(() => {});
  }
  if (lines > startLine) await updateImport(imp.id, { lines_done: lines });
  return { lines, skipped };
}
