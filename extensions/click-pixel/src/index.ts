/**
 * Click pixel (strict sandbox). On every `page_viewed` whose URL carries `cr_mid=<message id>` (a tracked link of
 * an email/SMS campaign), it remembers `{message id, landing time}` for the visit: session storage, plus a session
 * cookie so the checkout (which may run on another page of the same site) still finds it. On `checkout_completed`
 * it posts the order id with the remembered message id to the app (`POST <app_url>/pixel/<shop_token>`), which
 * stores that landing as a `clicked` event of the message tied to the order.
 *
 * The post is a CORS "simple request" (`Content-Type: text/plain`, no credentials), so the browser sends no
 * preflight; `keepalive` lets it finish when the thank-you page is left at once.
 */
import { register } from "@shopify/web-pixels-extension";

/** The tracked-link query parameter (app/ingest/common.ts TRACKED_LINK_PARAM). */
export const TRACKED_LINK_PARAM = "cr_mid";
export const STORAGE_KEY = "cr_click";
const MAX_ID = 255;

export interface Landing {
  message_id: string;
  landed_at: string;
}

/** The message id a URL carries in `cr_mid`, or null. */
export function messageIdFromUrl(href: string | null | undefined): string | null {
  if (!href) return null;
  try {
    const v = new URL(href).searchParams.get(TRACKED_LINK_PARAM);
    const t = v?.trim() ?? "";
    return t === "" || t.length > MAX_ID ? null : t;
  } catch {
    return null;
  }
}

function parseLanding(raw: string | null | undefined): Landing | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Landing>;
    if (typeof v.message_id === "string" && v.message_id && typeof v.landed_at === "string") {
      return { message_id: v.message_id, landed_at: v.landed_at };
    }
  } catch {
    // not ours, or damaged: ignore
  }
  return null;
}

register(({ analytics, browser, init, settings }) => {
  const appUrl = String(settings.app_url ?? "").replace(/\/+$/, "");
  const token = String(settings.shop_token ?? "");
  const shop = init.data?.shop?.myshopifyDomain ?? null;
  if (!appUrl || !token || !shop) return; // not activated for this shop (yet)

  async function remember(landing: Landing): Promise<void> {
    const text = JSON.stringify(landing);
    try {
      await browser.sessionStorage.setItem(STORAGE_KEY, text);
    } catch {
      // storage refused (privacy mode): the cookie below still works
    }
    try {
      await browser.cookie.set(`${STORAGE_KEY}=${encodeURIComponent(text)}; path=/; SameSite=Lax`);
    } catch {
      // cookies refused: session storage above still works
    }
  }

  async function recall(): Promise<Landing | null> {
    try {
      const stored = parseLanding(await browser.sessionStorage.getItem(STORAGE_KEY));
      if (stored) return stored;
    } catch {
      // fall through to the cookie
    }
    try {
      const v = await browser.cookie.get(STORAGE_KEY);
      return parseLanding(v ? decodeURIComponent(v) : null);
    } catch {
      return null;
    }
  }

  analytics.subscribe("page_viewed", async (event) => {
    const href = event.context?.document?.location?.href ?? init.context?.document?.location?.href;
    const messageId = messageIdFromUrl(href);
    if (!messageId) return; // an ordinary page: keep the visit's landing as it is
    await remember({ message_id: messageId, landed_at: event.timestamp ?? new Date().toISOString() });
  });

  analytics.subscribe("checkout_completed", async (event) => {
    const checkout = event.data?.checkout;
    const orderId = checkout?.order?.id;
    if (!orderId) return;
    // A checkout reached straight from a tracked link (e.g. a buy-again link) lands and completes on one page.
    const landing =
      (await recall()) ??
      (() => {
        const id = messageIdFromUrl(event.context?.document?.location?.href);
        return id ? { message_id: id, landed_at: event.timestamp } : null;
      })();
    if (!landing) return;
    const body = {
      shop,
      order_id: String(orderId),
      checkout_token: checkout?.token ?? null,
      message_id: landing.message_id,
      landed_at: landing.landed_at,
      occurred_at: event.timestamp,
    };
    try {
      await fetch(`${appUrl}/pixel/${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
        keepalive: true,
        credentials: "omit",
        mode: "cors",
      });
    } catch {
      // offline or blocked: nothing else to do from a sandbox (the order's landing_site is the fallback source)
    }
  });
});
