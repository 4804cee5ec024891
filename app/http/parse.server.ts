import { invalid, type ErrorDetail } from "./errors";
import { readBody } from "./body.server";

type Parsed<T> = ({ ok: true } & T) | { ok: false; errors: ErrorDetail[] };

/**
 * Reads a JSON body (415 unless application/json, 413 over 5 MB) and runs a parser from `app/ingest/`;
 * a parse failure becomes 400 invalid_request naming each bad field.
 */
export async function parseJsonBody<T extends object>(request: Request, parse: (raw: Buffer) => Parsed<T>): Promise<T> {
  const raw = await readBody(request, ["application/json"]);
  const result = parse(raw);
  if (!result.ok) {
    throw invalid(
      result.errors.map((e) => ({ path: e.path || "body", message: e.message })),
      result.errors.length === 1 && !result.errors[0]!.path
        ? `The body is invalid: ${result.errors[0]!.message}.`
        : "The request has invalid fields; nothing was stored.",
    );
  }
  return result as T;
}
