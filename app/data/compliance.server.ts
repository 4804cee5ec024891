import { randomBytes } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { PoolClient } from "pg";
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
  // Hashes that were computed over the customer's address (an id-less event's dedup key, a derived message key, an
  // order's content hash) are replaced by a hash with a random salt that is never stored: nothing left can be
  // matched against a guessed address, while rows that shared a key still share the new one.
  const salt = randomBytes(16).toString("hex");
  return inTransaction(async (client) => {
    const shop = shopId.toString();
    const orders = await client.query(
      `UPDATE orders SET email_keys = '{}', phone_keys = '{}', customer_key = NULL, landing_site = NULL,
              content_hash = 'redacted:' || md5($6 || content_hash),
              redacted_at = now(), updated_at = now()
        WHERE shop_id = $1 AND (external_id = ANY($2::text[]) OR customer_key = $3
              OR email_keys && $4::text[] OR phone_keys && $5::text[])`,
      [shop, orderIds, c.id, c.emailKey ? [c.emailKey] : [], c.phoneKey ? [c.phoneKey] : [], salt],
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
              url = NULL,
              dedup_key = CASE WHEN dedup_key LIKE 'h:%' THEN 'h:redacted-' || md5($6 || dedup_key) ELSE dedup_key END,
              message_key = CASE WHEN message_key = ANY(
                  SELECT campaign_key || ':' || channel || ':' || k FROM unnest($5::text[]) k)
                THEN campaign_key || ':' || channel || ':redacted-' || md5($6 || message_key) ELSE message_key END
        WHERE shop_id = $1 AND (email_key = $2 OR phone_key = $3 OR customer_key = $4)`,
      [shop, c.emailKey, c.phoneKey, c.id, keyList, salt],
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
                     || ':redacted-' || md5($7 || external_id) ELSE external_id END,
              recipient_keys = ARRAY(SELECT k FROM unnest(recipient_keys) k WHERE k <> ALL($6::text[]))
        WHERE shop_id = $1 AND (email_key = $2 OR phone_key = $3 OR customer_key = $4 OR recipient_keys && $6::text[])`,
      [shop, c.emailKey, c.phoneKey, c.id, keyList, prefixedKeys, salt],
    );
    return { orders: orders.rowCount ?? 0, message_events: events.rowCount ?? 0, messages: messages.rowCount ?? 0 };
  });
}

/**
 * shop/redact: every row of the shop goes, in every table that has a `shop_id` (found in the catalog, so tables
 * added later are included: rollups, tracked links, pending work, the audit trail…), then the shop row itself, its
 * sessions and its inbox rows. Nothing of the shop is kept, the audit trail included (ADR 008: no law asks the app to
 * keep it once the merchant's data must be erased; the erasure itself is logged with the shop id only).
 */
export async function deleteShopData(domain: string): Promise<Record<string, number>> {
  return inTransaction(async (client) => {
    const shop = await client.query<{ id: string }>(`SELECT id FROM shops WHERE domain = $1 FOR UPDATE`, [domain]);
    const erased: Record<string, number> = {};
    const id = shop.rows[0]?.id;
    if (id !== undefined) {
      // A table whose rows another table still references (a foreign key without cascade) is retried after the
      // others; each attempt runs under a savepoint so a refused DELETE does not abort the transaction.
      let remaining = await tablesWithShopId(client);
      for (let pass = 0; remaining.length > 0; pass++) {
        const refused: string[] = [];
        for (const table of remaining) {
          await client.query("SAVEPOINT erase_table");
          try {
            const r = await client.query(`DELETE FROM "${table.replace(/"/g, '""')}" WHERE shop_id = $1`, [id]);
            erased[table] = (erased[table] ?? 0) + (r.rowCount ?? 0);
            await client.query("RELEASE SAVEPOINT erase_table");
          } catch (error) {
            await client.query("ROLLBACK TO SAVEPOINT erase_table");
            if ((error as { code?: string }).code !== "23503" || pass >= 10) throw error;
            refused.push(table);
          }
        }
        remaining = refused;
      }
      await client.query(`DELETE FROM shops WHERE id = $1`, [id]);
    }
    await client.query(`DELETE FROM "Session" WHERE shop = $1`, [domain]);
    const inbox = await client.query(`DELETE FROM webhook_deliveries WHERE shop_domain = $1`, [domain]);
    erased.webhook_deliveries = (erased.webhook_deliveries ?? 0) + (inbox.rowCount ?? 0);
    return erased;
  });
}

