import type { PoolClient } from "pg";
import { insertEvents, toEventRow } from "../data/events.server";
import { claimVerifiedLinks, findKnownMessages } from "../data/pixel.server";
import { pixelLinkEvent } from "../ingest/pixel";

/**
 * Verification of click pixel links (docs/decisions/006-click-pixel.md): a link counts only once its order is stored
 * with the same checkout token. Called in the writing transaction of both sides, whichever arrives second: the pixel's
 * post (the order may already be there) and every order write carrying a checkout token (links may be waiting).
 * Both take the shop's order lock (the pixel exclusively), so one of them always sees the other.
 *
 * Each verified link becomes the `clicked` event of its message tied to the order (as before verification existed),
 * with the campaign and channel of the message's own earliest event. Returns the inserted event ids, for the
 * caller's pending attribution.
 */
export async function verifyPixelLinks(client: PoolClient, shopId: bigint, orderKeys: string[]): Promise<string[]> {
  const links = await claimVerifiedLinks(client, shopId, orderKeys);
  if (links.length === 0) return [];
  const known = await findKnownMessages(client, shopId, [...new Set(links.map((l) => l.messageId))]);
  const rows = links.map((l) => toEventRow(pixelLinkEvent(l, known.get(l.messageId) ?? null), l.orderId));
  return insertEvents(client, shopId, rows);
}
