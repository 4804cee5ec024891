import { z } from "zod";
import type { JobsOptions } from "bullmq";

/**
 * The one typed job catalog of the worker: name -> payload schema, retries, backoff, and the fixed job id that makes
 * enqueueing idempotent. Payloads carry ids only, never emails, phone numbers or bodies (those stay in PostgreSQL).
 */
export const QUEUE_NAME = "campaign-revenue";

const id = z.string().regex(/^\d{1,19}$/, "a decimal id");

/**
 * Job priorities (ADR 013). Interactive jobs (a delivery to apply, a shop's new orders and events) carry none, and
 * BullMQ takes those first; bulk jobs (a whole-history re-attribution) carry BULK_PRIORITY, so however many are
 * queued, a small shop's job never waits behind them for a free slot.
 */
export const BULK_PRIORITY = 100;

/**
 * How long a shop's order and refund deliveries gather before one job applies them together (`apply-deliveries`).
 * 200 ms was the first choice; at 200 deliveries/s the worker's fixed costs per batch (its transactions and the
 * attribution batch that follows each) still added ~2.5 ms to the web's median acknowledgement, 1 s adds ~0.3 ms
 * (ADR 013, "Gathering for a second"). An order is attributed about a second after its webhook is answered.
 */
export const DELIVERY_BATCH_DELAY_MS = 1000;

export const jobCatalog = {
  /** Process one stored webhook delivery (inbox row): parse it and apply it. */
  "process-delivery": {
    schema: z.object({ deliveryId: id }),
    jobId: (p: { deliveryId: string }) => `delivery-${p.deliveryId}`,
    options: { attempts: 10, backoff: { type: "exponential", delay: 1000 } },
  },
  /**
   * Apply a shop's stored order and refund deliveries (inbox rows), in batches (app/webhooks/process.server.ts).
   * One job per shop at a time: a wake-up while it waits is dropped, one while it runs queues a single follow-up.
   * It starts DELIVERY_BATCH_DELAY_MS after the first wake-up, so a busy shop's deliveries of that time are applied
   * together (group commit: one transaction, one attribution batch) instead of one transaction each (ADR 013).
   */
  "apply-deliveries": {
    schema: z.object({ shopId: id }),
    jobId: (p: { shopId: string }) => `deliveries-${p.shopId}-${Date.now()}`,
    options: { attempts: 10, backoff: { type: "exponential", delay: 500 }, delay: DELIVERY_BATCH_DELAY_MS },
    deduplicationId: (p: { shopId: string }) => `deliveries-${p.shopId}`,
    keepLastIfActive: true,
  },
  /** Attribute a shop's pending new events and changed orders (incremental attribution). */
  "attribute-shop": {
    schema: z.object({ shopId: id }),
    // One wake-up per shop is enough, the job drains all pending work: dropped while one waits; while one runs, a
    // single follow-up is queued (work stored after its last claim is not left for the relay's next pass).
    jobId: (p: { shopId: string }) => `attribute-${p.shopId}-${Date.now()}`,
    options: { attempts: 10, backoff: { type: "exponential", delay: 500 } },
    deduplicationId: (p: { shopId: string }) => `attribute-${p.shopId}`,
    keepLastIfActive: true,
  },
  /**
   * Re-attribute a shop's whole history for one settings version. Bulk work (ADR 013): a priority below every
   * interactive job (BullMQ takes jobs without a priority first), at most WORKER_BULK_CONCURRENCY per worker
   * process, and it yields between chunks while other shops have work waiting.
   */
  "reattribute-shop": {
    schema: z.object({ shopId: id, version: z.number().int().min(1) }),
    jobId: (p: { shopId: string; version: number }) => `reattribute-${p.shopId}-v${p.version}`,
    options: { attempts: 5, backoff: { type: "exponential", delay: 2000 }, priority: BULK_PRIORITY },
    bulk: true,
  },
  /** One step of a history import or reconciliation run (app/imports/run.server.ts); the relay re-queues due runs. */
  "import-run": {
    schema: z.object({ importId: id }),
    jobId: (p: { importId: string }) => `import-${p.importId}-${Date.now()}`,
    options: { attempts: 3, backoff: { type: "exponential", delay: 2000 } },
    // one step of a run at a time: while one waits or runs, another wake-up is dropped
    deduplicationId: (p: { importId: string }) => `import-${p.importId}`,
  },
  /** Send a shop's changed attributions to its Shopify Flow workflows (flow_outbox; app/flow/trigger.server.ts). */
  "flow-drain": {
    schema: z.object({ shopId: id }),
    jobId: (p: { shopId: string }) => `flow-drain-${p.shopId}-${Date.now()}`,
    options: { attempts: 8, backoff: { type: "exponential", delay: 5000 } },
    deduplicationId: (p: { shopId: string }) => `flow-drain-${p.shopId}`,
  },
} satisfies Record<
  string,
  {
    schema: z.ZodType;
    jobId: (payload: never) => string;
    options: JobsOptions;
    deduplicationId?: (payload: never) => string;
    /** With `deduplicationId`: a wake-up while the job runs queues one follow-up (BullMQ `keepLastIfActive`). */
    keepLastIfActive?: boolean;
    /** Long work that must not take every slot of a worker (ADR 013): limited per process, delayed when over. */
    bulk?: boolean;
  }
>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["schema"]>;

/**
 * Retention of finished jobs, the same on every queue (web and worker side) and in the worker itself, so Redis stays
 * bounded whatever the traffic: completed jobs go after a day or beyond the latest 1,000; failed ones are kept for
 * operators (and /healthz) for a week, at most 1,000. PostgreSQL, not Redis, holds owed work: a removed job loses
 * nothing (the relay queues again whatever is still owed).
 */
export const COMPLETED_RETENTION = { age: 24 * 3600, count: 1000 };
export const FAILED_RETENTION = { age: 7 * 24 * 3600, count: 1000 };

/** Defaults for every job of every queue. */
export const defaultJobOptions: JobsOptions = {
  removeOnComplete: COMPLETED_RETENTION,
  removeOnFail: FAILED_RETENTION,
};