/**
 * customers/data_request, answered: everything the app holds about one customer, for the merchant to hand over —
 * their orders (with the campaign each was attributed to), the messages sent to them and every message event.
 * Matched on the same normalised keys attribution uses (email, phone, Shopify customer id).
 */
export async function customerData(shopId: bigint, c: CustomerRef) {
  const shop = shopId.toString();
  const emails = c.emailKey ? [c.emailKey] : [];
  const phones = c.phoneKey ? [c.phoneKey] : [];
  const prefixed = [c.emailKey && `e:${c.emailKey}`, c.phoneKey && `p:${c.phoneKey}`, c.id && `c:${c.id}`].filter(
    (k): k is string => !!k,
  );
  const orders = await pool().query(
    `SELECT o.external_id AS id, o.name, o.currency, o.total_price, o.refunded_total,
            o.time_of_sale, o.processed_at, o.source_created_at AS created_at, o.cancelled_at, o.test,
            o.email_keys AS emails, o.phone_keys AS phones, o.customer_key AS customer_id, o.landing_site,
            a.campaign_id IS NOT NULL AS attributed, camp.external_id AS campaign_id, camp.name AS campaign_name,
            a.channel, a.event_type, a.event_at
       FROM orders o
       LEFT JOIN attributions a ON a.order_id = o.id
       LEFT JOIN campaigns camp ON camp.id = a.campaign_id
      WHERE o.shop_id = $1 AND (o.customer_key = $2 OR o.email_keys && $3::text[] OR o.phone_keys && $4::text[])
      ORDER BY o.time_of_sale, o.id`,
    [shop, c.id, emails, phones],
  );
  const messages = await pool().query(
    `SELECT m.external_id AS id, camp.external_id AS campaign_id, camp.name AS campaign_name, m.channel,
            m.sent_at, m.has_sent AS sent, m.has_delivered AS delivered, m.has_opened AS opened,
            m.has_clicked AS clicked, m.tags
       FROM messages m JOIN campaigns camp ON camp.id = m.campaign_id
      WHERE m.shop_id = $1 AND (m.email_key = $2 OR m.phone_key = $3 OR m.customer_key = $4
            OR m.recipient_keys && $5::text[])
      ORDER BY m.sent_at NULLS LAST, m.id`,
    [shop, c.emailKey, c.phoneKey, c.id, prefixed],
  );
  const events = await pool().query(
    `SELECT e.type, e.channel, e.occurred_at, e.campaign_key AS campaign_id, e.campaign_name,
            e.message_key AS message_id, e.email_key AS email, e.phone_key AS phone, e.customer_key AS customer_id,
            e.tags, e.url, e.machine, e.source, e.received_at
       FROM message_events e
      WHERE e.shop_id = $1 AND (e.email_key = $2 OR e.phone_key = $3 OR e.customer_key = $4)
      ORDER BY e.occurred_at, e.id`,
    [shop, c.emailKey, c.phoneKey, c.id],
  );
  return { orders: orders.rows, messages: messages.rows, events: events.rows };
}

/**
 * Every table with a `shop_id` column, read from the catalog: shop/redact empties each of them for the shop, so a
 * table another change adds later is covered without anyone remembering to list it here.
 */
export async function tablesWithShopId(client: { query: PoolClient["query"] } = pool()): Promise<string[]> {
  const result = await client.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND c.column_name = 'shop_id' AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name`,
  );
  return result.rows.map((r) => r.table_name);
}
