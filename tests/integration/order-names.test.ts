/**
 * Orders are shown by their name (`#1001`), as merchants know them, with the id linking to the order in Shopify
 * admin: in GET /api/v1/campaigns/{id} (JSON and CSV) and the campaign page's CSV export.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, baseUrl, createShopWithKey, http, settled } from "../support/api";
import { sessionToken, storeOfflineSession } from "../support/admin-session";

const HOUR = 3_600_000;
let s: { domain: string; key: string; shopId: string };
const t0 = Date.now() - 10 * HOUR;
const from = new Date(t0 - HOUR).toISOString();
const to = new Date(Date.now() + HOUR).toISOString();

function parseCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/)
    .map((line) =>
      [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)]
        .map((m) => m[1]!.replace(/^"|"$/g, "").replace(/""/g, '"'))
        .slice(0, -1),
    );
}

beforeAll(async () => {
  s = await createShopWithKey();
  await storeOfflineSession(s.domain);
  const base = {
    channel: "email",
    campaign_id: "spring",
    campaign_name: "Spring",
    recipient: { email: "ada@example.com" },
  };
  const base2 = { ...base, recipient: { email: "eve@example.com" } };
  const events = [
    { id: "s1", type: "sent", occurred_at: new Date(t0).toISOString(), message_id: "m1", ...base },
    { id: "c1", type: "clicked", occurred_at: new Date(t0 + 60_000).toISOString(), message_id: "m1", ...base },
    { id: "s2", type: "sent", occurred_at: new Date(t0).toISOString(), message_id: "m2", ...base2 },
    { id: "c2", type: "clicked", occurred_at: new Date(t0 + 60_000).toISOString(), message_id: "m2", ...base2 },
  ];
  expect((await http("POST", "/api/v1/events", { key: s.key, body: { events } })).status).toBe(202);
  const orders = [
    {
      id: "8001",
      name: "#1001",
      processed_at: new Date(t0 + HOUR).toISOString(),
      currency: "USD",
      total_price: "40.00",
      email: "ada@example.com",
    },
    {
      id: "8002",
      name: "=HYPERLINK(1)",
      processed_at: new Date(t0 + 2 * HOUR).toISOString(),
      currency: "USD",
      total_price: "10.00",
      email: "eve@example.com",
    },
  ];
  expect((await http("POST", "/api/v1/orders", { key: s.key, body: { orders } })).status).toBe(202);
  await settled(s.shopId);
});

const adminUrl = (id: string) =>
  `https://admin.shopify.com/store/${s.domain.replace(".myshopify.com", "")}/orders/${id}`;

describe("orders by name", () => {
  it("GET /api/v1/campaigns/{id} lists each order's name next to its id", async () => {
    const res = await http("GET", `/api/v1/campaigns/spring?from=${from}&to=${to}`, { key: s.key });
    expect(res.status).toBe(200);
    expect(res.body.orders.map((o: { id: string; name: string }) => [o.id, o.name])).toEqual([
      ["8001", "#1001"],
      ["8002", "=HYPERLINK(1)"],
    ]);
  });

  it("the campaign's orders as CSV: name, id and the link to the order in Shopify admin", async () => {
    const res = await http("GET", `/api/v1/campaigns/spring?from=${from}&to=${to}&format=csv`, { key: s.key });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(["id", "name", "time_of_sale", "gross", "refunded", "revenue", "admin_url"]);
    expect(rows[0]).toEqual(["8001", "#1001", expect.any(String), "40.00", "0.00", "40.00", adminUrl("8001")]);
    // A name a spreadsheet would run as a formula is written as text.
    expect(rows[1]![1]).toBe("'=HYPERLINK(1)");
  });

  it("the campaign page's export has the order names and links, for the page's session token only", async () => {
    const path = `/app/campaigns/spring/export?period=last30`;
    const refused = await fetch(`${baseUrl()}${path}`, { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });
    expect(refused.status).not.toBe(200);
    const res = await fetch(`${baseUrl()}${path}`, {
      headers: { "User-Agent": BROWSER_UA, Authorization: `Bearer ${sessionToken(s.domain)}` },
    });
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header!.slice(0, 3)).toEqual(["Order", "Order ID", "Shopify admin"]);
    expect(rows[0]!.slice(0, 3)).toEqual(["#1001", "8001", adminUrl("8001")]);
    expect(rows[1]![0]).toBe("'=HYPERLINK(1)");
  });

  it("GET /api/v1/orders/{id}/attribution adds the order's name", async () => {
    const res = await http("GET", "/api/v1/orders/8001/attribution", { key: s.key });
    expect(res.body).toMatchObject({ order_id: "8001", name: "#1001", campaign_name: "Spring", attributed: true });
  });
});
