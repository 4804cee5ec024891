/**
 * Safe JSON parsing for ingest bodies.
 *
 * - Every JSON number becomes a `JsonNumber` that keeps the number's exact source text, so ids larger than 2^53
 *   (Shopify's `820982911946154508`) and money (`41.94`, `1e400`) are never rounded through a float. It relies on
 *   the "JSON.parse source text access" proposal (the reviver's third argument `{source}`), shipped in V8 / Node 22+;
 *   Node 24 (the project's runtime) has it. `assertJsonSourceSupport()` fails loudly on a runtime without it.
 * - Size and nesting depth are checked before parsing, so a hostile body cannot exhaust the stack or memory.
 * - Never throws on bad input: returns `{ok: false, errors: [{path: "", message}]}`.
 */
import type { ErrorDetail } from "../domain/validation";

/** A JSON number with its exact source text (`"820982911946154508"`, `"41.94"`, `"1e400"`). */
export class JsonNumber {
  constructor(readonly source: string) {}

  /** The nearest float. Only for values known to be small (counts, flags), never for ids or money. */
  get value(): number {
    return Number(this.source);
  }

  /** Re-serialises to the exact same source text with `JSON.stringify`. */
  toJSON(): unknown {
    const raw = (JSON as unknown as { rawJSON?: (s: string) => unknown }).rawJSON;
    return raw ? raw(this.source) : this.source;
  }

  toString(): string {
    return this.source;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonParseOptions {
  /** Largest accepted body in bytes (UTF-8). Default 5 MB (docs/openapi.json: bodies over 5 MB get 413). */
  maxBytes?: number;
  /** Deepest accepted nesting of arrays/objects. Default 64. */
  maxDepth?: number;
}

export type JsonParseResult = { ok: true; value: JsonValue } | { ok: false; errors: ErrorDetail[]; tooLarge?: boolean };

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 64;

let sourceSupport: boolean | null = null;

/** True when `JSON.parse` hands the reviver the number's source text (Node >= 22). */
export function jsonSourceSupported(): boolean {
  if (sourceSupport === null) {
    try {
      const probe = JSON.parse("[9007199254740993]", ((_k: string, v: unknown, ctx?: { source?: string }) =>
        typeof v === "number" ? (ctx?.source ?? null) : v) as (k: string, v: unknown) => unknown) as unknown[];
      sourceSupport = probe[0] === "9007199254740993";
    } catch {
      sourceSupport = false;
    }
  }
  return sourceSupport;
}

export function assertJsonSourceSupport(): void {
  if (!jsonSourceSupported()) {
    throw new Error("This runtime's JSON.parse does not expose number source text (needs Node >= 22).");
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes a body to a string: rejects invalid UTF-8, strips a leading BOM. */
export function bodyToString(body: string | Uint8Array): { ok: true; text: string } | { ok: false; message: string } {
  if (typeof body === "string") return { ok: true, text: body.charCodeAt(0) === 0xfeff ? body.slice(1) : body };
  try {
    return { ok: true, text: decoder.decode(body) }; // TextDecoder drops the BOM by default
  } catch {
    return { ok: false, message: "body is not valid UTF-8" };
  }
}

export function byteLength(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
}

/** Maximum nesting depth of `[`/`{` outside strings (a linear scan; the text need not be valid JSON). */
export function nestingDepth(text: string, stopAbove = Infinity): number {
  return scanJson(text, stopAbove).depth;
}

/**
 * One linear scan of a JSON text (valid or not): the maximum nesting depth of `[`/`{` outside strings (stops counting
 * above `stopAbove`), and whether any character outside strings can start a number (`-` or a digit).
 */
export function scanJson(text: string, stopAbove = Infinity): { depth: number; numbers: boolean } {
  let depth = 0;
  let max = 0;
  let numbers = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return { depth: max, numbers };
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) numbers = true;
  }
  return { depth: max, numbers };
}

function reviver(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === "number") return new JsonNumber(context?.source ?? String(value));
  return value;
}

/** Parses a JSON body, numbers as `JsonNumber`. */
export function parseJson(body: string | Uint8Array, options: JsonParseOptions = {}): JsonParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (byteLength(body) > maxBytes) {
    return { ok: false, tooLarge: true, errors: [{ path: "", message: `body is larger than ${maxBytes} bytes` }] };
  }
  const decoded = bodyToString(body);
  if (!decoded.ok) return { ok: false, errors: [{ path: "", message: decoded.message }] };
  const text = decoded.text;
  if (text.trim() === "") return { ok: false, errors: [{ path: "", message: "body is empty" }] };
  const scan = scanJson(text, maxDepth);
  if (scan.depth > maxDepth) {
    return { ok: false, errors: [{ path: "", message: `JSON nesting is deeper than ${maxDepth}` }] };
  }
  assertJsonSourceSupport();
  try {
    // The reviver only wraps numbers (and makes JSON.parse several times slower): a text with no number outside its
    // strings parses to the same value without it.
    const value = (
      scan.numbers ? JSON.parse(text, reviver as (k: string, v: unknown) => unknown) : JSON.parse(text)
    ) as JsonValue;
    return { ok: true, value };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [{ path: "", message: `invalid JSON: ${detail}` }] };
  }
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** `["events", 3, "occurred_at"]` -> `events[3].occurred_at`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ""): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
