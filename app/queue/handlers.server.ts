import type { Job } from "bullmq";
import { attributeShop, reattributeShop } from "../attribution/engine.server";
import { applyShopDeliveries, processDelivery } from "../webhooks/process.server";
import { runImportStep } from "../imports/run.server";
import { flowDrainJob } from "../flow/sweep.server";
import type { JobName, JobPayload } from "./catalog";

/**
 * What each job of the catalog does. Each handler must be idempotent: BullMQ retries failed jobs and re-runs jobs
 * of a worker that died mid-job.
 */
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

export const jobHandlers: JobHandlers = {
  "process-delivery": (p) => processDelivery(p.deliveryId),
  "apply-deliveries": (p) => applyShopDeliveries(BigInt(p.shopId)),
  "attribute-shop": (p) => attributeShop(BigInt(p.shopId)),
  "reattribute-shop": (p) => reattributeShop(BigInt(p.shopId), p.version),
  "import-run": (p) => runImportStep(p.importId),
  "flow-drain": (p) => flowDrainJob(BigInt(p.shopId)),
};
