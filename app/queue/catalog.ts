import { z } from "zod";
import type { JobsOptions } from "bullmq";

/**
 * The one typed job catalog of the worker: name -> payload schema, retries, backoff, and the fixed job id that makes
 * enqueueing idempotent. Payloads carry ids only, never emails, phone numbers or bodies (those stay in PostgreSQL).
 */
export const QUEUE_NAME = "campaign-revenue";

const id = z.string().regex(/^\d{1,19}$/, "a decimal id");

export const jobCatalog = {
  /** Process one stored webhook delivery (inbox row): parse it and apply it. */
  "process-delivery": {
    schema: z.object({ deliveryId: id }),
    jobId: (p: { deliveryId: string }) => `delivery-${p.deliveryId}`,
    options: { attempts: 10, backoff: { type: "exponential", delay: 1000 } },
  },
  /** Attribute a shop's pending new events and changed orders (incremental attribution). */
  "attribute-shop": {
    schema: z.object({ shopId: id }),
    // Deduplicated while waiting: one wake-up per shop is enough, the job drains all pending work.
    jobId: (p: { shopId: string }) => `attribute-${p.shopId}-${Date.now()}`,
    options: { attempts: 10, backoff: { type: "exponential", delay: 500 } },
    deduplicationId: (p: { shopId: string }) => `attribute-${p.shopId}`,
  },
  /** Re-attribute a shop's whole history for one settings version. */
  "reattribute-shop": {
    schema: z.object({ shopId: id, version: z.number().int().min(1) }),
    jobId: (p: { shopId: string; version: number }) => `reattribute-${p.shopId}-v${p.version}`,
    options: { attempts: 5, backoff: { type: "exponential", delay: 2000 } },
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
  }
>;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]["schema"]>;

/** Defaults for every job: failed jobs are kept (visible in /healthz and to operators), completed ones trimmed. */
export const defaultJobOptions: JobsOptions = {
  removeOnComplete: { count: 1000 },
  removeOnFail: false,
};
