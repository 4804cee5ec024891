import { findImportByBulkOperation, updateImport } from "../data/imports.server";
import { tryEnqueue } from "../queue/producer.server";

/**
 * `bulk_operations/finish`: Shopify says the shop's bulk operation ended. The import's next step (read its status,
 * then download) runs at once instead of at the next poll; the poll stays as the fallback for a late webhook.
 */
export async function onBulkOperationFinished(shopDomain: string, bulkOperationId: string): Promise<void> {
  const imp = await findImportByBulkOperation(shopDomain, bulkOperationId);
  if (!imp || (imp.state !== "running" && imp.state !== "queued")) return;
  await updateImport(imp.id, { next_poll_at: new Date() });
  await tryEnqueue("import-run", { importId: imp.id });
}
