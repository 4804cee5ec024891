/**
 * The worker side of the Flow trigger: the `flow-drain` job (one shop's outbox, re-queued while rows remain) and the
 * sweep that queues it every FLOW_SWEEP_INTERVAL_MS for shops with outbox rows. PostgreSQL holds the owed work
 * (flow_outbox), so a Redis outage or a worker crash only delays it.
 */
import type { Queue } from "bullmq";
import { shopsWithFlowOutbox } from "../data/flow.server";
import { env } from "../env.server";
import { log } from "../logger.server";
import { enqueue } from "../queue/producer.server";
import { runFlowDrain } from "./trigger.server";

/** Outbox rows per job run (at 4 calls/s, about 25 s of work). */
const BATCH = 100;

export async function flowDrainJob(shopId: bigint) {
  const config = env();
  const result = await runFlowDrain(shopId, {
    windowDays: config.FLOW_TRIGGER_WINDOW_DAYS,
    perSecond: config.FLOW_TRIGGER_PER_SECOND,
    batch: BATCH,
  });
  if (result?.sent) log.info("sent orders to Shopify Flow", { shopId: shopId.toString(), ...result });
  // Throttled: the rows wait for the next sweep instead of retrying at once.
  return result;
}

/** Queues `flow-drain` for every shop with outbox rows. */
export async function flowSweepOnce(queue: Queue): Promise<number> {
  const shops = await shopsWithFlowOutbox(300);
  for (const shopId of shops) await enqueue(queue, "flow-drain", { shopId: shopId.toString() });
  return shops.length;
}

/** Runs the sweep every `intervalMs` until stopped (0: never). Errors are logged and retried. */
export function startFlowSweep(queue: Queue, intervalMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = intervalMs <= 0;
  let running: Promise<unknown> = Promise.resolve();
  let lastError = "";
  const tick = () => {
    running = flowSweepOnce(queue)
      .then(() => {
        lastError = "";
      })
      .catch((error: Error) => {
        if (error.message !== lastError) log.warn("flow sweep failed; will retry", { error });
        lastError = error.message;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (!stopped) timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
