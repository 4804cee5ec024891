import type { Queue } from "bullmq";
import { dueImports, scheduleReconciliations } from "../data/imports.server";
import { env } from "../env.server";
import { enqueue } from "../queue/producer.server";

/**
 * The imports' part of the relay pass (app/queue/relay.server.ts): creates the scheduled reconciliation of each
 * installed shop every RECONCILE_INTERVAL_MINUTES, and queues the next step of every active run that is due (a
 * bulk operation to poll, a run whose job was lost with a killed worker or a Redis outage). Deduplicated per run.
 */
export async function relayImports(queue: Queue): Promise<number> {
  await scheduleReconciliations(env().RECONCILE_INTERVAL_MINUTES);
  const due = await dueImports();
  for (const row of due) await enqueue(queue, "import-run", { importId: row.id });
  return due.length;
}
