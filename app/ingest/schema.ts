/**
 * zod helpers working on `parseJson` output (numbers are `JsonNumber`), and `runSchema`, which maps zod issues to
 * `{path, message}` details. Pure: no I/O.
 */
import { z } from "zod";
import type { ErrorDetail } from "../domain/validation";
import type { Result } from "./common";
import { JsonNumber, formatPath } from "./json";
import { MAX_ID, MAX_TEXT, NUL_MESSAGE, describe, parseId, parseIsoDate, parseMoney, parseUnixTime } from "./scalars";

type Ctx = { issues: { push(issue: { code: "custom"; message: string; input: unknown }): void } };

function issue(ctx: Ctx, input: unknown, message: string): typeof z.NEVER {
  ctx.issues.push({ code: "custom", message, input });
  return z.NEVER;
}

/**
 * A field read by `fn` from any JSON value: a bare `z.transform`, not `z.unknown().transform(...)` (a pipe, which runs
 * a second schema and copies its result per field: half of an event's validation time, ADR 013 "Ingest throughput").
 * zod marks a bare transform as optional input, which only the JSON Schema reads (an absent key still reaches `fn`,
 * which reports "is required"); it is reset to what the pipe from `z.unknown()` had, so the OpenAPI document keeps
 * such fields in `required` and objects treat absent keys exactly as before. Chain nothing that clones the result
 * (`.meta()`, `.describe()`, `.refine()`: zod would mark the clone optional again; pass `meta` here instead) — the
 * OpenAPI check (`npm run openapi:check`) would show a field dropped from `required`.
 */
export function field<T>(fn: (v: unknown, ctx: Ctx) => T, meta?: z.core.GlobalMeta) {
  // `.meta()` returns a clone (constructed again, so optional again): reset after it.
  const t = meta ? z.transform(fn).meta(meta) : z.transform(fn);
  t._zod.optin = undefined;
  return t;
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
  field(
    (v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      const r = parseId(v, max);
      return typeof r === "string" ? r : issue(ctx, v, r.error);
    },
    { type: ["string", "integer"], description: `an id: a string of 1 to ${max} characters, or an integer` },
  );

export const zMoney = () =>
  field(
    (v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string" && !(v instanceof JsonNumber)) {
        return issue(ctx, v, `expected a decimal string or number, received ${describe(v)}`);
      }
      const r = parseMoney(v);
      return typeof r === "string" ? r : issue(ctx, v, r.error);
    },
    {
      type: ["string", "number"],
      description: "a decimal amount >= 0, as a string (preferred) or a number",
      examples: ["12.50"],
    },
  );

export const zIsoDate = () =>
  field(
    (v, ctx): Date => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected an ISO 8601 date-time string, received ${describe(v)}`);
      const r = parseIsoDate(v);
      return typeof r === "string" ? issue(ctx, v, r) : r;
    },
    {
      type: "string",
      format: "date-time",
      description: "ISO 8601 with an offset",
      examples: ["2026-11-01T10:00:00Z"],
    },
  );

export const zUnixTime = (allowMillis = false) =>
  field((v, ctx): Date => {
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
  field(
    (v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected a string, received ${describe(v)}`);
      const s = opts.trim === false ? v : v.trim();
      if (s === "" && !opts.allowEmpty) return issue(ctx, v, "must not be empty");
      if (s.length > max) return issue(ctx, v, `must be at most ${max} characters`);
      if (s.includes("\u0000")) return issue(ctx, v, NUL_MESSAGE);
      return s;
    },
    { type: "string", maxLength: max },
  );

/** An optional text field: absent, null and blank become `null`; otherwise a string of at most `max` characters. */
export const zOptStr = (max = MAX_TEXT) =>
  field(
    (v, ctx): string | null => {
      if (v === undefined || v === null) return null;
      if (typeof v !== "string") return issue(ctx, v, `expected a string, received ${describe(v)}`);
      const s = v.trim();
      if (s === "") return null;
      if (s.length > max) return issue(ctx, v, `must be at most ${max} characters`);
      if (s.includes("\u0000")) return issue(ctx, v, NUL_MESSAGE);
      return s;
    },
    { type: ["string", "null"], maxLength: max },
  ).optional(); // an absent key is fine too (read the output with `?? null`)

/** ISO 4217 code, upper case (`USD`). */
export const zCurrency = () =>
  field(
    (v, ctx): string => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "string") return issue(ctx, v, `expected a currency code string, received ${describe(v)}`);
      if (!/^[A-Z]{3}$/.test(v)) return issue(ctx, v, "must be an ISO 4217 currency code in upper case (e.g. USD)");
      return v;
    },
    { type: "string", pattern: "^[A-Z]{3}$", description: "ISO 4217, upper case", examples: ["USD"] },
  );

export const zBool = () =>
  field(
    (v, ctx): boolean => {
      if (v === undefined || v === null) return issue(ctx, v, "is required");
      if (typeof v !== "boolean") return issue(ctx, v, `expected a boolean, received ${describe(v)}`);
      return v;
    },
    { type: "boolean" },
  );

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
