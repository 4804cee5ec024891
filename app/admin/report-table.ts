/**
 * The campaign table of the report page: its columns, sorting, and the rows Copy (TSV) and Export (CSV) produce,
 * so the table, the clipboard and the download always agree. Pure; money stays in decimal strings.
 */
import Decimal from "decimal.js";
import type { CampaignRow } from "../domain/attribution";

/** A campaign row as the presenter returns it (docs/openapi.json, GET /api/v1/reports/campaigns): the domain's own type. */
export type ReportRow = CampaignRow;

export type ColumnKey =
  "name" | "channel" | "sent" | "delivered" | "opened" | "clicked" | "purchases" | "average_check" | "revenue";

export interface Column {
  key: ColumnKey;
  title: string;
  kind: "text" | "count" | "money";
  /** Shown only with the `$` toggle on. */
  revenue: boolean;
}

export const COLUMNS: readonly Column[] = [
  { key: "name", title: "Campaign", kind: "text", revenue: false },
  { key: "channel", title: "Channel", kind: "text", revenue: false },
  { key: "sent", title: "Sent", kind: "count", revenue: false },
  { key: "delivered", title: "Delivered", kind: "count", revenue: false },
  { key: "opened", title: "Opened", kind: "count", revenue: false },
  { key: "clicked", title: "Clicked", kind: "count", revenue: false },
  { key: "purchases", title: "Purchases", kind: "count", revenue: true },
  { key: "average_check", title: "Average check", kind: "money", revenue: true },
  { key: "revenue", title: "Revenue", kind: "money", revenue: true },
];

export function visibleColumns(showRevenue: boolean): Column[] {
  return COLUMNS.filter((c) => showRevenue || !c.revenue);
}

export type SortDirection = "ascending" | "descending";

export function parseSort(
  key: string | null,
  dir: string | null,
  showRevenue: boolean,
): { key: ColumnKey; direction: SortDirection } {
  const col = visibleColumns(showRevenue).find((c) => c.key === key);
  const fallback: ColumnKey = showRevenue ? "revenue" : "sent";
  return {
    key: col ? col.key : fallback,
    direction:
      dir === "asc" ? "ascending" : dir === "desc" ? "descending" : col?.kind === "text" ? "ascending" : "descending",
  };
}

function compare(a: ReportRow, b: ReportRow, key: ColumnKey): number {
  const col = COLUMNS.find((c) => c.key === key)!;
  if (col.kind === "money") return new Decimal(a[key] as string).comparedTo(new Decimal(b[key] as string));
  if (col.kind === "count") return (a[key] as number) - (b[key] as number);
  return (a[key] as string).localeCompare(b[key] as string, "en", { sensitivity: "base", numeric: true });
}

/** Stable sort; ties by campaign name, then id. */
export function sortRows(rows: readonly ReportRow[], key: ColumnKey, direction: SortDirection): ReportRow[] {
  const sign = direction === "ascending" ? 1 : -1;
  return [...rows].sort(
    (a, b) =>
      sign * compare(a, b, key) ||
      a.name.localeCompare(b.name, "en", { sensitivity: "base", numeric: true }) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * A campaign's name or id as a spreadsheet cell: text that a spreadsheet would run as a formula (starting with =, +,
 * -, @, a tab or a carriage return) gets a leading apostrophe, so that a name from a provider cannot run in Excel.
 */
export function spreadsheetText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * The rows Copy and Export produce: a header and one line per campaign, with the campaign id, the visible columns,
 * and with the `$` toggle on, gross, refunded and the sale formula too. Money as plain decimal strings (spreadsheets
 * read them as numbers), the currency in the header.
 */
export function exportRows(rows: readonly ReportRow[], showRevenue: boolean, currency: string): string[][] {
  const header = ["Campaign ID", "Campaign", "Channel", "Sent", "Delivered", "Opened", "Clicked"];
  if (showRevenue) {
    header.push(
      "Purchases",
      `Average check (${currency})`,
      `Revenue (${currency})`,
      `Gross (${currency})`,
      `Refunded (${currency})`,
      "Sale formula",
    );
  }
  const lines = rows.map((r) => {
    const line = [
      spreadsheetText(r.id),
      spreadsheetText(r.name),
      r.channel,
      String(r.sent),
      String(r.delivered),
      String(r.opened),
      String(r.clicked),
    ];
    if (showRevenue) line.push(String(r.purchases), r.average_check, r.revenue, r.gross, r.refunded, r.sale_formula);
    return line;
  });
  return [header, ...lines];
}

/** Tab-separated values for the clipboard (tabs and line breaks inside cells become spaces). */
export function toTsv(table: string[][]): string {
  return table.map((line) => line.map((cell) => cell.replace(/[\t\r\n]+/g, " ")).join("\t")).join("\n") + "\n";
}

/** What Copy puts on the clipboard: the visible columns (titles as shown), every row in the table's order. */
export function copyRows(rows: readonly ReportRow[], showRevenue: boolean, currency: string): string[][] {
  const cols = visibleColumns(showRevenue);
  const header = cols.map((c) => (c.kind === "money" ? `${c.title} (${currency})` : c.title));
  return [header, ...rows.map((r) => cols.map((c) => (c.key === "name" ? spreadsheetText(r.name) : String(r[c.key]))))];
}
