/**
 * Turns zod errors into the API's error details: `[{path: "channels.email.window_hours", message}]`,
 * with brackets for array indexes (`events[3].occurred_at`). Used for every request body and query.
 */
import type { z } from "zod";

/**
 * One bad field, the one detail shape of the whole app: zod validation, the ingest parsers, the API error body
 * (`{"error": {"details": [{path, message}]}}`, app/http/errors.ts) and the settings forms all use it.
 */
export interface ErrorDetail {
  /**
   * Dotted path (`events[3].occurred_at`); array indexes in brackets; keys that are not identifiers as
   * `["odd key"]`; "" for the whole value (the body).
   */
  path: string;
  message: string;
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `["events", 3, "occurred_at"]` -> `events[3].occurred_at`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "symbol") out += `[${String(seg.description ?? "symbol")}]`;
    else if (IDENT_RE.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * One detail per problem. An unknown key in a strict object becomes one detail per key, at that key's
 * path (`channels.emial: Unknown field`). Details are in the order zod reports them, duplicates removed.
 */
export function zodErrorDetails(error: z.core.$ZodError | { issues: readonly z.core.$ZodIssue[] }): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  const push = (path: readonly PropertyKey[], message: string) => {
    const d = { path: formatPath(path), message };
    const k = `${d.path}\u0000${d.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) push([...issue.path, key], "Unknown field");
    } else {
      push(issue.path, issue.message);
    }
  }
  return out;
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; details: ErrorDetail[] };

/** `schema.safeParse` with the error already turned into details. */
export function parseWithDetails<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, details: zodErrorDetails(r.error) };
}
