/**
 * Query parameters of the report endpoints: `from`, `to` (ISO 8601 instants with an offset; `to` excluded) and
 * `format` (`json` or `csv`; `Accept: text/csv` also asks for CSV).
 *
 * Defaults (documented in docs/decisions/007-attribution-engine.md): without `to`, now; without `from`, 30 days
 * before `to`. `from` must be before `to`. Errors name the parameter: 400 details `[{path: "from", ...}]`.
 */
import { parseIsoDate } from "../ingest/scalars";
import { COMPARE_MODES, isCompareMode, type CompareMode } from "../domain/compare";
import { invalid, type ErrorDetail } from "./errors";

export const DEFAULT_REPORT_DAYS = 30;

export interface ReportParams {
  range: { from: Date; to: Date };
  format: "json" | "csv";
  /** `compare=previous_period|previous_year`; null when absent. */
  compare: CompareMode | null;
}

function readDate(url: URL, name: "from" | "to", details: ErrorDetail[]): Date | null {
  const raw = url.searchParams.get(name);
  if (raw === null || raw.trim() === "") return null;
  // An unencoded "+02:00" offset arrives as " 02:00" (a + in a query string is a space).
  const parsed = parseIsoDate(raw.trim().replace(/ (\d{2}:?\d{2})$/, "+$1"));
  if (typeof parsed === "string") {
    details.push({ path: name, message: `${parsed} (for example 2026-11-01T00:00:00Z)` });
    return null;
  }
  return parsed;
}

export function parseReportParams(request: Request, opts: { csv?: boolean } = {}): ReportParams {
  const url = new URL(request.url);
  const details: ErrorDetail[] = [];
  const from = readDate(url, "from", details);
  const to = readDate(url, "to", details);
  let format: "json" | "csv" = "json";
  const f = url.searchParams.get("format");
  if (f !== null && f !== "") {
    if (f === "csv" && opts.csv) format = "csv";
    else if (f !== "json") details.push({ path: "format", message: opts.csv ? "must be json or csv" : "must be json" });
  } else if (opts.csv && /\btext\/csv\b/i.test(request.headers.get("accept") ?? "")) {
    format = "csv";
  }
  const c = url.searchParams.get("compare");
  let compare: CompareMode | null = null;
  if (c !== null && c !== "") {
    if (isCompareMode(c)) compare = c;
    else details.push({ path: "compare", message: `must be one of ${COMPARE_MODES.join(", ")}` });
  }
  if (details.length) throw invalid(details);
  const end = to ?? new Date();
  const start = from ?? new Date(end.getTime() - DEFAULT_REPORT_DAYS * 86_400_000);
  if (start.getTime() >= end.getTime()) {
    throw invalid([{ path: from ? "from" : "to", message: "must be before `to` (the period is [from, to))" }]);
  }
  return { range: { from: start, to: end }, format, compare };
}
