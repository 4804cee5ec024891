/**
 * What the order details block in Shopify admin (extensions/order-attribution-block) shows for one order: the same
 * attribution and explanation as GET /api/v1/orders/{id}/attribution (the `orderAttribution` presenter, not a copy),
 * plus the order's figures as the report counts them, the shop's currency, whether attribution is on, and links.
 */
import { orderAdminUrl } from "../admin/order-links";
import { Money, formatAmount } from "../domain/money";
import { getSettings } from "../data/settings.server";
import { findOrder, storedAttribution } from "../data/reports.server";
import { orderAttribution, type OrderAttributionJson } from "./campaigns.server";

export interface OrderBlockJson {
  order: { id: string; name: string | null; admin_url: string | null };
  /** False when the merchant turned attribution off (settings `enabled`): no campaign earns anything. */
  enabled: boolean;
  /** The shop's reporting currency (settings `currency`). */
  currency: string;
  /** Exactly the body of GET /api/v1/orders/{id}/attribution. */
  attribution: OrderAttributionJson;
  /** The campaign that earned the order, with the path of its page in the app; null when none did. */
  campaign: { id: string; name: string; channel: string; app_path: string } | null;
  /** Gross, refunded and net of the order in `currency` as the report counts them; null when not attributed. */
  money: { gross: string; refunded: string; net: string; currency: string } | null;
}

/** Null for an order the app has not received. */
export async function orderBlock(
  shop: { id: bigint; domain: string },
  orderExternalId: string,
): Promise<OrderBlockJson | null> {
  const attribution = await orderAttribution(shop.id, orderExternalId);
  if (!attribution) return null;
  const { settings } = await getSettings(shop.id);
  const order = await findOrder(shop.id, orderExternalId);
  const stored = order ? await storedAttribution(order.id) : null;
  const currency = settings.currency;
  let money: OrderBlockJson["money"] = null;
  if (attribution.attributed && stored && stored.counted) {
    const gross = new Money(stored.gross);
    const refunded = new Money(stored.refunded);
    money = {
      gross: formatAmount(gross, currency),
      refunded: formatAmount(refunded, currency),
      net: formatAmount(gross.minus(refunded), currency),
      currency,
    };
  }
  const campaign =
    attribution.attributed && attribution.campaign_id
      ? {
          id: attribution.campaign_id,
          name: attribution.campaign_name ?? attribution.campaign_id,
          channel: attribution.channel ?? "",
          app_path: `/app/campaigns/${encodeURIComponent(attribution.campaign_id)}`,
        }
      : null;
  return {
    order: {
      id: attribution.order_id,
      name: attribution.name,
      admin_url: orderAdminUrl(shop.domain, attribution.order_id),
    },
    enabled: settings.enabled,
    currency,
    attribution,
    campaign,
    money,
  };
}
