/**
 * Shared pieces of the ingest parsers: result shapes, strict value parsers (ISO dates with offset, unix timestamps,
 * decimal money, exact ids), zod helpers working on `parseJson` output (numbers are `JsonNumber`), query-parameter
 * and campaign-field resolution, constant-time comparison. Pure: no I/O.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Channel, EventSource, MessageEventInput } from "../domain/types";
import type { ErrorDetail } from "../domain/validation";
import { JsonNumber, type JsonObject, type JsonValue, bodyToString, formatPath, isJsonObject } from "./json";

export type { ErrorDetail } from "../domain/validation";

/** `tooLarge`: the body exceeded the size limit (API.md: answer 413 rather than 400). */
export type Failure = { ok: false; errors: ErrorDetail[]; tooLarge?: boolean };
export type Result<T extends object> = ({ ok: true } & T) | Failure;

export function fail(path: string, message: string): Failure {
  return { ok: false, errors: [{ path, message }] };
}

export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined | null>;
export type HeadersInput = Record<string, string | string[] | undefined | null>;

/** The raw pieces of an HTTP request, as every parser takes them. Header names lower-cased. */
export interface IngestRequest {
  rawBody: string | Uint8Array;
  headers?: HeadersInput;
  /** The full request URL as the sender addressed it (scheme, host, path, query). */
  url?: string;
  /** Query parameters; derived from `url` when absent. */
  query?: QueryInput;
  /** When the request arrived (Twilio callbacks carry no event time). Default: now. */
  receivedAt?: Date;
}

