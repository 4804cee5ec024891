/**
 * Extra columns of the report page's Export (with the `$` toggle on): the holdout figures when any exported campaign
 * has a holdout, and the earlier period's figures when the page compares (docs/holdouts.md). Plain decimal strings
 * and numbers, as the other money columns; empty cells where a campaign has no holdout or a figure is null.
 */
import type { HoldoutFigures } from "../domain/holdout";

export interface InsightRow {
  holdout?: HoldoutFigures | null;
  previous?: { purchases: number; revenue: string };
}

export function insightColumns(
  rows: readonly InsightRow[],
  currency: string,
  compared: boolean,
): { header: string[]; cells: (row: InsightRow) => string[] } {
  const withHoldout = rows.some((r) => r.holdout);
  const header: string[] = [];
  if (withHoldout)
    header.push(
      "Holdout: treated",
      "Holdout: held out",
      "Holdout: overlap",
      "Holdout: conversion treated",
      "Holdout: conversion held out",
      "Holdout: lift",
      `Holdout: incremental revenue (${currency})`,
      `Holdout: incremental revenue low (${currency})`,
      `Holdout: incremental revenue high (${currency})`,
      "Holdout: significant",
      "Holdout: reason",
    );
  if (compared) header.push("Earlier purchases", `Earlier revenue (${currency})`);
  const s = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    header,
    cells: (r) => {
      const out: string[] = [];
      const h = r.holdout;
      if (withHoldout)
        out.push(
          s(h?.treated),
          s(h?.held_out),
          s(h?.overlap),
          s(h?.conversion_treated),
          s(h?.conversion_held_out),
          s(h?.lift),
          s(h?.incremental_revenue),
          s(h?.incremental_revenue_low),
          s(h?.incremental_revenue_high),
          s(h?.significant),
          s(h?.reason),
        );
      if (compared) out.push(s(r.previous?.purchases), s(r.previous?.revenue));
      return out;
    },
  };
}
