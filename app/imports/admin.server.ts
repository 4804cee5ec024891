/**
 * GraphQL Admin API calls of the import and reconciliation, made by the worker for a shop's stored offline session.
 * The session (and its token refresh) comes from the app's own Shopify client (`unauthenticated.admin`); the call
 * itself is a plain fetch so that cost throttling (`extensions.cost`, `THROTTLED`) is visible and handled here.
 */
import { API_VERSION, unauthenticated } from "../shopify.server";
import { log } from "../logger.server";
import { type QueryCost, waitAfterThrottled, waitForCost } from "./throttle";

export interface GraphqlError {
  message: string;
  extensions?: { code?: string } | null;
}

export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphqlError[] | string;
  extensions?: { cost?: QueryCost | null } | null;
}

export type AdminCall = <T>(query: string, variables?: Record<string, unknown>) => Promise<GraphqlResponse<T>>;

/** A failure that retrying cannot fix (no session, access denied): the run ends failed with this message. */
export class PermanentImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentImportError";
  }
}

export async function adminFor(shopDomain: string): Promise<AdminCall> {
  let token: string;
  try {
    const { session } = await unauthenticated.admin(shopDomain);
    token = session.accessToken ?? "";
  } catch (error) {
    throw new PermanentImportError(
      `No usable offline session for ${shopDomain} (${(error as Error).name}): open the app in Shopify admin to reinstall it.`,
    );
  }
  if (!token) throw new PermanentImportError(`No access token stored for ${shopDomain}: reinstall the app.`);
  const url = `https://${shopDomain}/admin/api/${API_VERSION}/graphql.json`;
  return async <T>(query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
    if (response.status === 401 || response.status === 403) {
      throw new PermanentImportError(
        `Shopify refused the Admin API call (${response.status}): the app's access was revoked or lacks a scope.`,
      );
    }
    if (response.status === 429) {
      return { errors: [{ message: "Too many requests", extensions: { code: "THROTTLED" } }] } as GraphqlResponse<T>;
    }
    if (!response.ok) throw new Error(`Admin API answered HTTP ${response.status}`);
    return (await response.json()) as GraphqlResponse<T>;
  };
}

export const isThrottled = (r: GraphqlResponse<unknown>) =>
  Array.isArray(r.errors) && r.errors.some((e) => e.extensions?.code === "THROTTLED");

export function errorText(r: GraphqlResponse<unknown>): string {
  if (typeof r.errors === "string") return r.errors;
  return (r.errors ?? []).map((e) => e.message).join("; ") || "no data";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One call that honours cost throttling: a THROTTLED answer waits until the bucket has refilled for the call's
 * cost and tries again (at most `maxAttempts` times); after a successful call, when the bucket is lower than what
 * the same call costs, it waits before returning so the next page does not get throttled. Never hammers.
 */
export async function throttledCall<T>(
  call: AdminCall,
  query: string,
  variables: Record<string, unknown>,
  options: { maxAttempts?: number; onWait?: (ms: number, reason: string) => void } = {},
): Promise<GraphqlResponse<T>> {
  const max = options.maxAttempts ?? 10;
  for (let attempt = 0; ; attempt++) {
    const r = await call<T>(query, variables);
    const cost = r.extensions?.cost ?? null;
    if (isThrottled(r)) {
      if (attempt + 1 >= max) throw new Error(`still throttled after ${max} attempts`);
      const ms = waitAfterThrottled(cost, attempt);
      options.onWait?.(ms, "throttled");
      log.info("admin api throttled; waiting", { ms, attempt });
      await sleep(ms);
      continue;
    }
    const next = waitForCost(cost?.actualQueryCost ?? cost?.requestedQueryCost ?? 0, cost?.throttleStatus);
    if (next > 0) {
      options.onWait?.(next, "bucket low");
      await sleep(next);
    }
    return r;
  }
}