export function header(headers: HeadersInput | undefined, name: string): string | null {
  if (!headers) return null;
  const v = headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

export function queryOf(req: Pick<IngestRequest, "query" | "url">): QueryInput | undefined {
  if (req.query) return req.query;
  if (req.url) {
    try {
      return new URL(req.url, "http://localhost").searchParams;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** First non-empty value of a query parameter. */
export function queryGet(q: QueryInput | undefined, name: string): string | null {
  if (!q) return null;
  if (q instanceof URLSearchParams) {
    for (const v of q.getAll(name)) if (v.trim() !== "") return v.trim();
    return null;
  }
  const v = q[name];
  const list = Array.isArray(v) ? v : v == null ? [] : [v];
  for (const s of list) if (typeof s === "string" && s.trim() !== "") return s.trim();
  return null;
}

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

// ---------------------------------------------------------------------------------------------------------------
// zod helpers for parseJson output

type Ctx = { issues: { push(issue: { code: "custom"; message: string; input: unknown }): void } };

function issue(ctx: Ctx, input: unknown, message: string): typeof z.NEVER {
  ctx.issues.push({ code: "custom", message, input });
  return z.NEVER;
}

/**
 * `z.object` for `parseJson` output. Numbers there are `JsonNumber` instances, and `z.object` takes any non-array
 * object: `"customer": 5` passed as an empty customer. A number is handed on as a plain number, so it is refused
 * as "expected object, received number".
 */
export const zObject = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.preprocess((v) => (v instanceof JsonNumber ? v.value : v), z.object(shape));

/** Required unless wrapped with `.optional()`/`.nullish()`. */
export const zId = (max = MAX_ID) =>
  z
    .unknown()
    .transform((v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      const r = parseId(v, max);
      return typeof r === "string" ? r : issue(ctx, v, r.error);
    })
    .meta({ type: ["string", "integer"], description: `an id: a string of 1 to ${max} characters, or an integer` });

export const zMoney = () =>
  z
    .unknown()
    .transform((v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string" && !(v instanceof JsonNumber)) {
        return issue(ctx, v, `expected a decimal string or number, received ${describe(v)}`);
      }
      const r = parseMoney(v);
      return typeof r === "string" ? r : issue(ctx, v, r.error);
    })
    .meta({
      type: ["string", "number"],
      description: "a decimal amount >= 0, as a string (preferred) or a number",
      examples: ["12.50"],
    });

export const zIsoDate = () =>
  z
    .unknown()
    .transform((v, ctx): Date => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected an ISO 8601 date-time string, received ${describe(v)}`);
      const r = parseIsoDate(v);
      return typeof r === "string" ? issue(ctx, v, r) : r;
    })
    .meta({
      type: "string",
      format: "date-time",
      description: "ISO 8601 with an offset",
      examples: ["2026-11-01T10:00:00Z"],
    });

export const zUnixTime = (allowMillis = false) =>
  z.unknown().transform((v, ctx): Date => {
    if (v === undefined || v === null) return issue(ctx, v, "is required");
    let src: string;
    if (v instanceof JsonNumber) src = v.source;
    else if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v)) src = v;
    else return issue(ctx, v, `expected a unix timestamp, received ${describe(v)}`);
    const r = parseUnixTime(src, allowMillis);
    return typeof r === "string" ? issue(ctx, v, r) : r;
  });

/** A string of 1..max characters (after trimming when `trim`). */
export const zStr = (max = MAX_TEXT, opts: { trim?: boolean; allowEmpty?: boolean } = {}) =>
  z
    .unknown()
    .transform((v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected a string, received ${describe(v)}`);
      const s = opts.trim === false ? v : v.trim();
      if (s === "" && !opts.allowEmpty) return issue(ctx, v, "must not be empty");
      if (s.length > max) return issue(ctx, v, `must be at most ${max} characters`);
      if (s.includes("\u0000")) return issue(ctx, v, NUL_MESSAGE);
      return s;
    })
    .meta({ type: "string", maxLength: max });

/** An optional text field: absent, null and blank become `null`; otherwise a string of at most `max` characters. */
export const zOptStr = (max = MAX_TEXT) =>
  z
    .unknown()
    .transform((v, ctx): string | null => {
      if (v === undefined || v === null) return null;
      if (typeof v !== "string") return issue(ctx, v, `expected a string, received ${describe(v)}`);
      const s = v.trim();
      if (s === "") return null;
      if (s.length > max) return issue(ctx, v, `must be at most ${max} characters`);
      if (s.includes("\u0000")) return issue(ctx, v, NUL_MESSAGE);
      return s;
    })
    .meta({ type: ["string", "null"], maxLength: max })
    .optional(); // an absent key is fine too (read the output with `?? null`)

/** ISO 4217 code, upper case (`USD`). */
export const zCurrency = () =>
  z
    .unknown()
    .transform((v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected a currency code string, received ${describe(v)}`);
      if (!/^[A-Z]{3}$/.test(v)) return issue(ctx, v, "must be an ISO 4217 currency code in upper case (e.g. USD)");
      return v;
    })
    .meta({ type: "string", pattern: "^[A-Z]{3}$", description: "ISO 4217, upper case", examples: ["USD"] });

export const zBool = () =>
  z
    .unknown()
    .transform((v, ctx): boolean => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "boolean") return issue(ctx, v, `expected a boolean, received ${describe(v)}`);
      return v;
    })
    .meta({ type: "boolean" });

/** Runs a zod schema over parseJson output and maps issues to `{path, message}` (paths like `events[3].occurred_at`). */
export function runSchema<T>(schema: z.ZodType<T, unknown>, data: unknown, prefix = ""): Result<{ data: T }> {
  const r = schema.safeParse(data, {
    error: (iss) => {
      if (iss.input === undefined) return "is required";
      if (iss.code === "invalid_type") return `expected ${iss.expected}, received ${describe(iss.input)}`;
      return undefined;
    },
  });
  if (r.success) return { ok: true, data: r.data };
  const errors: ErrorDetail[] = r.error.issues.map((i) => ({ path: formatPath(i.path, prefix), message: i.message }));
  return { ok: false, errors: dedupeErrors(errors) };
}

function dedupeErrors(errors: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reading loosely-typed provider payloads

/** A string, or a number's exact source text; anything else (objects, booleans) is null. */
export function scalarText(v: JsonValue | undefined, max = MAX_TEXT): string | null {
  if (typeof v === "string") {
    // PostgreSQL text cannot hold NUL: a provider's stray NUL is dropped rather than failing the whole delivery.
    const t = (v.includes("\u0000") ? v.replaceAll("\u0000", "") : v).trim();
    return t === "" || t.length > max ? null : t;
  }
  if (v instanceof JsonNumber) return v.source;
  return null;
}

export function objAt(v: JsonValue | undefined): JsonObject | null {
  return isJsonObject(v) ? v : null;
}

/** Strings of a string-or-array field (SendGrid `category`, Mailgun `tags`), trimmed, non-empty, bounded. */
export function stringList(v: JsonValue | undefined): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const item of list) {
    const s = scalarText(item, MAX_ID);
    if (s !== null && !out.includes(s)) out.push(s);
    if (out.length >= MAX_TAGS) break;
  }
  return out;
}

/** Lower-case word for a provider's event name: `Rendering Failure` -> `rendering_failure`. */
export function eventWord(raw: string): string {
  const w = raw
    .trim()
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 32);
  return w === "" ? "unknown" : w;
}

/**
 * The app's tracked-link parameter: links the app rewrites carry `cr_mid=<message id>` in their query string, so a
 * click (or a landing) can name its message even when the event itself carries no message id.
 */
import { TRACKED_LINK_PARAM } from "../domain/attribution";
export { TRACKED_LINK_PARAM };

export function messageIdFromTrackedUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const v = new URL(url, "http://localhost").searchParams.get(TRACKED_LINK_PARAM);
    if (v === null) return null;
    const t = v.trim();
    return t === "" || t.length > MAX_ID ? null : t;
  } catch {
    return null;
  }
}

export interface CampaignFields {
  campaignId: string;
  campaignName: string | null;
  messageId: string | null;
  /** The sender marked the recipient as held out of the campaign (its control group): the event is `held_out`. */
  heldOut: boolean;
}

/** The event type of a held-out recipient (ATTRIBUTION.md, "Holdouts"). */
export const HELD_OUT = "held_out";

/** A custom field's or query parameter's truth value: `true`, `1` or `yes` (any case). */
export function isTruthyFlag(v: string | null | undefined): boolean {
  return typeof v === "string" && /^(true|1|yes)$/i.test(v.trim());
}

/**
 * Campaign and message ids, in order of preference:
 * 1. the provider's custom fields named exactly `campaign_id`, `campaign_name`, `message_id`;
 * 2. query parameters of the same names on the ingest URL;
 * 3. the provider's native campaign fields / message id;
 * 4. campaign `<provider>:uncategorized`.
 * Applied field by field (a custom `campaign_id` with a native message id is fine). A custom field (else query
 * parameter) `held_out` set to true/1/yes marks the event as a held-out recipient's (docs/holdouts.md).
 */
export function resolveCampaign(args: {
  provider: EventSource;
  custom?: {
    campaign_id?: string | null;
    campaign_name?: string | null;
    message_id?: string | null;
    held_out?: string | null;
  };
  query?: QueryInput;
  native?: { campaignId?: string | null; campaignName?: string | null; messageId?: string | null };
}): CampaignFields {
  const { custom = {}, query, native = {} } = args;
  const pick = (...vals: (string | null | undefined)[]) => vals.find((v) => typeof v === "string" && v !== "") ?? null;
  const fromQuery = (name: string, max: number) => {
    const v = queryGet(query, name);
    return v !== null && v.length <= max ? v : null;
  };
  const ownId = pick(custom.campaign_id, fromQuery("campaign_id", MAX_ID));
  const ownName = pick(custom.campaign_name, fromQuery("campaign_name", MAX_TEXT));
  const nativeId = pick(native.campaignId);
  let campaignId: string;
  let campaignName: string | null;
  if (ownId !== null) {
    campaignId = ownId;
    // the native name describes the native id: use it only when both ids agree
    campaignName = ownName ?? (ownId === nativeId ? pick(native.campaignName) : null);
  } else if (nativeId !== null) {
    campaignId = nativeId;
    campaignName = ownName ?? pick(native.campaignName);
  } else {
    campaignId = `${args.provider}:uncategorized`;
    campaignName = ownName;
  }
  return {
    campaignId,
    campaignName,
    messageId: pick(custom.message_id, fromQuery("message_id", MAX_ID), native.messageId),
    heldOut: isTruthyFlag(custom.held_out) || (custom.held_out == null && isTruthyFlag(queryGet(query, "held_out"))),
  };
}

/** Custom-field value by exact name from a provider's metadata object (strings, or numbers as source text). */
export function customField(
  obj: JsonObject | null,
  name: "campaign_id" | "campaign_name" | "message_id" | "held_out",
): string | null {
  if (!obj) return null;
  return scalarText(obj[name], name === "campaign_name" ? MAX_TEXT : MAX_ID);
}

export function makeEvent(
  e: Omit<MessageEventInput, "tags" | "machine" | "url"> & Partial<MessageEventInput>,
): MessageEventInput {
  return { tags: [], machine: false, url: null, ...e };
}

export const EMAIL: Channel = "email";

// ---------------------------------------------------------------------------------------------------------------
// Crypto helpers

/** Constant-time string equality (lengths may differ: both sides are hashed first, so no early exit leaks). */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  const ba = typeof a === "string" ? Buffer.from(a, "utf8") : Buffer.from(a);
  const bb = typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
  return timingSafeEqual(ha, hb) && ba.length === bb.length;
}

/** The body as text (invalid UTF-8: null). */
export function bodyToStringSafe(body: string | Uint8Array): string | null {
  const r = bodyToString(body);
  return r.ok ? r.text : null;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
