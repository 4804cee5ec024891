/** The `vitals` CLI's table: each page's p75 of LCP, CLS and INP against Built for Shopify's thresholds. Pure. */
import { VITAL_THRESHOLDS } from "./pages";

export interface VitalRow {
  page: string;
  metric: string;
  samples: number;
  p75: number;
}

const fmt = (metric: "LCP" | "CLS" | "INP", v: number) =>
  metric === "CLS" ? v.toFixed(3) : `${Math.round(v).toLocaleString("en-US")} ms`;

export function vitalsTable(rows: readonly VitalRow[], days: number): string {
  const pages = [...new Set(rows.map((r) => r.page))].sort();
  const head = `Web vitals, p75 over the last ${days} days (Built for Shopify: LCP <= 2,500 ms, CLS <= 0.1, INP <= 200 ms)`;
  if (pages.length === 0) return `${head}\nNo page views reported yet.\n`;
  const table: string[][] = [["page", "LCP p75", "CLS p75", "INP p75", "samples (LCP/CLS/INP)"]];
  for (const page of pages) {
    const cells = [page];
    const counts: string[] = [];
    for (const metric of ["LCP", "CLS", "INP"] as const) {
      const r = rows.find((x) => x.page === page && x.metric === metric);
      counts.push(String(r?.samples ?? 0));
      if (!r) cells.push("-");
      else cells.push(`${fmt(metric, r.p75)} ${r.p75 <= VITAL_THRESHOLDS[metric] ? "good" : "POOR"}`);
    }
    cells.push(counts.join("/"));
    table.push(cells);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  const lines = table.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  return `${head}\n${lines.join("\n")}\n`;
}
