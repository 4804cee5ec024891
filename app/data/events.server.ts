import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import { recipientKeyFor, recipientKeys } from "../domain/identity";
import { stageOf } from "../domain/stages";
import type { MessageEventInput } from "../domain/types";

/** One event row as stored in message_events (recipient keys normalised, message key resolved). */
export interface EventRow {
  dedupKey: string;
  messageKey: string;
  campaignKey: string;
  campaignName: string | null;
  type: string;
  stage: number;
  channel: string;
  occurredAt: Date;
  emailKey: string | null;
  phoneKey: string | null;
  customerKey: string | null;
  tags: string[];
  url: string | null;
  machine: boolean;
  source: string;
  orderKey: string | null;
}

/**
 * Turns a parsed event into its stored row. The dedup key is the source's own event id (prefixed by the source
 * unless it came through our API), or a hash of the event's content when the source gives none, so the same event
 * delivered twice is stored once.
 */
export function toEventRow(e: MessageEventInput, orderKey: string | null = null): EventRow {
  const keys = recipientKeys(e.recipient);
  const messageKey = e.messageId ?? `${e.campaignId}:${e.channel}:${recipientKeyFor(e.channel, keys)}`;
  const dedupKey = e.externalId
    ? e.source === "api"
      ? e.externalId
      : `${e.source}:${e.externalId}`
    : `h:${createHash("sha256")
        .update(JSON.stringify([e.source, e.type, e.channel, e.occurredAt.toISOString(), e.campaignId, messageKey, e.url, orderKey]))
        .digest("base64url")}`;
  return {
    dedupKey,
    messageKey,
    campaignKey: e.campaignId,
    campaignName: e.campaignName,
    type: e.type,
    stage: stageOf(e.type),
    channel: e.channel,
    occurredAt: e.occurredAt,
    emailKey: keys.email,
    phoneKey: keys.phone,
    customerKey: keys.customerId,
    tags: e.tags,
    url: e.url,
    machine: e.machine,
    source: e.source,
    orderKey,
  };
}

/**
 * Appends events in one statement (arrays unnested server-side), skipping those already stored.
 * Returns the ids of the rows actually inserted. Runs inside the caller's transaction.
 */
export async function insertEvents(client: PoolClient, shopId: bigint, rows: EventRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof EventRow>(k: K) => rows.map((r) => r[k]);
  const result = await client.query<{ id: string }>(
    `INSERT INTO message_events
       (shop_id, dedup_key, message_key, campaign_key, campaign_name, type, stage, channel, occurred_at,
        email_key, phone_key, customer_key, tags, url, machine, source, order_key)
     SELECT $1, d, m, c, cn, t, s, ch, o, ek, pk, ck,
            ARRAY(SELECT jsonb_array_elements_text(tg::jsonb)), u, ma, so, ok
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::text[],
                   $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bool[],
                   $16::text[], $17::text[])
         AS x(d, m, c, cn, t, s, ch, o, ek, pk, ck, tg, u, ma, so, ok)
     ON CONFLICT (shop_id, dedup_key) DO NOTHING
     RETURNING id`,
    [
      shopId.toString(),
      col("dedupKey"),
      col("messageKey"),
      col("campaignKey"),
      col("campaignName"),
      col("type"),
      col("stage"),
      col("channel"),
      rows.map((r) => r.occurredAt.toISOString()),
      col("emailKey"),
      col("phoneKey"),
      col("customerKey"),
      rows.map((r) => JSON.stringify(r.tags)),
      col("url"),
      col("machine"),
      col("source"),
      col("orderKey"),
    ],
  );
  return result.rows.map((r) => r.id);
}
