import { parseWithDetails, type ErrorDetail } from "../domain/validation";
import { settingsPatchSchema, type SettingsPatch } from "../domain/settings";
import { readText } from "./body.server";
import { invalid } from "./errors";
import { DEFAULT_MAX_DEPTH, nestingDepth } from "../ingest/json";

/**
 * The body of PUT /api/v1/settings and POST /api/v1/settings/preview: any subset of the settings, validated.
 * Throws the 400 error response naming each bad field.
 */
export async function readSettingsPatch(request: Request): Promise<SettingsPatch> {
  return parseSettingsPatch(await readSettingsBody(request));
}

/** A settings body as JSON: a JSON content type, bounded nesting, no NUL characters (400 naming the field otherwise). */
export async function readSettingsBody(request: Request): Promise<unknown> {
  const text = await readText(request, ["application/json"]);
  // The same nesting limit as every other JSON ingress: a hostile body must not exhaust the stack.
  if (nestingDepth(text, DEFAULT_MAX_DEPTH) > DEFAULT_MAX_DEPTH) {
    throw invalid([{ path: "body", message: `JSON nesting is deeper than ${DEFAULT_MAX_DEPTH}` }]);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid([{ path: "body", message: "not valid JSON" }], "The body is not valid JSON.");
  }
  const nul = nulPaths(body);
  if (nul.length) throw invalid(nul.map((path) => ({ path, message: "must not contain NUL (\\u0000) characters" })));
  return body;
}

/** Validates a settings subset; `extra` adds details found beside the schema (e.g. providers.ses). Throws the 400. */
export function parseSettingsPatch(body: unknown, extra: readonly ErrorDetail[] = []): SettingsPatch {
  const parsed = parseWithDetails(settingsPatchSchema, body);
  const details = [...(parsed.ok ? [] : parsed.details), ...extra];
  if (!parsed.ok || details.length) throw invalid(details.map((d) => ({ path: d.path || "body", message: d.message })));
  return parsed.data;
}

/** Paths of strings holding NUL, which PostgreSQL text cannot store (it would fail the write with a 500). */
function nulPaths(v: unknown, path = ""): string[] {
  if (typeof v === "string") return v.includes("\u0000") ? [path || "body"] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulPaths(x, `${path}[${i}]`));
  if (v && typeof v === "object") {
    return Object.entries(v).flatMap(([k, x]) => [
      ...(k.includes("\u0000") ? [path || "body"] : []),
      ...nulPaths(x, path ? `${path}.${k}` : k),
    ]);
  }
  return [];
}
