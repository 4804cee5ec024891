/**
 * Comparing periods (ATTRIBUTION.md, "Comparing periods"): the earlier period and the change of a figure.
 * Pure: no I/O.
 */
import { TZDate } from "@date-fns/tz";
import { subYears } from "date-fns";
import Decimal from "decimal.js";
import { Money } from "./money";

export const COMPARE_MODES = ["previous_period", "previous_year"] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export function isCompareMode(v: unknown): v is CompareMode {
  return typeof v === "string" && (COMPARE_MODES as readonly string[]).includes(v);
}

/** The compare mode a URL asks for (`?compare=`), null when none or unknown. */
export function compareFromParams(params: URLSearchParams): CompareMode | null {
  const v = params.get("compare");
  return isCompareMode(v) ? v : null;
}

/** Decimals of a published change fraction. */
export const CHANGE_DECIMALS = 4;

/**
 * The period a report is compared with: `previous_period` is the period of the same length ending where this one
 * starts; `previous_year` the same calendar dates and wall-clock times one year earlier in `timeZone` (29 February
 * becomes 28 February).
 */
export function comparePeriod(
  range: { from: Date; to: Date },
  mode: CompareMode,
  timeZone: string,
): { from: Date; to: Date } {
  if (mode === "previous_period") {
    const length = range.to.getTime() - range.from.getTime();
    return { from: new Date(range.from.getTime() - length), to: new Date(range.from.getTime()) };
  }
  const back = (d: Date) => new Date(subYears(new TZDate(d.getTime(), timeZone), 1).getTime());
  return { from: back(range.from), to: back(range.to) };
}

/** (current - previous) / previous, rounded half away from zero to 4 decimals; null where previous is 0. */
export function changeFraction(current: Decimal.Value, previous: Decimal.Value): number | null {
  const p = new Money(previous);
  if (p.isZero()) return null;
  const r = new Money(current).minus(p).dividedBy(p).toDecimalPlaces(CHANGE_DECIMALS, Decimal.ROUND_HALF_UP);
  return r.isZero() ? 0 : r.toNumber();
}
