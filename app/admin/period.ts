/**
 * The report period of the admin pages, kept in the URL (`?period=last30`, or `?period=custom&start=2026-03-01&end=2026-03-31`)
 * and read in the shop's IANA time zone: "today" is the shop's today, a day runs from the shop's midnight to the next.
 * `start`/`end` are calendar dates, both included; the range handed to the presenters is `[from, to)` in instants.
 * Pure (no I/O), shared by loaders and the picker.
 */
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

export const PERIOD_PRESETS = [
  { value: "today", label: "Today" },
  { value: "last7", label: "Last 7 days" },
  { value: "last30", label: "Last 30 days" },
  { value: "last90", label: "Last 90 days" },
  { value: "month", label: "This month" },
  { value: "custom", label: "Custom" },
] as const;
export type PeriodKey = (typeof PERIOD_PRESETS)[number]["value"];

export const DEFAULT_PERIOD: PeriodKey = "last30";
/** The longest custom period: about three years. */
export const MAX_PERIOD_DAYS = 1100;

export interface Period {
  key: PeriodKey;
  /** First day, YYYY-MM-DD in the shop's time zone. */
  start: string;
  /** Last day (included). */
  end: string;
  from: Date;
  /** Excluded: the shop's midnight after `end`. */
  to: Date;
  days: number;
  timeZone: string;
  /** Set when the URL asked for something invalid (the default period is used instead). */
  error: string | null;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function midnight(date: string, timeZone: string): TZDate | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new TZDate(y, mo - 1, d, timeZone);
  // Reject dates that roll over (2026-02-31).
  if (format(t, "yyyy-MM-dd") !== date) return null;
  return t;
}

function build(
  key: PeriodKey,
  startDay: TZDate,
  endDay: TZDate,
  timeZone: string,
  error: string | null = null,
): Period {
  // Each day from its own midnight: a day whose midnight is skipped (DST at 00:00) starts later than the others,
  // so dates are moved as calendar dates and their midnight found again, never by adding days to an instant.
  const to = dayShift(endDay, 1, timeZone);
  const start = format(startDay, "yyyy-MM-dd");
  const end = format(endDay, "yyyy-MM-dd");
  const days = Math.round((Date.UTC(...ymd(end)) - Date.UTC(...ymd(start))) / 86_400_000) + 1;
  return { key, start, end, from: new Date(startDay.getTime()), to: new Date(to.getTime()), days, timeZone, error };
}

/** The shop's midnight `days` calendar days after `day`'s date. */
function dayShift(day: TZDate, days: number, timeZone: string): TZDate {
  const [y, m, d] = ymd(format(day, "yyyy-MM-dd"));
  const date = new Date(Date.UTC(y, m, d + days)).toISOString().slice(0, 10);
  return midnight(date, timeZone)!;
}

function ymd(date: string): [number, number, number] {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return [y, m - 1, d];
}

/** The period the URL asks for, in `timeZone`, relative to `now`. Invalid input falls back to the default, with `error`. */
export function resolvePeriod(params: URLSearchParams, timeZone: string, now: Date = new Date()): Period {
  const zone = validZone(timeZone) ? timeZone : "UTC";
  const todayStr = format(new TZDate(now.getTime(), zone), "yyyy-MM-dd");
  const today = midnight(todayStr, zone)!;
  const key = (params.get("period") ?? DEFAULT_PERIOD) as PeriodKey;
  const preset = (k: PeriodKey, error: string | null = null): Period => {
    switch (k) {
      case "today":
        return build(k, today, today, zone, error);
      case "last7":
        return build(k, dayShift(today, -6, zone), today, zone, error);
      case "last90":
        return build(k, dayShift(today, -89, zone), today, zone, error);
      case "month":
        return build(k, midnight(`${todayStr.slice(0, 8)}01`, zone)!, today, zone, error);
      default:
        return build("last30", dayShift(today, -29, zone), today, zone, error);
    }
  };
  if (key === "custom") {
    const start = midnight(params.get("start") ?? "", zone);
    const end = midnight(params.get("end") ?? "", zone);
    if (!start || !end) return preset(DEFAULT_PERIOD, "Choose a start and an end date (YYYY-MM-DD).");
    if (end.getTime() < start.getTime()) return preset(DEFAULT_PERIOD, "The end date is before the start date.");
    const p = build("custom", start, end, zone);
    if (p.days > MAX_PERIOD_DAYS)
      return preset(DEFAULT_PERIOD, `A period can be at most ${MAX_PERIOD_DAYS} days long.`);
    return p;
  }
  if (!PERIOD_PRESETS.some((p) => p.value === key)) return preset(DEFAULT_PERIOD, null);
  return preset(key);
}

/** Day buckets up to three months, weeks beyond. */
export function bucketFor(period: Pick<Period, "days">): "day" | "week" {
  return period.days <= 92 ? "day" : "week";
}

/** The URL parameters of a period (what links to other pages carry). */
export function periodParams(period: Pick<Period, "key" | "start" | "end">): Record<string, string> {
  return period.key === "custom" ? { period: "custom", start: period.start, end: period.end } : { period: period.key };
}

function validZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
