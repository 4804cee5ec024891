/**
 * The Shopify Flow trigger "Order attributed to a campaign" (extensions/order-attributed-trigger): the worker's
 * `flow-drain` job tells Flow, with `flowTriggerReceive`, about each order whose campaign changed
 * (docs/decisions/014-admin-extensions-and-flow.md):
 *
 * - the outbox is filled by statement-level triggers on `attributions`, only for shops whose lifecycle callback said
 *   a workflow uses the trigger; the engine knows nothing of Flow;
 * - fired once per order and campaign: `flow_trigger_sent` keeps the campaign Flow was last told about, so a
 *   re-attribution that lands on the same campaign (or moves away and back before the drain) fires nothing;
 * - only for orders sold in the last FLOW_TRIGGER_WINDOW_DAYS days: a settings change that moves 100,000 old orders
 *   does not flood the merchant's workflows;
 * - throttled: at most FLOW_TRIGGER_PER_SECOND calls a second per shop, and it waits when the GraphQL Admin API's
 *   cost bucket runs low (`extensions.cost.throttleStatus`); a THROTTLED answer gives the rows back for a later run.
 */
import Decimal from "decimal.js";
import {
  claimFlowOutbox,
  clearFlowOutbox,
  dropFlowOutbox,
  flowOutboxSize,
  flowTriggerEnabled,
  markFlowSent,
  releaseFlowOutbox,
  type FlowCandidate,
} from "../data/flow.server";
import { findShopById } from "../data/shops.server";
import { getSettings } from "../data/settings.server";
import { formatAmount } from "../domain/money";
import { log } from "../logger.server";
import type { AdminGraphql } from "../shops/install.server";

/** The trigger's handle (extensions/order-attributed-trigger/shopify.extension.toml). */
export const FLOW_TRIGGER_HANDLE = "order-attributed";

