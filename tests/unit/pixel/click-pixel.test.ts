/**
 * The click pixel's own code (extensions/click-pixel/src/index.ts), run in a harness that imitates the Web Pixels
 * runtime: `register` calls `shopify.extend(...)` on the sandbox's global, so we provide that global, capture the
 * extension function, and give it a fake `analytics.subscribe` bus, `browser` storage/cookie and `init`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** A Web Pixels event: its name and the fields the runtime gives it (`data`, `timestamp`, `context`...). */
type PixelEvent = Record<string, unknown>;
type Handler = (event: PixelEvent) => unknown;

function fakeRuntime(opts: { settings?: Record<string, string>; storageBroken?: boolean } = {}) {
  const handlers = new Map<string, Handler[]>();
  const session = new Map<string, string>();
  const cookies = new Map<string, string>();
  const api = {
    settings: opts.settings ?? { app_url: "https://app.example.com/", shop_token: "tok/en+1" },
    analytics: {
      subscribe(name: string, cb: Handler) {
        handlers.set(name, [...(handlers.get(name) ?? []), cb]);
        return () => true;
      },
    },
    browser: {
      sessionStorage: {
        getItem: async (k: string) => {
          if (opts.storageBroken) throw new Error("SecurityError");
          return session.get(k) ?? null;
        },
        setItem: async (k: string, v: string) => {
          if (opts.storageBroken) throw new Error("SecurityError");
          session.set(k, String(v));
        },
        removeItem: async (k: string) => void session.delete(k),
      },
      cookie: {
        // document.cookie-like setter: "name=value; attributes"
        set: async (text: string) => {
          const [pair] = text.split(";");
          const i = pair!.indexOf("=");
          cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
          return text;
        },
        get: async (name?: string) => (name ? (cookies.get(name) ?? "") : ""),
      },
    },
    init: {
      context: { document: { location: { href: "https://shop.example.com/" } } },
      data: { shop: { myshopifyDomain: "alpha.myshopify.com", name: "Alpha" } },
    },
    customerPrivacy: { subscribe: () => () => true },
  };
  async function publish(name: string, event: PixelEvent) {
    for (const h of handlers.get(name) ?? []) await h({ name, ...event });
  }
  return { api, publish, session, cookies, handlers };
}

const pageViewed = (href: string, timestamp: string) => ({
  timestamp,
  context: { document: { location: { href } } },
  data: {},
});
const checkoutCompleted = (
  orderId: string | null,
  timestamp: string,
  href = "https://shop.example.com/checkouts/c/abc/thank-you",
) => ({
  timestamp,
  context: { document: { location: { href } } },
  data: { checkout: { token: "chk-123", order: orderId ? { id: orderId, customer: null } : null } },
});

let fetchMock: ReturnType<typeof vi.fn>;

async function loadPixel(runtime: ReturnType<typeof fakeRuntime>) {
  let extension: ((api: unknown) => void) | undefined;
  vi.stubGlobal("shopify", {
    extend: (_point: string, fn: (api: unknown) => void) => {
      extension = fn;
    },
  });
  vi.resetModules();
  await import("../../../extensions/click-pixel/src/index");
  expect(extension, "the pixel calls register()").toBeTypeOf("function");
  extension!(runtime.api);
}

beforeEach(() => {
  fetchMock = vi.fn(async () => new Response(null, { status: 202 }));
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("click pixel", () => {
  it("remembers cr_mid from the landing page and posts it with the order on checkout_completed", async () => {
    const rt = fakeRuntime();
    await loadPixel(rt);
    expect([...rt.handlers.keys()].sort()).toEqual(["checkout_completed", "page_viewed"]);

    await rt.publish(
      "page_viewed",
      pageViewed("https://shop.example.com/products/tea?utm_source=x&cr_mid=msg-42", "2026-11-01T10:00:00.000Z"),
    );
    await rt.publish("page_viewed", pageViewed("https://shop.example.com/cart", "2026-11-01T10:05:00.000Z"));
    expect(fetchMock).not.toHaveBeenCalled();
    await rt.publish("checkout_completed", checkoutCompleted("5551234567890", "2026-11-01T10:09:00.000Z"));

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe("https://app.example.com/pixel/tok%2Fen%2B1");
    expect(init.method).toBe("POST");
    expect(init.headers["Content-Type"]).toMatch(/^text\/plain/); // simple request: no preflight from the sandbox
    expect(init.credentials).toBe("omit");
    expect(init.keepalive).toBe(true);
    expect(JSON.parse(init.body)).toEqual({
      shop: "alpha.myshopify.com",
      order_id: "5551234567890",
      checkout_token: "chk-123",
      message_id: "msg-42",
      landed_at: "2026-11-01T10:00:00.000Z",
      occurred_at: "2026-11-01T10:09:00.000Z",
    });
  });

  it("a later tracked landing replaces the earlier one (last click)", async () => {
    const rt = fakeRuntime();
    await loadPixel(rt);
    await rt.publish("page_viewed", pageViewed("https://shop.example.com/?cr_mid=first", "2026-11-01T10:00:00.000Z"));
    await rt.publish("page_viewed", pageViewed("https://shop.example.com/?cr_mid=second", "2026-11-01T11:00:00.000Z"));
    await rt.publish("checkout_completed", checkoutCompleted("1", "2026-11-01T11:30:00.000Z"));
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body)).toMatchObject({
      message_id: "second",
      landed_at: "2026-11-01T11:00:00.000Z",
    });
  });

  it("posts nothing for a visit that did not come through a tracked link", async () => {
    const rt = fakeRuntime();
    await loadPixel(rt);
    await rt.publish(
      "page_viewed",
      pageViewed("https://shop.example.com/?utm_source=newsletter", "2026-11-01T10:00:00.000Z"),
    );
    await rt.publish("checkout_completed", checkoutCompleted("1", "2026-11-01T10:30:00.000Z"));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("falls back to the cookie when session storage is refused", async () => {
    const rt = fakeRuntime({ storageBroken: true });
    await loadPixel(rt);
    await rt.publish("page_viewed", pageViewed("https://shop.example.com/?cr_mid=msg-7", "2026-11-01T10:00:00.000Z"));
    expect(rt.cookies.has("cr_click")).toBe(true);
    await rt.publish("checkout_completed", checkoutCompleted("77", "2026-11-01T10:30:00.000Z"));
    expect(JSON.parse(fetchMock.mock.calls[0]![1].body)).toMatchObject({ order_id: "77", message_id: "msg-7" });
  });

  it("does nothing until the app has put its settings on the pixel", async () => {
    const rt = fakeRuntime({ settings: { app_url: "", shop_token: "" } });
    await loadPixel(rt);
    expect(rt.handlers.size).toBe(0);
  });

  it("a failing network call does not throw inside the sandbox", async () => {
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    const rt = fakeRuntime();
    await loadPixel(rt);
    await rt.publish("page_viewed", pageViewed("https://shop.example.com/?cr_mid=m", "2026-11-01T10:00:00.000Z"));
    await expect(
      rt.publish("checkout_completed", checkoutCompleted("1", "2026-11-01T10:01:00.000Z")),
    ).resolves.toBeUndefined();
  });
});
