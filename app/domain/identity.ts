/**
 * Identity keys (docs/attribution.md, "Matching an order to a recipient"): email trimmed and lower-cased,
 * phone in E.164, customer id as a string. An order matches a message when any key of one kind is equal.
 *
 * Phone rule, in order:
 *  1. libphonenumber-js parses the text (with the optional default country; without one, only numbers with
 *     a `+` country code, or a leading international `00`, which is read as `+`). When the result is a
 *     *possible* number its E.164 form is taken, even when libphonenumber calls it invalid (the fictional
 *     555-01xx range of worked example 8 is "possible but invalid"). Extensions are dropped.
 *  2. Otherwise the docs/attribution.md rule: when the text holds only digits, `+` (leading), spaces, dashes, dots,
 *     slashes and parentheses, the result is `+` followed by its digits (a leading `00` dropped), provided
 *     there are 3 to 15 digits. So a national number without a country code and without a default country
 *     becomes `+<digits>`: not a true E.164 number, but the same text on both sides still matches.
 *  3. Anything else (letters, too few or too many digits, empty) is no phone key: null.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import type { Channel, OrderInput, RecipientInput, RecipientKeys } from "./types";

/** Trimmed and lower-cased; null when empty or not shaped like `local@domain` (no spaces, one `@`). */
export function normalizeEmail(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const s = raw.trim().toLowerCase();
  if (s === "" || s.length > 320) return null;
  if (!/^[^\s@]+@[^\s@]+$/.test(s)) return null;
  return s;
}

const PHONE_CHARS_RE = /^\+?[\d\s\-.()/]+$/;

/**
 * Results of recent phone texts: parsing one costs ~20 µs (libphonenumber's metadata walk) and a recipient's phone
 * arrives once per event of a message (sent, delivered, clicked...), so an SMS batch parses the same text several
 * times. The rule is a pure function of (text, default country), so a cached answer is the same answer. The cache is
 * cleared when full and a minute after its first entry: bounded memory, and phone numbers (personal data) stay in a
 * process's memory for about a minute at most (docs/privacy-and-secrets.md).
 */
const PHONE_CACHE_MAX = 10_000;
const PHONE_CACHE_MS = 60_000;
const phoneCache = new Map<string, string | null>();
let phoneCacheTimer: ReturnType<typeof setTimeout> | undefined;

/** E.164 phone key, or null. See the module comment for the exact rule. */
export function normalizePhone(raw: unknown, defaultCountry?: CountryCode | null): string | null {
  if (typeof raw === "number" && Number.isSafeInteger(raw) && raw > 0) raw = `+${raw}`;
  if (typeof raw !== "string") return null;
  if (raw.length > 256) return phoneKey(raw, defaultCountry);
  const cacheKey = `${defaultCountry ?? ""}\u0000${raw}`;
  const hit = phoneCache.get(cacheKey);
  if (hit !== undefined) return hit;
  const key = phoneKey(raw, defaultCountry);
  if (phoneCache.size >= PHONE_CACHE_MAX) phoneCache.clear();
  phoneCache.set(cacheKey, key);
  if (phoneCacheTimer === undefined) {
    // Emptied a minute after its first entry, whether or not more phones arrive (unref: never keeps a process up).
    phoneCacheTimer = setTimeout(() => {
      phoneCache.clear();
      phoneCacheTimer = undefined;
    }, PHONE_CACHE_MS);
    (phoneCacheTimer as { unref?: () => void }).unref?.();
  }
  return key;
}

function phoneKey(raw: string, defaultCountry?: CountryCode | null): string | null {
  let s = raw.trim();
  if (s === "") return null;
  if (!defaultCountry && /^00[1-9]/.test(s.replace(/[\s\-.()/]/g, ""))) {
    s = "+" + s.replace(/[\s\-.()/]/g, "").slice(2);
  }
  try {
    const parsed = parsePhoneNumberFromString(
      s,
      defaultCountry ? { defaultCountry, extract: false } : { extract: false },
    );
    if (parsed && parsed.isPossible()) return parsed.number;
  } catch {
    // fall through to the plain rule
  }
  if (!PHONE_CHARS_RE.test(s)) return null;
  let digits = s.replace(/\D/g, "");
  if (!s.startsWith("+") && digits.startsWith("00")) digits = digits.slice(2);
  if (digits.length < 3 || digits.length > 15) return null;
  return `+${digits}`;
}

const GID_RE = /^gid:\/\/shopify\/Customer\/(.+)$/;

