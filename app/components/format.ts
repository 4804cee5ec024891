/**
 * Display formatting for the admin pages, identical on the server and in the browser (fixed locale, explicit time
 * zone), so hydration never disagrees. Money arrives as decimal strings and is formatted as such: Intl.NumberFormat
 * formats a decimal string exactly, without going through a float.
 */
import { averageCheck, formatAmount, minorUnits } from "../domain/money";

const LOCALE = "en-US";

export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const digits = minorUnits(currency);
  try {
    return new Intl.NumberFormat(LOCALE, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** amount / count (e.g. revenue per message sent), divided in decimals and rounded like an average check; "—" for 0. */
export function formatMoneyPer(amount: string, count: number, currency: string): string {
  if (!count) return "—";
  return formatMoney(formatAmount(averageCheck(amount, count, currency), currency), currency);
}

const countFormat = new Intl.NumberFormat(LOCALE);
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : countFormat.format(n);
}

/** part / whole as "12.3%" (one decimal), "—" when whole is zero. Display only. */
export function formatShare(part: number, whole: number): string {
  if (!whole) return "—";
  const pct = (part / whole) * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Share of two decimal strings, for display ("37%"). */
export function formatMoneyShare(part: string, whole: string): string {
  return formatShare(Number(part), Number(whole));
}

export function formatDateTime(value: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(value));
}

/** "Mar 4, 2026" for a calendar date "2026-03-04" (no time zone shift: it is already a date in the shop's zone). */
export function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** "Mar 4" for axis labels. */
export function formatDayShort(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  sms: "SMS",
  push: "Push",
  whatsapp: "WhatsApp",
  telegram: "Telegram",
  viber: "Viber",
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}
