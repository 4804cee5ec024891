/**
 * The attribution engine's orchestration (the rules: app/domain/attribution.ts; the SQL: app/data/attribution.server.ts).
 *
 * - `attributeShop` (job `attribute-shop`): drains the shop's pending_attributions in batches. Each batch is one
 *   transaction holding the shop's advisory lock: claim rows (FOR UPDATE SKIP LOCKED), recompute the messages and
 *   campaigns of the new events, re-attribute the orders they and the changed orders affect, move the rollups, delete
 *   the claimed rows. A worker killed mid-batch rolls it all back; a re-run recomputes the same rows (no increments
 *   of stored totals except by old-row-out/new-row-in differences, which are zero on a re-run).
 * - `reattributeShop` (job `reattribute-shop`): the whole history for one settings version, in chunks of time of sale,
 *   each chunk one transaction under the same lock; stops as soon as a newer version exists. Between chunks it
 *   yields: while other shops have work waiting, chunks are smaller and run on one core (ADR 013).
 */
import {
  addProgress,
  applyAttributions,
  chunkEnd,
  claimPending,
  computeAttributions,
  countOrders,
  deletePending,
  finishReattribution,
  lockShop,
  othersWaiting,
  readEngineSettings,
  refreshMessages,
  refreshTrackedLinks,
  startProgress,
  tuneForBulk,
  tuneForIncremental,
} from "../data/attribution.server";
import { inTransaction } from "../data/tx.server";
import { env } from "../env.server";
import { log } from "../logger.server";

/** Pending rows claimed per transaction (each row is one ingested batch of up to 5,000 events or 1,000 orders). */
const pendingRowsPerBatch = () => env().ATTRIBUTION_PENDING_ROWS;
/** Orders per re-attribution chunk. */
const chunkOrdersDefault = () => env().REATTRIBUTION_CHUNK_ORDERS;
/**
 * While other shops have work waiting, a chunk is this fraction of REATTRIBUTION_CHUNK_ORDERS and runs without parallel workers,
 * so their jobs find a free core and the question is asked again soon (docs/decisions/013-queueing-fairness.md).
 */
const SHARED_CHUNK_DIVISOR = 4;

export interface IncrementalResult {
  batches: number;
  orders: number;
}

/** One incremental batch; null when nothing was pending. */
export async function attributeBatch(shopId: bigint, limit = pendingRowsPerBatch()): Promise<number | null> {
  if (!env().ATTRIBUTION_TIMING) return runBatch(shopId, limit);
  const t0 = performance.now();
  const n = await runBatch(shopId, limit);
  const ms = Math.round(performance.now() - t0);
  if (n !== null)
    process.stderr.write(`[attribution] batch of ${n} orders, with its commit: ${ms} ms (ended ${Date.now()})\n`);
  return n;
}

async function runBatch(shopId: bigint, limit: number): Promise<number | null> {
  return inTransaction(async (client) => {
    await lockShop(client, shopId);
    const batch = await claimPending(client, shopId, limit);
    if (batch.ids.length === 0) return null;
    await tuneForIncremental(client);
    const engine = await readEngineSettings(client, shopId);
    if (!engine) {
      // The shop is gone (uninstalled and redacted): nothing to attribute.
      await deletePending(client, batch.ids);
      return 0;
    }
    const maxWindow = Math.max(...Object.values(engine.settings.channels).map((c) => c.window_hours));
    await refreshTrackedLinks(client, shopId, batch.orderIds);
    const fromMessages = await refreshMessages(client, shopId, batch.eventIds, maxWindow);
    const orderIds = [...new Set([...batch.orderIds, ...fromMessages])];
    if (orderIds.length) {
      await computeAttributions(client, shopId, engine.settings, engine.version, { ids: orderIds });
      await applyAttributions(client, shopId, { probe: true });
    }
    await deletePending(client, batch.ids);
    return orderIds.length;
  });
}

/**
 * Batches one `attribute-shop` job runs before it yields its worker slot (ADR 013): a shop with a long backlog (a
 * history import) then waits behind the other shops' jobs; the relay queues it again within RELAY_INTERVAL_MS.
 */
const BATCHES_PER_JOB = Number(process.env.ATTRIBUTION_BATCHES_PER_JOB ?? 10);

/** Drains the shop's pending attribution work, at most `maxBatches` batches (`more`: work was left for later). */
export async function attributeShop(
  shopId: bigint,
  maxBatches = BATCHES_PER_JOB,
): Promise<IncrementalResult & { more: boolean }> {
  const result = { batches: 0, orders: 0, more: false };
  for (;;) {
    if (result.batches >= maxBatches) return { ...result, more: true };
    const n = await attributeBatch(shopId);
    if (n === null) return result;
    result.batches += 1;
    result.orders += n;
  }
}

export type ReattributionResult =
  | { status: "done"; orders: number; chunks: number }
  | { status: "superseded" | "already_done" | "no_shop"; orders: number; chunks: number };

/** Re-attributes the shop's whole history for settings `version` (see the module comment). */
export async function reattributeShop(
  shopId: bigint,
  version: number,
  opts: { chunkOrders?: number } = {},
): Promise<ReattributionResult> {
  const chunkOrders = opts.chunkOrders ?? chunkOrdersDefault();
  const started = await inTransaction(async (client) => {
    await lockShop(client, shopId);
    const s = await readEngineSettings(client, shopId);
    if (!s) return "no_shop" as const;
    if (s.version !== version) return "superseded" as const;
    if (s.state === "idle" && s.attributedVersion >= version) return "already_done" as const;
    await startProgress(client, shopId, version, await countOrders(client, shopId));
    return "go" as const;
  });
  if (started !== "go") return { status: started, orders: 0, chunks: 0 };

  let from: Date | null = null;
  let orders = 0;
  let chunks = 0;
  const t0 = Date.now();
  for (;;) {
    const step = await inTransaction(async (client) => {
      await lockShop(client, shopId);
      const s = await readEngineSettings(client, shopId);
      if (!s || s.version !== version) return { superseded: true as const };
      const shared = await othersWaiting(client, shopId);
      await tuneForBulk(client, { shared });
      const size = shared ? Math.max(1, Math.ceil(chunkOrders / SHARED_CHUNK_DIVISOR)) : chunkOrders;
      const to = await chunkEnd(client, shopId, from, size);
      const n = await computeAttributions(client, shopId, s.settings, version, { from, to });
      await applyAttributions(client, shopId, { range: { from, to } });
      await addProgress(client, shopId, version, n);
      return { superseded: false as const, to, n };
    });
    if (step.superseded) return { status: "superseded", orders, chunks };
    orders += step.n;
    chunks += 1;
    if (!step.to) break;
    from = step.to;
  }
  const finished = await inTransaction(async (client) => {
    await lockShop(client, shopId);
    return finishReattribution(client, shopId, version);
  });
  log.info("re-attribution finished", { shopId: shopId.toString(), version, orders, chunks, ms: Date.now() - t0 });
  return { status: finished ? "done" : "superseded", orders, chunks };
}
