import { pool } from "../db.server";
import { CHANNELS, type Channel } from "../domain/types";
import type { KnownMessage } from "../ingest/pixel";

/**
 * The campaign and channel of a message as its own stored events name them (its earliest event not from the
 * pixel, like the engine's rule: a message's campaign comes from its earliest event). Null: no such event yet.
 */
export async function findKnownMessage(shopId: bigint, messageKey: string): Promise<KnownMessage | null> {
  const r = await pool().query<{ campaign_key: string; campaign_name: string | null; channel: string }>(
    `SELECT campaign_key, campaign_name, channel
       FROM message_events
      WHERE shop_id = $1 AND message_key = $2 AND source <> 'pixel'
      ORDER BY occurred_at, dedup_key
      LIMIT 1`,
    [shopId.toString(), messageKey],
  );
  const row = r.rows[0];
  if (!row || !(CHANNELS as readonly string[]).includes(row.channel)) return null;
  return { campaignId: row.campaign_key, campaignName: row.campaign_name, channel: row.channel as Channel };
}