/**
 * The customer id as a string: numbers (safe integers) in decimal, strings trimmed, a Shopify GraphQL id
 * `gid://shopify/Customer/123` reduced to `123` so REST and GraphQL ids match. Null when empty.
 */
export function normalizeCustomerId(raw: unknown): string | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? String(raw) : null;
  if (typeof raw === "bigint") return raw.toString();
  if (typeof raw !== "string") return null;
  let s = raw.trim();
  const gid = GID_RE.exec(s);
  if (gid?.[1] !== undefined) s = gid[1].trim();
  return s === "" ? null : s;
}

export interface IdentityOptions {
  /** Country for phone numbers written without a country code. */
  defaultCountry?: CountryCode | null;
}

/** A recipient's normalised keys. */
export function recipientKeys(input: RecipientInput | null | undefined, options: IdentityOptions = {}): RecipientKeys {
  return {
    email: normalizeEmail(input?.email),
    phone: normalizePhone(input?.phone, options.defaultCountry),
    customerId: normalizeCustomerId(input?.customerId),
  };
}

/** Several keys of each kind (an order has two emails and phones; a message gathers keys from all its events). */
export interface KeySet {
  emails: string[];
  phones: string[];
  customerIds: string[];
}

function uniqSorted(xs: Iterable<string | null | undefined>): string[] {
  const set = new Set<string>();
  for (const x of xs) if (x) set.add(x);
  return [...set].sort();
}

/** An order's keys: its `email`, `phone`, `customer.email`, `customer.phone` and `customer.id`. */
export function orderKeys(
  order: Pick<OrderInput, "email" | "phone" | "customer">,
  options: IdentityOptions = {},
): KeySet {
  return {
    emails: uniqSorted([normalizeEmail(order.email), normalizeEmail(order.customer?.email)]),
    phones: uniqSorted([
      normalizePhone(order.phone, options.defaultCountry),
      normalizePhone(order.customer?.phone, options.defaultCountry),
    ]),
    customerIds: uniqSorted([normalizeCustomerId(order.customer?.id)]),
  };
}

/** The union of several recipients' keys. */
export function mergeKeys(keys: Iterable<RecipientKeys | KeySet>): KeySet {
  const emails: string[] = [];
  const phones: string[] = [];
  const customerIds: string[] = [];
  for (const k of keys) {
    const s = toKeySet(k);
    emails.push(...s.emails);
    phones.push(...s.phones);
    customerIds.push(...s.customerIds);
  }
  return {
    emails: uniqSorted(emails),
    phones: uniqSorted(phones),
    customerIds: uniqSorted(customerIds),
  };
}

export function toKeySet(k: RecipientKeys | KeySet): KeySet {
  if ("emails" in k) return k;
  return {
    emails: k.email ? [k.email] : [],
    phones: k.phone ? [k.phone] : [],
    customerIds: k.customerId ? [k.customerId] : [],
  };
}

function intersects(a: string[], b: string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const set = new Set(a);
  return b.some((x) => set.has(x));
}

/** True when any key of one kind is equal on both sides (keys must already be normalised). */
export function keysMatch(order: RecipientKeys | KeySet, message: RecipientKeys | KeySet): boolean {
  const a = toKeySet(order);
  const b = toKeySet(message);
  return intersects(a.emails, b.emails) || intersects(a.phones, b.phones) || intersects(a.customerIds, b.customerIds);
}

/** Prefixed strings for indexing: `e:<email>`, `p:<phone>`, `c:<customer id>`. */
export function indexKeys(k: RecipientKeys | KeySet): string[] {
  const s = toKeySet(k);
  return [...s.emails.map((x) => `e:${x}`), ...s.phones.map((x) => `p:${x}`), ...s.customerIds.map((x) => `c:${x}`)];
}

const PHONE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(["sms", "whatsapp", "viber", "telegram"]);

/**
 * The recipient key of a message id derived for an event without `message_id`
 * (`campaign_id:channel:recipient key`): the channel's own kind first (email for `email`; phone for sms,
 * whatsapp, viber and telegram; customer id for push), then email, phone, customer id. "" when none.
 */
export function recipientKeyFor(channel: Channel, k: RecipientKeys): string {
  const order: (string | null)[] =
    channel === "email"
      ? [k.email, k.phone, k.customerId]
      : PHONE_CHANNELS.has(channel)
        ? [k.phone, k.email, k.customerId]
        : [k.customerId, k.email, k.phone];
  return order.find((x): x is string => !!x) ?? "";
}
