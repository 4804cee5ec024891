// @vitest-environment happy-dom
/**
 * The order details block's own code (extensions/order-attribution-block/src), run in a harness that imitates the
 * admin UI extensions runtime: the extension API as the global `shopify` (the selected order, i18n), the admin's
 * `fetch` (relative URL, answered here), and a DOM whose `document.body` the extension renders into, as Shopify's
 * sandbox provides. Its Polaris web components (`s-*`) are not defined here, so they stay plain elements whose
 * text and attributes are what the admin would render.
 */
import { render } from "preact";
import { afterEach, describe, expect, it, vi } from "vitest";

const SPRING = {
  order: { id: "5001", name: "#1001", admin_url: "https://admin.shopify.com/store/alpha/orders/5001" },
  enabled: true,
  currency: "USD",
  attribution: {
    order_id: "5001",
    attributed: true,
    campaign_id: "spring",
    message_id: "m-1",
    channel: "email",
    event_type: "clicked",
    event_at: "2026-11-20T10:00:00.000Z",
    explanation: "Email campaign “Spring sale”: the recipient clicked 2 hours before the purchase (window 24 h).",
    reason: null,
    linked_by: "click",
    time_of_sale: "2026-11-20T12:00:00.000Z",
    name: "#1001",
    campaign_name: "Spring sale",
  },
  campaign: { id: "spring", name: "Spring sale", channel: "email", app_path: "/app/campaigns/spring" },
  money: { gross: "1234.50", refunded: "20.00", net: "1214.50", currency: "USD" },
};

type Reply = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

function runtime(orderGid: string | null, replies: Reply[]) {
  const requests: string[] = [];
  const fetchMock = vi.fn(async (input: string) => {
    requests.push(input);
    const reply = await (replies.shift() ?? { status: 500, body: null });
    return new Response(reply.body === null ? "" : JSON.stringify(reply.body), { status: reply.status });
  });
  vi.stubGlobal("fetch", fetchMock);
  vi.stubGlobal("shopify", {
    extension: { target: "admin.order-details.block.render" },
    data: { selected: orderGid ? [{ id: orderGid }] : [] },
    i18n: {
      formatDate: (d: Date, o?: Intl.DateTimeFormatOptions) =>
        new Intl.DateTimeFormat("en-US", { ...o, timeZone: "UTC" }).format(d),
    },
  });
  return { requests };
}

async function mount() {
  const mod = await import("../../../extensions/order-attribution-block/src/BlockExtension");
  await mod.default();
}

/** What the admin would show: the text, and the headings components render from their `heading` attribute. */
const text = () =>
  [
    ...[...document.body.querySelectorAll("[heading]")].map((el) => el.getAttribute("heading")),
    document.body.textContent ?? "",
  ]
    .join(" ")
    .replace(/\s+/g, " ");
const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 2000 });

afterEach(() => {
  render(null, document.body); // unmount, as the admin does when the order page closes
  vi.unstubAllGlobals();
});

describe("order details block", () => {
  it("shows the campaign that earned the order, its connecting event, money and a link to the campaign page", async () => {
    const { requests } = runtime("gid://shopify/Order/5001", [{ status: 200, body: SPRING }]);
    await mount();
    await until(() => text().includes("Spring sale"));
    expect(requests).toEqual(["/extensions/orders/5001/attribution"]);
    expect(document.querySelector("s-admin-block")?.getAttribute("heading")).toBe("Campaign attribution");
    const t = text();
    expect(t).toContain("Email");
    expect(t).toContain("Linked by the click");
    expect(t).toContain("Clicked Nov 20, 2026, 10:00 AM");
    expect(t).toContain("$1,234.50");
    expect(t).toContain("$20.00");
    expect(t).toContain("$1,214.50");
    expect(t).toContain(SPRING.attribution.explanation);
    expect(document.querySelector("s-link")?.getAttribute("href")).toBe("app:/app/campaigns/spring");
  });

  it("does not say 'linked by the click' when the recipient's identity linked the order", async () => {
    const answer = { ...SPRING, attribution: { ...SPRING.attribution, linked_by: "identity" } };
    runtime("gid://shopify/Order/5001", [{ status: 200, body: answer }]);
    await mount();
    await until(() => text().includes("Spring sale"));
    expect(text()).not.toContain("Linked by the click");
  });

  it("shows a loading state until the backend answers", async () => {
    let answer!: (r: { status: number; body: unknown }) => void;
    runtime("gid://shopify/Order/5001", [new Promise((r) => (answer = r))]);
    await mount();
    await until(() => document.querySelector("s-spinner") !== null);
    expect(text()).not.toContain("Spring sale");
    answer({ status: 200, body: SPRING });
    await until(() => text().includes("Spring sale"));
    expect(document.querySelector("s-spinner")).toBeNull();
  });

  it("says why no campaign earned the order, with the API's explanation", async () => {
    const explanation = "No message of an enabled channel reached this buyer within its window before the purchase.";
    const body = {
      ...SPRING,
      attribution: {
        ...SPRING.attribution,
        attributed: false,
        campaign_id: null,
        linked_by: null,
        reason: "no_match",
        explanation,
      },
      campaign: null,
      money: null,
    };
    runtime("gid://shopify/Order/5002", [{ status: 200, body }]);
    await mount();
    await until(() => text().includes("Not attributed"));
    expect(text()).toContain(explanation);
    expect(document.querySelector("s-link")).toBeNull();
  });

  it("says the app has not received an order it does not know", async () => {
    runtime("gid://shopify/Order/9999", [
      { status: 404, body: { error: { code: "not_found", message: "x", details: [] } } },
    ]);
    await mount();
    await until(() => text().includes("Not attributed"));
    expect(text()).toContain("has not received this order");
  });

  it("says attribution is off when the merchant turned it off", async () => {
    runtime("gid://shopify/Order/5001", [
      { status: 200, body: { ...SPRING, enabled: false, campaign: null, money: null } },
    ]);
    await mount();
    await until(() => text().includes("Attribution is off"));
    expect(document.querySelector("s-banner")?.getAttribute("tone")).toBe("warning");
    expect(text()).not.toContain("Spring sale");
  });

  it("shows an error with a retry that loads again", async () => {
    const { requests } = runtime("gid://shopify/Order/5001", [
      {
        status: 500,
        body: { error: { code: "internal_error", message: "Something went wrong on our side.", details: [] } },
      },
      { status: 200, body: SPRING },
    ]);
    await mount();
    await until(() => text().includes("could not be loaded"));
    expect(text()).toContain("Something went wrong on our side.");
    (document.querySelector("s-button") as HTMLElement).click();
    await until(() => text().includes("Spring sale"));
    expect(requests).toHaveLength(2);
  });
});
