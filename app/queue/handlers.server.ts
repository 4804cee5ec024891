import type { Job } from "bullmq";
import type { JobName, JobPayload } from "./catalog";

/**
 * What each job of the catalog does. Each handler must be idempotent: BullMQ retries failed jobs and re-runs jobs
 * of a worker that died mid-job.
 */
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

let registered: Partial<JobHandlers> = {};

export function registerHandlers(handlers: Partial<JobHandlers>) {
  registered = { ...registered, ...handlers };
}

export function handlerFor<N extends JobName>(name: N): JobHandlers[N] | undefined {
  return registered[name] as JobHandlers[N] | undefined;
}
