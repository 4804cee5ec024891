/**
 * Starting an import: the ONE place where a history import or a reconciliation run is created, whatever asked for
 * it (install, settings page, API, CLI, schedule, retry), and records who did in the audit trail.
 */
import { recordAudit } from "../data/audit.server";
import { TZDate } from "@date-fns/tz";
import { type ImportKind, type ImportRow, type ImportTrigger, createImport } from "../data/imports.server";
import { log } from "../logger.server";
import { tryEnqueue } from "../queue/producer.server";

export type StartResult = { ok: true; import: ImportRow } | { ok: false; conflict: true };

/** `since` as a shop-local calendar date (YYYY-MM-DD) -> the instant its midnight starts in the shop's time zone. */
export function sinceInstant(date: string, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, timeZone).getTime());
}

export async function startImport(
  shopId: bigint,
  options: { kind?: ImportKind; since?: Date | null; trigger: ImportTrigger; actor?: string },
): Promise<StartResult> {
  const kind = options.kind ?? "history";
  const row = await createImport(shopId, kind, options.trigger, kind === "history" ? (options.since ?? null) : null);
  if (!row) return { ok: false, conflict: true };
  // The audit trail (ADR 008): who started which import; the install and the schedule are the app itself.
  await recordAudit(shopId, options.actor ?? `app:${options.trigger}`, "import.start", {
    import_id: String(row.id),
    kind,
    since: options.since ? options.since.toISOString() : null,
  });
  log.info("import queued", { importId: row.id, shopId, kind, trigger: options.trigger });
  await tryEnqueue("import-run", { importId: row.id });
  return { ok: true, import: row };
}
