/**
 * Links to an order in Shopify admin, for the app's pages and exports: orders are shown by their name (`#1001`) and
 * link to the order's page in the admin by its id. Pure (no I/O), shared by pages, presenters and CSV.
 */

/** The store handle of a `<handle>.myshopify.com` domain (what admin.shopify.com URLs use). */
export function storeHandle(shopDomain: string): string {
  return shopDomain.replace(/\.myshopify\.com$/i, "");
}

/** `https://admin.shopify.com/store/<handle>/orders/<id>` for a numeric Shopify order id; null for other ids. */
export function orderAdminUrl(shopDomain: string, orderId: string): string | null {
  if (!/^\d{1,20}$/.test(orderId)) return null;
  return `https://admin.shopify.com/store/${encodeURIComponent(storeHandle(shopDomain))}/orders/${orderId}`;
}

/** How an order is shown: its name where known (`#1001`), else its id. */
export function orderLabel(order: { id: string; name: string | null | undefined }): string {
  return order.name && order.name.trim() !== "" ? order.name : order.id;
}
