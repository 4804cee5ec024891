/**
 * What one event source of POST /ingest/<provider>/<token> is: how it checks the sender and parses the body. Each
 * provider is one file in this folder and one line in app/ingest/registry.server.ts.
 */
import type { ProviderSecrets } from "../../domain/settings";
import type { MessageEventInput } from "../../domain/types";
import type { ErrorDetail } from "../../domain/validation";
import type { Result } from "../common";
import type { Claim } from "../replay.server";
import type { IngestRequest } from "../request";

export interface ProviderDelivery {
  req: IngestRequest;
  /** The body exactly as received. */
  raw: Buffer;
  shop: { id: bigint; sesTopicArns: string[] };
  /** The shop's provider secrets (settings); a provider without one configured takes unsigned deliveries. */
  secrets: ProviderSecrets;
}

/** Parsed events (with a replay claim to give back if they are not stored), or an answered SNS confirmation. */
export type ProviderReceipt =
  { parsed: Result<{ events: MessageEventInput[] }>; claim?: Claim | null } | { confirmed: true };

export interface IngestProvider {
  /** The name people know it by (settings page, docs). */
  label: string;
  /** Checks the sender (throws 401 when refused) and parses the body. */
  receive(delivery: ProviderDelivery): Promise<ProviderReceipt>;
}

/** A parser's error detail as the API names it: `""` (the whole body) becomes `body`. */
export function fieldOf(e: ErrorDetail): ErrorDetail {
  return { path: e.path || "body", message: e.message };
}
