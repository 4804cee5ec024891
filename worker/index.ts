/**
 * The worker process (`npm run worker`): BullMQ jobs of the catalog, plus the relay that moves owed work from
 * PostgreSQL into the queue. SIGTERM/SIGINT: stop taking jobs, finish the jobs in hand, close connections, exit 0.
 */
import { existsSync } from "node:fs";
import { Worker, type Job } from "bullmq";
if (existsSync(".env") && process.env.NODE_ENV !== "test") process.loadEnvFile(".env");
const { assertEnvOrExit } = await import("../app/env.server");
const config = assertEnvOrExit();
const { disconnectDb } = await import("../app/db.server");
const { log } = await import("../app/logger.server");
const { QUEUE_NAME, jobCatalog } = await import("../app/queue/catalog");
const { redisConnection } = await import("../app/queue/connection.server");
const { jobHandlers } = await import("../app/queue/handlers.server");
const { startRelay } = await import("../app/queue/relay.server");
const { startFlowSweep } = await import("../app/flow/sweep.server");
const { Queue } = await import("bullmq");

const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4);
const workerConnection = redisConnection("worker");
const queueConnection = redisConnection("worker");
const queue = new Queue(QUEUE_NAME, { connection: queueConnection, prefix: config.QUEUE_PREFIX });
queue.on("error", () => {});

const worker = new Worker(
  QUEUE_NAME,
  async (job: Job) => {
    const name = job.name as keyof typeof jobCatalog;
    const entry = jobCatalog[name];
    if (!entry) throw new Error(`unknown job ${job.name}`);
    const payload = entry.schema.parse(job.data);
    const handler = jobHandlers[name] as (p: unknown, j: Job) => Promise<unknown>;
    return handler(payload, job);
  },
  {
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency,
    // A worker that dies mid-job loses its lock within 15 s; the job is then run again (handlers are idempotent).
    lockDuration: 15_000,
    stalledInterval: 5_000,
    maxStalledCount: 5,
  },
);
worker.on("error", (error) => log.warn("worker connection error", { error }));
worker.on("failed", (job, error) =>
  log.warn("job failed", { job: job?.name, id: job?.id, attempts: job?.attemptsMade, error }),
);
worker.on("completed", (job) => log.debug("job completed", { job: job.name, id: job.id }));

const relay = startRelay(queue, Number(process.env.RELAY_INTERVAL_MS ?? 2000));
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
log.info("worker started", { queue: QUEUE_NAME, concurrency, pid: process.pid });
process.stdout.write("Worker ready\n");
