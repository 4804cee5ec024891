/**
 * Strict value parsers of the ingest parsers: limits, ISO dates with offset, unix timestamps, decimal money and exact
 * ids. Pure: no I/O.
 */
import { JsonNumber } from "./json";

// ---------------------------------------------------------------------------------------------------------------
// Limits

export const MAX_ID = 255;
export const MAX_TEXT = 1000;
export const MAX_URL = 4096;
export const MAX_TAGS = 100;
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

// ---------------------------------------------------------------------------------------------------------------
// Dates

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

function daysInMonth(y: number, m: number): number {
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    m - 1
  ];
  if (days === undefined) throw new RangeError(`daysInMonth: month ${m} is not 1..12`);
  return days;
}

/**
 * Strict ISO 8601 / RFC 3339 date-time WITH an offset (`Z` or `±hh:mm`): `2026-02-30T...` (impossible day),
 * `2026-01-01T10:00:00` (no offset), `2026-01-01` (no time) are refused. Fractions beyond milliseconds are truncated.
 */
export function parseIsoDate(s: string): Date | string {
  if (s.length > 40) return "is not an ISO 8601 date-time";
  const m = ISO_RE.exec(s);
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s))
      return "ISO 8601 date-time needs an offset (Z or ±hh:mm)";
    return "is not an ISO 8601 date-time with offset";
  }
  // Groups 1-5 are not optional in ISO_RE: a match always has them.
  const [y, mo, d, h, mi] = [m[1]!, m[2]!, m[3]!, m[4]!, m[5]!].map(Number) as [number, number, number, number, number];
  const sec = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  if (y < MIN_YEAR || y > MAX_YEAR) return `year must be between ${MIN_YEAR} and ${MAX_YEAR}`;
  if (mo < 1 || mo > 12) return "month out of range";
  if (d < 1 || d > daysInMonth(y, mo)) return "day does not exist in that month";
  if (h > 23 || mi > 59 || sec > 59) return "time of day out of range";
  let offsetMin = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 18 || om > 59) return "offset out of range";
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000);
}

function inRange(date: Date): boolean {
  const y = date.getUTCFullYear();
  return Number.isFinite(date.getTime()) && y >= MIN_YEAR && y <= MAX_YEAR;
}

/**
 * Unix time from exact source text (`1377075564.094891`, `1513299569`). With `allowMillis`, a value of 12 or more
 * integer digits (>= 1e11 s, year 5138) is read as milliseconds (SendGrid Single Sends).
 */
export function parseUnixTime(source: string, allowMillis = false): Date | string {
  const m = /^(\d{1,16})(?:\.(\d{1,9}))?$/.exec(source);
  if (!m?.[1]) return "is not a unix timestamp";
  const intPart = m[1].replace(/^0+(?=\d)/, "");
  let ms: number;
  if (allowMillis && intPart.length >= 12) ms = Number(intPart);
  else {
    if (intPart.length > 12) return "unix timestamp out of range";
    ms = Number(intPart) * 1000 + Number((m[2] ?? "").slice(0, 3).padEnd(3, "0"));
  }
  const date = new Date(ms);
  if (!inRange(date)) return `date must be between ${MIN_YEAR} and ${MAX_YEAR}`;
  return date;
}

// ---------------------------------------------------------------------------------------------------------------
// Money and ids

const MONEY_RE = /^(\d{1,15})(?:\.(\d{1,10}))?$/;

/** A non-negative decimal amount (`"12.50"`, `12.5`) as a canonical decimal string; never through a float. */
export function parseMoney(v: string | JsonNumber): string | { error: string } {
  const src = typeof v === "string" ? v : v.source;
  if (typeof v === "string" && src.trim() !== src) return { error: "must not have surrounding spaces" };
  if (src.startsWith("-")) return { error: "must be >= 0" };
  if (/[eE]/.test(src)) {
    return {
      error: typeof v === "string" ? "must be a plain decimal string" : "must be a plain decimal (no exponent)",
    };
  }
  const m = MONEY_RE.exec(src);
  if (!m) {
    if (/^\d+(\.\d+)?$/.test(src)) return { error: "amount too large or too precise" };
    return { error: "must be a decimal amount" };
  }
  const intPart = (m[1] ?? "").replace(/^0+(?=\d)/, "");
  return m[2] !== undefined ? `${intPart}.${m[2]}` : intPart;
}

/** Digits after the decimal point of a canonical decimal string. */
export function decimalPlaces(amount: string): number {
  const i = amount.indexOf(".");
  return i < 0 ? 0 : amount.length - i - 1;
}

/** PostgreSQL text cannot store NUL: such a value is refused by name instead of failing the write (a 500). */
export const NUL_MESSAGE = "must not contain NUL (\\u0000) characters";

/** An id given as a string or an integer number, as an exact string. */
export function parseId(v: unknown, max = MAX_ID): string | { error: string } {
  if (typeof v === "string") {
    const t = v.trim();
    if (t === "") return { error: "must not be empty" };
    if (t.length > max) return { error: `must be at most ${max} characters` };
    if (t.includes("\u0000")) return { error: NUL_MESSAGE };
    return t;
  }
  if (v instanceof JsonNumber) {
    if (!/^\d+$/.test(v.source)) return { error: "must be a non-negative integer or a string" };
    if (v.source.length > 40) return { error: "number too large" };
    return v.source;
  }
  if (typeof v === "bigint" && v >= 0n) return v.toString();
  return { error: `expected a string or an integer, received ${describe(v)}` };
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (v instanceof JsonNumber) return "number";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
