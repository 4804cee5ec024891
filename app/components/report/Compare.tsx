import { useSearchParams } from "@remix-run/react";
import { Select } from "@shopify/polaris";
import type { CompareMode } from "../../domain/compare";
import { formatCount, formatMoney } from "../format";

export const COMPARE_OPTIONS: { value: "" | CompareMode; label: string }[] = [
  { value: "", label: "No comparison" },
  { value: "previous_period", label: "Previous period" },
  { value: "previous_year", label: "Same dates last year" },
];

/** "Compare to" select of the report page, kept in the URL as `compare`. */
export function CompareControl({ value }: { value: CompareMode | null }) {
  const [params, setParams] = useSearchParams();
  return (
    <div style={{ minWidth: 200 }} data-testid="compare-control">
      <Select
        label="Compare to"
        options={COMPARE_OPTIONS}
        value={value ?? ""}
        onChange={(v) => {
          const p = new URLSearchParams(params);
          if (v) {
            p.set("compare", v);
            p.set("revenue", "1"); // each campaign's earlier revenue shows in the revenue column
          } else p.delete("compare");
          p.delete("page");
          setParams(p, { preventScrollReset: true });
        }}
      />
    </div>
  );
}

export function compareLabel(mode: CompareMode): string {
  return mode === "previous_year" ? "the same dates last year" : "the previous period";
}

/**
 * The earlier value and the change of a summary figure: an arrow and a colour for the eye, a full sentence for
 * screen readers ("Up 12.5% from $80.00 in the previous period").
 */
export function ChangeNote({
  previous,
  change,
  kind,
  currency,
  mode,
  testId,
}: {
  previous: string | number;
  change: number | null;
  kind: "money" | "count";
  currency: string;
  mode: CompareMode;
  testId: string;
}) {
  const earlier = kind === "money" ? formatMoney(String(previous), currency) : formatCount(Number(previous));
  const pct = change === null ? null : Math.abs(change * 100);
  const pctText = pct === null ? "" : `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
  const dir = change === null ? "new" : change > 0 ? "up" : change < 0 ? "down" : "flat";
  const color = dir === "up" ? "#1a7f4b" : dir === "down" ? "#c5280c" : "#616161";
  const arrow = dir === "up" ? "▲" : dir === "down" ? "▼" : dir === "flat" ? "■" : "";
  const spoken =
    dir === "new"
      ? `No earlier value to compare with: ${earlier} in ${compareLabel(mode)}`
      : dir === "flat"
        ? `Unchanged from ${earlier} in ${compareLabel(mode)}`
        : `${dir === "up" ? "Up" : "Down"} ${pctText} from ${earlier} in ${compareLabel(mode)}`;
  return (
    <span data-testid={testId} data-direction={dir} aria-label={spoken} role="note" style={{ display: "block" }}>
      <span aria-hidden="true">
        <span style={{ color, fontWeight: 600 }}>
          {arrow} {dir === "new" ? "new" : dir === "flat" ? "0%" : pctText}
        </span>{" "}
        vs {earlier}
      </span>
    </span>
  );
}
