/**
 * The worker process (`npm run worker`): BullMQ jobs of the catalog, plus the relay that moves owed work from
 * PostgreSQL into the queue. SIGTERM/SIGINT: stop taking jobs, finish the jobs in hand, close connections, exit 0.
 */
import { existsSync } from "node:fs";
import { setPriority } from "node:os";
import { DelayedError, Worker, type Job } from "bullmq";
if (existsSync(".env") && process.env.NODE_ENV !== "test") process.loadEnvFile(".env");
const { assertEnvOrExit } = await import("../app/env.server");
const config = assertEnvOrExit();
const { disconnectDb, enableAsyncCommit } = await import("../app/db.server");
// Background work yields to the web process (ADR 013): a lower CPU priority for this process, and asynchronous
// commits for its sessions (its writes are derived from rows committed durably by the web process, and idempotent).
try {
  setPriority(config.WORKER_NICE);
} catch {
  /* not permitted here: run at the default priority */
}
enableAsyncCommit();
const { log } = await import("../app/logger.server");
const { QUEUE_NAME, jobCatalog, COMPLETED_RETENTION, FAILED_RETENTION } = await import("../app/queue/catalog");
const { createQueue, redisConnection } = await import("../app/queue/connection.server");
const { jobHandlers } = await import("../app/queue/handlers.server");
const { startRelay } = await import("../app/queue/relay.server");
const { startFlowSweep } = await import("../app/flow/sweep.server");

const concurrency = config.WORKER_CONCURRENCY;
const workerConnection = redisConnection("worker");
const queueConnection = redisConnection("worker");
const queue = createQueue(queueConnection, config.QUEUE_PREFIX);

/** Bulk jobs running in this process, and the most it runs at once (ADR 013). */
let bulkRunning = 0;
const bulkLimit = config.WORKER_BULK_CONCURRENCY;

const worker = new Worker(
  QUEUE_NAME,
  async (job: Job, token?: string) => {
    const name = job.name as keyof typeof jobCatalog;
    const entry = jobCatalog[name];
    if (!entry) throw new Error(`unknown job ${job.name}`);
    const payload = entry.schema.parse(job.data);
    const handler = jobHandlers[name] as (p: unknown, j: Job) => Promise<unknown>;
    if (!("bulk" in entry && entry.bulk)) return handler(payload, job);
    // A slot for bulk work is free, or the job steps aside for a second (not an attempt) and the slot it took
    // serves interactive jobs meanwhile.
    if (bulkRunning >= bulkLimit) {
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    bulkRunning += 1;
    try {
      return await handler(payload, job);
    } finally {
      bulkRunning -= 1;
    }
  },
  {
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency,
    // A worker that dies mid-job loses its lock within 15 s; the job is then run again (handlers are idempotent).
    lockDuration: 15_000,
    stalledInterval: 5_000,
    maxStalledCount: 5,
    // Finished jobs are trimmed here too (catalog.ts), whichever queue added them.
    removeOnComplete: COMPLETED_RETENTION,
    removeOnFail: FAILED_RETENTION,
  },
);
worker.on("error", (error) => log.warn("worker connection error", { error }));
worker.on("failed", (job, error) =>
  log.warn("job failed", { job: job?.name, id: job?.id, attempts: job?.attemptsMade, error }),
);
worker.on("completed", (job) => log.debug("job completed", { job: job.name, id: job.id }));

// Secrets still stored in clear (written before ADR 008) are encrypted with the current key before any job runs.
{
  const { reencryptSecrets } = await import("../app/data/secrets-rotation.server");
  try {
    const done = await reencryptSecrets("plaintext");
    if (done.ingestTokens || done.providerSettings) log.info("plaintext secrets encrypted", done);
  } catch (error) {
    log.error("could not encrypt plaintext secrets; will try again at the next start", { error });
  }
}

const relay = startRelay(queue, config.RELAY_INTERVAL_MS);
const flowSweep = startFlowSweep(queue, config.FLOW_SWEEP_INTERVAL_MS);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("worker stopping: finishing jobs in hand", { signal });
  const hardStop = setTimeout(() => {
    log.error("worker did not stop within 60 s; exiting");
    process.exit(1);
  }, 60_000);
  hardStop.unref();
  await relay.stop();
  await flowSweep.stop();
  await worker.close(); // waits for active jobs to finish
  await queue.close().catch(() => {});
  workerConnection.disconnect();
  queueConnection.disconnect();
  await disconnectDb();
  log.info("worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

// Only once the signal handlers are in place: a SIGTERM right after "ready" must still drain and exit 0.
log.info("worker started", { queue: QUEUE_NAME, concurrency, bulkLimit, pid: process.pid });
process.stdout.write("Worker ready\n");
