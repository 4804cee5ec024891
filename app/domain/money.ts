/**
 * Decimal money (docs/attribution.md, "Money"). No floating point: every amount is a decimal.js `Decimal`
 * created through `Money` (50 significant digits, so sums of millions of orders stay exact), and is
 * returned to clients as a decimal string with exactly the currency's minor units.
 *
 * Only division rounds (the average check), half away from zero (`ROUND_HALF_UP` in decimal.js).
 */
import Decimal from "decimal.js";

/** Decimal constructor used for all money: 50 significant digits, half away from zero. */
export const Money = Decimal.clone({
  precision: 50,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
});
export class MoneyError extends Error {
  override name = "MoneyError";
}

export interface ParseMoneyOptions {
  /** Accept amounts below zero. Default false. */
  allowNegative?: boolean;
  /** Most significant fraction digits (trailing zeros do not count: "1.500000" has 1). Default 4. */
  maxFractionDigits?: number;
  /** Most integer digits. Default 15. */
  maxIntegerDigits?: number;
}

const DECIMAL_RE = /^[+-]?\d+(\.\d+)?$/;

/**
 * Strictly parses a money amount: a decimal string ("12.50", "-3", "0.1000") or a finite number.
 * Rejected: empty strings, exponents in strings ("1e3"), hex, "NaN"/"Infinity", separators ("1,000"),
 * a bare "." or "5.", negatives unless allowed, too many fraction or integer digits.
 * Surrounding whitespace is trimmed. Numbers are read through their shortest round-trip decimal form
 * (`0.1` is exactly "0.1").
 */
export function parseMoney(input: unknown, options: ParseMoneyOptions = {}): Decimal {
  const { allowNegative = false, maxFractionDigits = 4, maxIntegerDigits = 15 } = options;
  let d: Decimal;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new MoneyError("must be a finite number");
    d = new Money(String(input));
  } else if (typeof input === "string") {
    const s = input.trim();
    if (!DECIMAL_RE.test(s)) throw new MoneyError("must be a decimal number such as 12.50");
    d = new Money(s);
  } else if (Decimal.isDecimal(input)) {
    d = new Money(input as Decimal);
  } else {
    throw new MoneyError("must be a decimal string or a number");
  }
  if (d.isNegative() && !d.isZero() && !allowNegative) throw new MoneyError("must not be negative");
  if (d.decimalPlaces() > maxFractionDigits) {
    throw new MoneyError(`must have at most ${maxFractionDigits} decimal places`);
  }
  if (d.abs().truncated().toFixed(0).length > maxIntegerDigits) throw new MoneyError("is too large");
  if (d.isZero()) d = new Money(0); // no "-0"
  return d;
}

/** As `parseMoney`, without throwing: null when the input is not a valid amount. */
export function tryParseMoney(input: unknown, options?: ParseMoneyOptions): Decimal | null {
  try {
    return parseMoney(input, options);
  } catch (e) {
    if (e instanceof MoneyError) return null;
    throw e;
  }
}

/**
 * ISO 4217 minor units that differ from 2 (ISO's table, not CLDR's display digits: CLDR/Intl say 0 for
 * HUF and IQD and vary with the ICU version, so the table is fixed here).
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  // 0
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // 3
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // 4
  CLF: 4,
  UYW: 4,
};

/** The currency's minor units (ISO 4217): 2 unless listed (JPY 0, KWD 3, ...). Case-insensitive. */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/**
 * The amount as a decimal string with exactly the currency's minor units: "100.00" USD, "1000" JPY,
 * "1.500" KWD. An amount with more digits (not expected: only division rounds, and it rounds itself)
 * is rounded half away from zero. Never "-0.00".
 */
export function formatAmount(amount: Decimal.Value, currency: string): string {
  const d = new Money(amount);
  const units = minorUnits(currency);
  const rounded = d.toDecimalPlaces(units, Decimal.ROUND_HALF_UP);
  return (rounded.isZero() ? new Money(0) : rounded).toFixed(units);
}

/** revenue / purchases rounded half away from zero to the currency's minor units; 0 with no purchases. */
export function averageCheck(revenue: Decimal.Value, purchases: number, currency: string): Decimal {
  if (!Number.isInteger(purchases) || purchases < 0) throw new MoneyError("purchases must be a whole number >= 0");
  if (purchases === 0) return new Money(0);
  return new Money(revenue).dividedBy(purchases).toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
}

/** An order's refunded amount: the sum of its refunds, capped at its gross (and never below zero). */
export function capRefunded(gross: Decimal.Value, refunded: Decimal.Value): Decimal {
  const g = new Money(gross);
  const r = new Money(refunded);
  const capped = Decimal.min(r, g);
  return capped.isNegative() ? new Money(0) : new Money(capped);
}
