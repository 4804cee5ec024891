import type { ErrorDetail } from "../domain/validation";

/**
 * The one error body of the public contract (docs/openapi.json, "Errors, everywhere"):
 * {"error": {"code": "...", "message": "...", "details": [...]}}.
 */
export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "service_unavailable"
  | "internal_error";

export type { ErrorDetail };

const statusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  internal_error: 500,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = statusOf[code];
  }
}

export function errorResponse(error: ApiError): Response {
  return new Response(JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } }), {
    status: error.status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...error.headers },
  });
}

export const invalid = (details: ErrorDetail[], message = "The request is invalid.") =>
  new ApiError("invalid_request", message, details);
export const notFound = (what = "The resource") => new ApiError("not_found", `${what} was not found.`);
export const unauthorized = (message = "A valid API key is required: Authorization: Bearer <key>.") =>
  new ApiError("unauthorized", message);
