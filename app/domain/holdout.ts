/**
 * Holdouts: what a campaign really added (ATTRIBUTION.md, "Holdouts"). Pure decimal arithmetic, no I/O.
 *
 * The database reduces each group (treated T, held out H) of a campaign to four exact figures: its size n, the sum
 * of its recipients' outcomes, the sum of their squares, and how many converted (see app/data/holdouts.server.ts).
 * This module turns them into the published figures:
 *   mean = sum / n;  s^2 = (sumsq - sum^2 / n) / (n - 1)  (sample variance; 0 for a group of one)
 *   incremental_revenue = (mean_T - mean_H) x |T|
 *   interval = (mean_T - mean_H +- 1.96 x sqrt(s_T^2 / |T| + s_H^2 / |H|)) x |T|;  significant when it excludes 0
 *   lift = conversion_T / conversion_H - 1 (null when conversion_H is 0)
 * Money is rounded once, at the end, to the currency's minor units, half away from zero; rates to 4 decimals.
 * With |T| < 2 or |H| < 2 every figure is null and `reason` is `insufficient_holdout`.
 */
import Decimal from "decimal.js";
import { Money, formatAmount } from "./money";

/** The z value of a two-sided 95% interval. */
export const Z95 = "1.96";
/** Decimals of the published rates (conversion, lift). */
export const RATE_DECIMALS = 4;
/** The smallest group on either side for figures to be given. */
export const MIN_GROUP = 2;

/** One group's sufficient statistics (exact decimals; money in the order currency's units). */
export interface GroupStats {
  /** Recipients in the group (after removing the overlap). */
  n: number;
  /** Recipients with at least one counted order in their window. */
  converted: number;
  /** Sum of the recipients' outcomes (revenue in the window). */
  sum: Decimal.Value;
  /** Sum of the squares of the recipients' outcomes. */
  sumSquares: Decimal.Value;
}

export interface HoldoutInput {
  treated: GroupStats;
  heldOut: GroupStats;
  /** Recipients found in both groups (dropped from both). */
  overlap: number;
}

export type HoldoutReason = "insufficient_holdout";

/** The `holdout` object of a report row (API.md). */
export interface HoldoutFigures {
  treated: number;
  held_out: number;
  overlap: number;
  conversion_treated: number | null;
  conversion_held_out: number | null;
  lift: number | null;
  revenue_per_recipient_treated: string | null;
  revenue_per_recipient_held_out: string | null;
  incremental_revenue: string | null;
  incremental_revenue_low: string | null;
  incremental_revenue_high: string | null;
  significant: boolean | null;
  reason: HoldoutReason | null;
}

export const HOLDOUT_FIELDS: readonly (keyof HoldoutFigures)[] = [
  "treated",
  "held_out",
  "overlap",
  "conversion_treated",
  "conversion_held_out",
  "lift",
  "revenue_per_recipient_treated",
  "revenue_per_recipient_held_out",
  "incremental_revenue",
  "incremental_revenue_low",
  "incremental_revenue_high",
  "significant",
  "reason",
];

function rate(d: Decimal): number {
  const r = d.toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_UP);
  return r.isZero() ? 0 : r.toNumber();
}

/** The group's mean outcome (exact). */
export function groupMean(g: GroupStats): Decimal {
  return new Money(g.sum).dividedBy(g.n);
}

/** The group's sample variance (divisor n - 1; 0 for a group of one, and never below 0). */
export function groupVariance(g: GroupStats): Decimal {
  if (g.n < 2) return new Money(0);
  const sum = new Money(g.sum);
  const v = new Money(g.sumSquares).minus(sum.times(sum).dividedBy(g.n)).dividedBy(g.n - 1);
  return v.isNegative() ? new Money(0) : v;
}

function checkGroup(g: GroupStats, name: string): void {
  if (!Number.isInteger(g.n) || g.n < 0) throw new RangeError(`${name}.n must be a whole number >= 0`);
  if (!Number.isInteger(g.converted) || g.converted < 0 || g.converted > g.n)
    throw new RangeError(`${name}.converted must be a whole number between 0 and n`);
}

/** The published holdout figures of one campaign, in `currency`. */
export function holdoutFigures(input: HoldoutInput, currency: string): HoldoutFigures {
  const { treated: t, heldOut: h, overlap } = input;
  checkGroup(t, "treated");
  checkGroup(h, "heldOut");
  const base = { treated: t.n, held_out: h.n, overlap };
  if (t.n < MIN_GROUP || h.n < MIN_GROUP) {
    return {
      ...base,
      conversion_treated: null,
      conversion_held_out: null,
      lift: null,
      revenue_per_recipient_treated: null,
      revenue_per_recipient_held_out: null,
      incremental_revenue: null,
      incremental_revenue_low: null,
      incremental_revenue_high: null,
      significant: null,
      reason: "insufficient_holdout",
    };
  }
  const convT = new Money(t.converted).dividedBy(t.n);
  const convH = new Money(h.converted).dividedBy(h.n);
  const meanT = groupMean(t);
  const meanH = groupMean(h);
  const diff = meanT.minus(meanH);
  const se = groupVariance(t).dividedBy(t.n).plus(groupVariance(h).dividedBy(h.n)).sqrt();
  const margin = new Money(Z95).times(se);
  const low = diff.minus(margin).times(t.n);
  const high = diff.plus(margin).times(t.n);
  return {
    ...base,
    conversion_treated: rate(convT),
    conversion_held_out: rate(convH),
    lift: convH.isZero() ? null : rate(convT.dividedBy(convH).minus(1)),
    revenue_per_recipient_treated: formatAmount(meanT, currency),
    revenue_per_recipient_held_out: formatAmount(meanH, currency),
    incremental_revenue: formatAmount(diff.times(t.n), currency),
    incremental_revenue_low: formatAmount(low, currency),
    incremental_revenue_high: formatAmount(high, currency),
    significant: low.greaterThan(0) || high.lessThan(0),
    reason: null,
  };
}

/** Sum of the incremental revenue of campaigns whose holdout gives figures; null when none does. */
export function totalIncremental(rows: readonly (HoldoutFigures | null)[], currency: string): string | null {
  let total: Decimal | null = null;
  for (const r of rows) {
    if (r?.incremental_revenue == null) continue;
    total = (total ?? new Money(0)).plus(r.incremental_revenue);
  }
  return total === null ? null : formatAmount(total, currency);
}

/** Plain words for the campaign page. */
export function holdoutSentence(
  h: HoldoutFigures,
  formatMoney: (amount: string) => string,
): { tone: "success" | "warning" | "info"; text: string } {
  if (h.reason === "insufficient_holdout" || h.incremental_revenue_low === null || h.incremental_revenue_high === null)
    return { tone: "info", text: "Not enough evidence yet: the control group is too small" };
  const range = `between ${formatMoney(h.incremental_revenue_low)} and ${formatMoney(h.incremental_revenue_high)}`;
  if (h.significant) return { tone: "success", text: `With 95% confidence this campaign added ${range}` };
  return {
    tone: "warning",
    text: `With 95% confidence this campaign added ${range}: the interval includes zero, so there is not enough evidence yet that it added anything`,
  };
}
