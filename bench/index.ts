/**
 * `npm run bench [-- --scale <n>] [--only name,name]`: prints one JSON object per line and figure on stdout
 * (README "Benchmarks"); progress and notes go to stderr. Every run uses its own database(s) and Redis prefix and
 * drops them afterwards.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runIngestBench, type Emit, type Figure } from "./ingest";
import { note, startStack } from "./stack";

const KNOWN = [
  "ingest_events_per_s",
  "webhook_ack_ms_p99",
  "reattribution_s",
  "incremental_orders_per_s",
  "report_ms_p95",
  "worker_peak_rss_mb",
  "backfill_orders_per_s",
  "backfill_peak_rss_mb",
  "settings_preview_s",
  "holdout_s",
  "attribution_latency_s_p99",
  "admin_lcp_ms_p75",
  "admin_cls_p75",
  "admin_inp_ms_p75",
];
const ATTRIBUTION_FIGURES = KNOWN.slice(2, 6);
const BACKFILL_FIGURES = ["backfill_orders_per_s", "backfill_peak_rss_mb"];

function parseArgs(argv: string[]): { scale: number; only: Set<string> | null } {
  let scale = 1;
  let only: Set<string> | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--scale") {
      const v = Number(value());
      if (!Number.isFinite(v) || v <= 0) throw new Error("--scale must be a positive number, e.g. --scale 0.1");
      scale = v;
    } else if (flag === "--only") {
      const names = (value() ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = names.filter((n) => !KNOWN.includes(n));
      if (names.length === 0 || unknown.length) {
        throw new Error(
          `--only takes a comma-separated list of ${KNOWN.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`,
        );
      }
      only = new Set(names);
    } else if (flag === "--help" || flag === "-h") {
      process.stderr.write(`usage: npm run bench -- [--scale <n>] [--only <${KNOWN.join(",")}>]\n`);
      process.exit(0);
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  return { scale, only };
}

async function main() {
  const { scale, only } = parseArgs(process.argv.slice(2));
  const emit: Emit = (f: Figure) => {
    if (only && !only.has(f.name)) return;
    const ratio = f.baseline ? f.value / f.baseline : null;
    const line = {
      name: f.name,
      value: f.value,
      unit: f.unit,
      baseline: f.baseline ?? null,
      baseline_name: f.baseline_name,
      ratio: f.ratio ?? (ratio === null ? null : Math.round(ratio * 1000) / 1000),
      target: f.target,
      params: { scale, ...f.params },
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };

  let failed = false;
  try {
    await runIngestBench({ scale, emit, only, startStack: () => startStack() });
  } catch (error) {
    failed = true;
    note(`ingest bench failed: ${(error as Error).stack ?? error}`);
  }

  if (!only || ATTRIBUTION_FIGURES.some((n) => only.has(n))) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const file = path.join(here, "attribution.ts");
    if (!existsSync(file)) {
      note("bench/attribution.ts does not exist yet: skipping the attribution figures");
    } else {
      try {
        const mod = (await import(pathToFileURL(file).href)) as {
          runAttributionBench?: (o: { scale: number; emit: Emit; only?: Set<string> | null }) => Promise<void>;
        };
        if (typeof mod.runAttributionBench !== "function")
          note("bench/attribution.ts has no runAttributionBench: skipped");
        else await mod.runAttributionBench({ scale, emit, only });
      } catch (error) {
        failed = true;
        note(`attribution bench failed: ${(error as Error).stack ?? error}`);
      }
    }
  }
  if (!only || BACKFILL_FIGURES.some((n) => only.has(n))) {
    try {
      const { runBackfillBench } = await import("./backfill");
      await runBackfillBench({ scale, emit });
    } catch (error) {
      failed = true;
      note(`backfill bench failed: ${(error as Error).stack ?? error}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  note(String((error as Error).message ?? error));
  process.exit(2);
});
