import type { Prisma } from "@prisma/client";
import { pool, prisma } from "../db.server";
import { inTransaction } from "./tx.server";

export interface CustomerRef {
  id: string | null;
  emailKey: string | null;
  phoneKey: string | null;
}

/** What the app holds about one customer: counts and order ids only (the request record keeps no personal data). */
export async function customerHoldings(shopId: bigint, c: CustomerRef, orderIds: string[]) {
  const orders = await pool().query<{ external_id: string }>(
    `SELECT external_id FROM orders
      WHERE shop_id = $1 AND (external_id = ANY($2::text[]) OR customer_key = $3
            OR email_keys && $4::text[] OR phone_keys && $5::text[])`,
    [shopId.toString(), orderIds, c.id, c.emailKey ? [c.emailKey] : [], c.phoneKey ? [c.phoneKey] : []],
  );
  const events = await pool().query<{ n: string }>(
    `SELECT count(*) AS n FROM message_events
      WHERE shop_id = $1 AND (customer_key = $2 OR email_key = $3 OR phone_key = $4)`,
    [shopId.toString(), c.id, c.emailKey, c.phoneKey],
  );
  return { order_ids: orders.rows.map((r) => r.external_id), message_events: Number(events.rows[0]?.n ?? 0) };
}

export async function recordComplianceRequest(
  shopId: bigint,
  topic: string,
  customerId: string | null,
  summary: Record<string, unknown>,
) {
  await prisma.complianceRequest.create({
    data: { shopId, topic, customerId, summary: summary as Prisma.InputJsonValue, completedAt: new Date() },
  });
}

/**
 * customers/redact: erases the customer's emails, phones and customer id from orders and message events (and the
 * derived message keys that embed them), keeping amounts and attributions. Redacted orders keep their attribution
 * from then on (the engine does not re-match them: there is nothing left to match with).
 */
export async function redactCustomer(shopId: bigint, c: CustomerRef, orderIds: string[]) {
  return inTransaction(async (client) => {
    const shop = shopId.toString();
    const orders = await client.query(
      `UPDATE orders SET email_keys = '{}', phone_keys = '{}', customer_key = NULL, landing_site = NULL,
              redacted_at = now(), updated_at = now()
        WHERE shop_id = $1 AND (external_id = ANY($2::text[]) OR customer_key = $3
              OR email_keys && $4::text[] OR phone_keys && $5::text[])`,
      [shop, orderIds, c.id, c.emailKey ? [c.emailKey] : [], c.phoneKey ? [c.phoneKey] : []],
    );
    const keyList = [c.emailKey, c.phoneKey, c.id].filter((k): k is string => !!k);
    // A message's union of its events' keys, prefixed as the engine writes them (`e:`, `p:`, `c:`).
    const prefixedKeys = [c.emailKey && `e:${c.emailKey}`, c.phoneKey && `p:${c.phoneKey}`, c.id && `c:${c.id}`].filter(
      (k): k is string => !!k,
    );
    // Derived message keys end in ":<recipient key>": replace that part with an opaque marker.
    const events = await client.query(
      `UPDATE message_events
          SET email_key = CASE WHEN email_key = $2 THEN NULL ELSE email_key END,
              phone_key = CASE WHEN phone_key = $3 THEN NULL ELSE phone_key END,
              customer_key = CASE WHEN customer_key = $4 THEN NULL ELSE customer_key END,
              message_key = CASE WHEN message_key = ANY(
                  SELECT campaign_key || ':' || channel || ':' || k FROM unnest($5::text[]) k)
                THEN campaign_key || ':' || channel || ':redacted-' || md5(message_key) ELSE message_key END
        WHERE shop_id = $1 AND (email_key = $2 OR phone_key = $3 OR customer_key = $4)`,
      [shop, c.emailKey, c.phoneKey, c.id, keyList],
    );
    const messages = await client.query(
      `UPDATE messages
          SET email_key = CASE WHEN email_key = $2 THEN NULL ELSE email_key END,
              phone_key = CASE WHEN phone_key = $3 THEN NULL ELSE phone_key END,
              customer_key = CASE WHEN customer_key = $4 THEN NULL ELSE customer_key END,
              external_id = CASE WHEN external_id = ANY(
                  SELECT c.external_id || ':' || messages.channel || ':' || k
                    FROM campaigns c, unnest($5::text[]) k WHERE c.id = messages.campaign_id)
                THEN (SELECT c.external_id FROM campaigns c WHERE c.id = messages.campaign_id) || ':' || channel
                     || ':redacted-' || md5(external_id) ELSE external_id END,
              recipient_keys = ARRAY(SELECT k FROM unnest(recipient_keys) k WHERE k <> ALL($6::text[]))
        WHERE shop_id = $1 AND (email_key = $2 OR phone_key = $3 OR customer_key = $4 OR recipient_keys && $6::text[])`,
      [shop, c.emailKey, c.phoneKey, c.id, keyList, prefixedKeys],
    );
    return { orders: orders.rowCount ?? 0, message_events: events.rowCount ?? 0, messages: messages.rowCount ?? 0 };
  });
}

/** shop/redact: every row of the shop goes (cascades from shops), with its sessions and inbox rows. */
export async function deleteShopData(domain: string) {
  await inTransaction(async (client) => {
    await client.query(`DELETE FROM pending_attributions WHERE shop_id IN (SELECT id FROM shops WHERE domain = $1)`, [
      domain,
    ]);
    await client.query(`DELETE FROM shops WHERE domain = $1`, [domain]);
    await client.query(`DELETE FROM "Session" WHERE shop = $1`, [domain]);
    await client.query(`DELETE FROM webhook_deliveries WHERE shop_domain = $1`, [domain]);
  });
}