export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }`;

export interface FlowDrainOptions {
  /** Orders older than this many days are not sent. */
  windowDays: number;
  /** Calls per second per shop at most. */
  perSecond: number;
  /** Outbox rows handled per run (the job re-queues itself while more remain). */
  batch: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface FlowDrainResult {
  sent: number;
  skipped: number;
  throttled: boolean;
  remaining: number;
}

const LEASE_SECONDS = 300;

/** A JSON number written exactly as `text` by JSON.stringify (Node >= 21: JSON.rawJSON). */
const rawJson = (text: string): unknown => (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(text);

/** The trigger's payload: the field keys of the extension's toml. */
export function flowPayload(c: FlowCandidate, currency: string) {
  const net = new Decimal(c.gross ?? 0).minus(c.refunded ?? 0);
  const orderId = Number(c.order_external_id);
  return {
    order_id: Number.isSafeInteger(orderId) ? orderId : c.order_external_id,
    "Campaign id": c.campaign_external_id ?? "",
    "Campaign name": c.campaign_name ?? c.campaign_external_id ?? "",
    Channel: c.channel ?? "",
    // number_decimal: the exact decimal text as a JSON number, never through a binary float.
    "Net revenue": rawJson(formatAmount(net, currency)),
    Currency: currency,
  };
}

interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface FlowAnswer {
  data?: { flowTriggerReceive?: { userErrors: { field?: string[] | null; message: string }[] } | null } | null;
  /** An array as Shopify sends it; the Admin API client's thrown error carries `{message, graphQLErrors}`. */
  errors?: unknown;
  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
}

type GraphqlError = { message: string; extensions?: { code?: string } };

function errorList(errors: unknown): GraphqlError[] {
  if (!errors) return [];
  if (Array.isArray(errors)) return errors as GraphqlError[];
  if (typeof errors === "string") return [{ message: errors }];
  const e = errors as { message?: string; graphQLErrors?: unknown };
  if (Array.isArray(e.graphQLErrors) && e.graphQLErrors.length) return e.graphQLErrors as GraphqlError[];
  return [{ message: e.message ?? JSON.stringify(errors) }];
}

/** Drains one shop's outbox (see the module comment). `graphql` is the shop's Admin API client. */
export async function drainFlowOutbox(
  shopId: bigint,
  graphql: AdminGraphql,
  opts: FlowDrainOptions,
): Promise<FlowDrainResult> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const result: FlowDrainResult = { sent: 0, skipped: 0, throttled: false, remaining: 0 };
  if (!(await flowTriggerEnabled(shopId))) {
    await clearFlowOutbox(shopId); // no workflow uses the trigger (any more): nothing owed
    return result;
  }
  const { settings } = await getSettings(shopId);
  const candidates = await claimFlowOutbox(shopId, opts.batch, LEASE_SECONDS);
  const oldest = now().getTime() - opts.windowDays * 86_400_000;
  const skip: string[] = [];
  const send: FlowCandidate[] = [];
  for (const c of candidates) {
    const changed = c.campaign_id !== null && c.campaign_id !== c.sent_campaign_id;
    if (changed && c.time_of_sale.getTime() >= oldest) send.push(c);
    else skip.push(c.order_id);
  }
  await dropFlowOutbox(skip);
  result.skipped = skip.length;

  const minGapMs = 1000 / opts.perSecond;
  let last = 0;
  for (let i = 0; i < send.length; i++) {
    const c = send[i]!;
    const wait = last + minGapMs - Date.now();
    if (wait > 0) await sleep(wait);
    last = Date.now();
    let httpStatus: number;
    let body: FlowAnswer;
    try {
      const response = await graphql(FLOW_TRIGGER_RECEIVE, {
        handle: FLOW_TRIGGER_HANDLE,
        payload: flowPayload(c, settings.currency),
      });
      httpStatus = response.status;
      body = (await response.json().catch(() => ({}))) as FlowAnswer;
    } catch (error) {
      // The Admin API client throws on GraphQL errors (e.g. THROTTLED), with Shopify's answer as `body`.
      const answer = (error as { body?: FlowAnswer } | null)?.body;
      if (!answer) {
        await releaseFlowOutbox(send.slice(i).map((s) => s.order_id));
        throw error;
      }
      httpStatus = 200;
      body = answer;
    }
    const errors = errorList(body.errors);
    if (httpStatus === 429 || errors.some((e) => e.extensions?.code === "THROTTLED")) {
      result.throttled = true;
      await releaseFlowOutbox(send.slice(i).map((s) => s.order_id));
      break;
    }
    if (httpStatus >= 300 || errors.length) {
      await releaseFlowOutbox(send.slice(i).map((s) => s.order_id));
      throw new Error(`flowTriggerReceive failed (${httpStatus}): ${errors.map((e) => e.message).join("; ")}`);
    }
    const userErrors = body.data?.flowTriggerReceive?.userErrors ?? [];
    if (userErrors.length) {
      // The payload itself was refused (e.g. the trigger is not deployed): retrying the same payload cannot help.
      log.warn("flowTriggerReceive refused the payload", {
        shopId: shopId.toString(),
        errors: userErrors.map((e) => e.message),
      });
      await dropFlowOutbox([c.order_id]);
      result.skipped += 1;
      continue;
    }
    await markFlowSent(shopId, c.order_id, c.campaign_id!);
    result.sent += 1;
    // Keep a margin in the shop's GraphQL cost bucket: wait for it to refill when it runs low.
    const status = body.extensions?.cost?.throttleStatus;
    const cost = body.extensions?.cost?.requestedQueryCost ?? 10;
    if (status && status.currentlyAvailable < cost * 2 && status.restoreRate > 0) {
      await sleep(Math.ceil(((cost * 2 - status.currentlyAvailable) / status.restoreRate) * 1000));
    }
  }
  result.remaining = await flowOutboxSize(shopId);
  return result;
}

/** The worker's entry: the shop's Admin API client from its offline session, then the drain. */
export async function runFlowDrain(shopId: bigint, opts: FlowDrainOptions): Promise<FlowDrainResult | null> {
  const shop = await findShopById(shopId);
  if (!shop || shop.uninstalledAt) return null;
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shop.domain);
  return drainFlowOutbox(shopId, (query, variables) => admin.graphql(query, { variables }), opts);
}
