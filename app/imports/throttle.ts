/**
 * GraphQL Admin API cost throttling (pure): Shopify answers every call with `extensions.cost` —
 * `requestedQueryCost`, `actualQueryCost` and `throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}`
 * (a leaky bucket refilled by `restoreRate` points a second). A call beyond the bucket gets a `THROTTLED` error.
 * We wait until the bucket holds the next call's cost instead of hammering.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost?: number | null;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus | null;
}

/** Milliseconds to wait before a call of `cost` points can run, given the last throttle status (0 = go now). */
export function waitForCost(cost: number, status: ThrottleStatus | null | undefined): number {
  if (!status || !(status.restoreRate > 0)) return 0;
  const needed = Math.min(cost, status.maximumAvailable) - status.currentlyAvailable;
  if (needed <= 0) return 0;
  return Math.ceil((needed / status.restoreRate) * 1000);
}

/** Wait after a THROTTLED answer: until the bucket holds the requested cost, at least one restore tick (1 s). */
export function waitAfterThrottled(cost: QueryCost | null | undefined, attempt: number): number {
  const requested = cost?.requestedQueryCost ?? 0;
  const computed = waitForCost(requested, cost?.throttleStatus);
  // No cost information: exponential backoff, 1 s doubling, at most 60 s.
  const fallback = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.max(1000, computed || fallback);
}
