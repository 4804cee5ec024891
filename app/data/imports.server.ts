import type { PoolClient } from "pg";
import { pool } from "../db.server";

/**
 * The `imports` table: history imports (bulk operations) and reconciliation runs, one row per run, with its state,
 * progress and resume point (docs/decisions/009-history-import-and-reconciliation.md). At most one queued/running
 * run per shop and kind (partial unique index `imports_one_active`).
 */
export type ImportKind = "history" | "reconciliation";
export type ImportState = "queued" | "running" | "completed" | "failed";
export type ImportTrigger = "install" | "settings" | "api" | "cli" | "schedule" | "retry";

export interface ImportRow {
  id: string;
  shop_id: string;
  kind: ImportKind;
  state: ImportState;
  trigger: ImportTrigger;
  since: Date | null;
  bulk_operation_id: string | null;
  bulk_status: string | null;
  result_url: string | null;
  orders_done: number;
  orders_changed: number;
  orders_total: number | null;
  lines_done: string;
  watermark: Date | null;
  page_cursor: string | null;
  next_poll_at: Date | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, shop_id, kind, state, trigger, since, bulk_operation_id, bulk_status, result_url, orders_done,
  orders_changed, orders_total, lines_done, watermark, page_cursor, next_poll_at, error, created_at, started_at,
  finished_at`;

type Queryable = Pick<PoolClient, "query">;
const q = (client?: Queryable): Queryable => client ?? pool();

/** Creates a queued run; null when one of the same kind is already queued or running for the shop. */
export async function createImport(
  shopId: bigint,
  kind: ImportKind,
  trigger: ImportTrigger,
  since: Date | null,
): Promise<ImportRow | null> {
  const r = await pool().query<ImportRow>(
    `INSERT INTO imports (shop_id, kind, trigger, since) VALUES ($1, $2, $3, $4)
     ON CONFLICT (shop_id, kind) WHERE state IN ('queued', 'running') DO NOTHING
     RETURNING ${COLUMNS}`,
    [shopId.toString(), kind, trigger, since],
  );
  return r.rows[0] ?? null;
}

export async function getImport(id: string, shopId?: bigint): Promise<ImportRow | null> {
  const r = await pool().query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports WHERE id = $1 AND ($2::bigint IS NULL OR shop_id = $2)`,
    [id, shopId?.toString() ?? null],
  );
  return r.rows[0] ?? null;
}

export async function listImports(shopId: bigint, kind: ImportKind | null, limit: number): Promise<ImportRow[]> {
  const r = await pool().query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports WHERE shop_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY id DESC LIMIT $3`,
    [shopId.toString(), kind, limit],
  );
  return r.rows;
}

/** The queued or running run of a kind, if any. */
export async function activeImport(shopId: bigint, kind: ImportKind): Promise<ImportRow | null> {
  const r = await pool().query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports WHERE shop_id = $1 AND kind = $2 AND state IN ('queued', 'running')`,
    [shopId.toString(), kind],
  );
  return r.rows[0] ?? null;
}

