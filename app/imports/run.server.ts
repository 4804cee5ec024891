/**
 * The `import-run` job: one step of a history import or a reconciliation run (the `imports` row is the state, so
 * steps are idempotent and a killed worker resumes where the last committed batch left off).
 */
import { getImport, updateImport } from "../data/imports.server";
import { findShopById } from "../data/shops.server";
import { log } from "../logger.server";
import { PermanentImportError, adminFor } from "./admin.server";
import { historyStep } from "./history.server";
import { reconciliationStep } from "./reconcile.server";

export async function runImportStep(importId: string): Promise<string> {
  const imp = await getImport(importId);
  if (!imp || imp.state === "completed" || imp.state === "failed") return "finished";
  try {
    const shop = await findShopById(BigInt(imp.shop_id));
    if (!shop || shop.uninstalledAt) throw new PermanentImportError("The shop has uninstalled the app.");
    const admin = await adminFor(shop.domain);
    return imp.kind === "history" ? await historyStep(imp, admin) : await reconciliationStep(imp, admin);
  } catch (error) {
    if (error instanceof PermanentImportError) {
      await updateImport(imp.id, {
        state: "failed",
        error: error.message,
        finished_at: new Date(),
        next_poll_at: null,
      });
      log.warn("import failed", { importId: imp.id, shopId: imp.shop_id, error: error.message });
      return "failed";
    }
    // transient (network, database): the job is retried, then the relay queues the step again
    await updateImport(imp.id, { next_poll_at: new Date(Date.now() + 5_000) }).catch(() => {});
    throw error;
  }
}
