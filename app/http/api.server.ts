import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { resolveApiKey } from "../data/api-keys.server";
import { env } from "../env.server";
import { apiKeyActor } from "../data/audit.server";
import { log } from "../logger.server";
import { ApiError, errorResponse, unauthorized } from "./errors";
import { checkRateLimit } from "./rate-limit.server";

export type ApiShop = NonNullable<Awaited<ReturnType<typeof resolveApiKey>>>["shop"];

export interface ApiContext {
  request: Request;
  params: Record<string, string | undefined>;
  shop: ApiShop;
  /** Who is calling, for the audit trail: `api-key:<prefix>`. */
  actor: string;
}

/** `Authorization: Bearer <key>` -> the key's shop; 401 otherwise. */
export async function authenticateApiKey(request: Request) {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized();
  const resolved = await resolveApiKey(match[1]!);
  if (!resolved) throw unauthorized("The API key is unknown or revoked, or its shop has uninstalled the app.");
  return resolved;
}

/** Maps any thrown error to the contract's error body; unexpected errors become a 500 that leaks nothing. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof ApiError) return errorResponse(capDetails(error));
  if (error instanceof Response) return error;
  // PostgreSQL refused a value itself (SQLSTATE class 22, e.g. a sum beyond NUMERIC(19,4)): the client's data, not us.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("22")) {
    return errorResponse(
      new ApiError("invalid_request", "A value is out of the range the app can store; nothing was stored.", [
        { path: "body", message: `rejected by the database (SQLSTATE ${code})` },
      ]),
    );
  }
  log.error("unhandled error in API route", { error });
  return errorResponse(new ApiError("internal_error", "Something went wrong on our side; it was logged."));
}

/**
 * At most ERROR_DETAILS_MAX details in a body (a 5 MB batch of bad items must not become a larger answer); the
 * message then says how many there were.
 */
function capDetails(error: ApiError): ApiError {
  const max = env().ERROR_DETAILS_MAX;
  if (error.details.length <= max) return error;
  return new ApiError(
    error.code,
    `${error.message} (${error.details.length} problems; the first ${max} are listed.)`,
    error.details.slice(0, max),
    error.headers,
  );
}

type Handler = (ctx: ApiContext) => Promise<Response>;

/**
 * Wraps a public API route: authentication, rate limit, method check and error mapping, the same on every route.
 * `methods` maps an HTTP method to its handler; other methods get 405.
 */
export function apiRoute(methods: Partial<Record<"GET" | "POST" | "PUT" | "DELETE", Handler>>) {
  const handle = async ({ request, params }: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> => {
    try {
      const { keyId, prefix, shop } = await authenticateApiKey(request);
      const handler = methods[request.method.toUpperCase() as keyof typeof methods];
      if (!handler) {
        throw new ApiError("method_not_allowed", `${request.method} is not allowed here.`, [], {
          Allow: Object.keys(methods).join(", "),
        });
      }
      await checkRateLimit(keyId);
      return await handler({ request, params, shop, actor: apiKeyActor(prefix) });
    } catch (error) {
      return toErrorResponse(error);
    }
  };
  return { loader: handle, action: handle };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(
    JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    { status, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } },
  );
}