/** The last finished (completed or failed) run of a kind. */
export async function lastFinishedImport(shopId: bigint, kind: ImportKind): Promise<ImportRow | null> {
  const r = await pool().query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports WHERE shop_id = $1 AND kind = $2 AND state IN ('completed', 'failed')
      ORDER BY id DESC LIMIT 1`,
    [shopId.toString(), kind],
  );
  return r.rows[0] ?? null;
}

/** The watermark the next reconciliation starts from: the last completed run's, else the last history import's start. */
export async function reconciliationStart(shopId: bigint): Promise<Date | null> {
  const r = await pool().query<{ at: Date | null }>(
    `SELECT COALESCE(
       (SELECT watermark FROM imports WHERE shop_id = $1 AND kind = 'reconciliation' AND state = 'completed'
         ORDER BY id DESC LIMIT 1),
       (SELECT started_at FROM imports WHERE shop_id = $1 AND kind = 'history' AND state = 'completed'
         ORDER BY id DESC LIMIT 1),
       (SELECT installed_at FROM shops WHERE id = $1)) AS at`,
    [shopId.toString()],
  );
  return r.rows[0]?.at ?? null;
}

export interface ImportPatch {
  state?: ImportState;
  since?: Date | null;
  bulk_operation_id?: string | null;
  bulk_status?: string | null;
  result_url?: string | null;
  orders_total?: number | null;
  orders_done?: number;
  lines_done?: number;
  watermark?: Date | null;
  page_cursor?: string | null;
  next_poll_at?: Date | null;
  error?: string | null;
  started_at?: Date | null;
  finished_at?: Date | null;
}

/** Updates an active run (a finished run is never changed again). Returns false when it is no longer active. */
export async function updateImport(id: string, patch: ImportPatch, client?: Queryable): Promise<boolean> {
  const keys = Object.keys(patch) as (keyof ImportPatch)[];
  const sets = keys.map((k, i) => `${k} = $${i + 2}`);
  const r = await q(client).query(
    `UPDATE imports SET ${[...sets, "updated_at = now()"].join(", ")}
      WHERE id = $1 AND state IN ('queued', 'running')`,
    [id, ...keys.map((k) => patch[k])],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Progress of a committed batch, in the batch's own transaction: a crash resumes after the last committed line. */
export async function recordBatch(
  client: Queryable,
  id: string,
  progress: { linesDone?: number; cursor?: string | null; orders: number; changed: number },
): Promise<void> {
  await client.query(
    `UPDATE imports SET orders_done = orders_done + $2, orders_changed = orders_changed + $3,
            lines_done = COALESCE($4, lines_done), page_cursor = CASE WHEN $5 THEN $6 ELSE page_cursor END,
            updated_at = now()
      WHERE id = $1`,
    [
      id,
      progress.orders,
      progress.changed,
      progress.linesDone ?? null,
      progress.cursor !== undefined,
      progress.cursor ?? null,
    ],
  );
}

/** The run a bulk operation belongs to (bulk_operations/finish webhook). */
export async function findImportByBulkOperation(
  shopDomain: string,
  bulkOperationId: string,
): Promise<ImportRow | null> {
  const r = await pool().query<ImportRow>(
    `SELECT ${COLUMNS.replace(/(^|,\s*)(\w+)/g, "$1i.$2")} FROM imports i JOIN shops s ON s.id = i.shop_id
      WHERE s.domain = $1 AND i.bulk_operation_id = $2 ORDER BY i.id DESC LIMIT 1`,
    [shopDomain, bulkOperationId],
  );
  return r.rows[0] ?? null;
}

/** Active runs whose next step is due (the relay queues a job for each). */
export async function dueImports(limit = 100): Promise<{ id: string }[]> {
  const r = await pool().query<{ id: string }>(
    `SELECT id FROM imports WHERE state IN ('queued', 'running') AND (next_poll_at IS NULL OR next_poll_at <= now())
      ORDER BY id LIMIT $1`,
    [limit],
  );
  return r.rows;
}

/**
 * Creates the scheduled reconciliation of every installed shop (with an offline session) whose last run started
 * at least `intervalMinutes` ago (or, never run, was installed that long ago). Returns how many were created.
 */
export async function scheduleReconciliations(intervalMinutes: number): Promise<number> {
  const r = await pool().query(
    `INSERT INTO imports (shop_id, kind, trigger)
     SELECT s.id, 'reconciliation', 'schedule' FROM shops s
      WHERE s.installed_at IS NOT NULL AND s.uninstalled_at IS NULL
        AND EXISTS (SELECT 1 FROM "Session" x WHERE x.shop = s.domain AND x."isOnline" = false)
        AND COALESCE((SELECT max(i.created_at) FROM imports i WHERE i.shop_id = s.id AND i.kind = 'reconciliation'),
                     s.installed_at) <= now() - make_interval(mins => $1)
     ON CONFLICT (shop_id, kind) WHERE state IN ('queued', 'running') DO NOTHING`,
    [intervalMinutes],
  );
  return r.rowCount ?? 0;
}

/** Whether the shop has ever had a run of this kind (the install starts the history import only once). */
export async function hasImport(shopId: bigint, kind: ImportKind): Promise<boolean> {
  const r = await pool().query(`SELECT 1 FROM imports WHERE shop_id = $1 AND kind = $2 LIMIT 1`, [
    shopId.toString(),
    kind,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/** The access scopes granted to the shop's offline session (empty when none is stored). */
export async function grantedScopes(shopDomain: string): Promise<string[]> {
  const r = await pool().query<{ scope: string | null }>(
    `SELECT scope FROM "Session" WHERE shop = $1 AND "isOnline" = false ORDER BY id LIMIT 1`,
    [shopDomain],
  );
  return (r.rows[0]?.scope ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
