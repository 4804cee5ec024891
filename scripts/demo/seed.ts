/**
 * The demo shop's data: email and SMS campaigns over the last 90 days, thousands of messages and orders, some
 * refunds, a transactional campaign whose tag is excluded. Deterministic: the same seed gives the same data (times
 * are relative to the start of "today" in the shop's time zone, so a re-run on the same day is identical).
 *
 * Everything goes through the real ingestion path (app/ingest/store.server.ts), as API calls would.
 */
import { TZDate } from "@date-fns/tz";
import type { MessageEventInput, OrderInput, RefundInput } from "../../app/domain/types";

export const DEMO_TIMEZONE = "America/New_York";
export const DEMO_CURRENCY = "USD";
export const EXCLUDED_TAG = "password-reset";

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

const FIRST = [
  "Ava",
  "Liam",
  "Mia",
  "Noah",
  "Emma",
  "Lucas",
  "Zoe",
  "Ethan",
  "Chloe",
  "Mason",
  "Ivy",
  "Leo",
  "Nora",
  "Owen",
  "Ruby",
  "Eli",
  "Isla",
  "Jack",
  "Maya",
  "Theo",
];
const LAST = [
  "Smith",
  "Garcia",
  "Chen",
  "Patel",
  "Nguyen",
  "Kim",
  "Brown",
  "Lopez",
  "Muller",
  "Rossi",
  "Silva",
  "Khan",
  "Haddad",
  "Novak",
  "Okafor",
  "Berg",
];

interface Customer {
  id: string;
  email: string;
  phone: string | null;
}

interface CampaignPlan {
  id: string;
  name: string;
  channel: "email" | "sms";
  daysAgo: number;
  hour: number;
  audience: number;
  openRate: number;
  clickRate: number;
  buyRate: number;
  tags: string[];
}

const CAMPAIGNS: CampaignPlan[] = [
  {
    id: "em-winter-clearance",
    name: "Winter clearance — up to 50% off",
    channel: "email",
    daysAgo: 86,
    hour: 10,
    audience: 1500,
    openRate: 0.42,
    clickRate: 0.16,
    buyRate: 0.3,
    tags: ["promo"],
  },
  {
    id: "em-new-arrivals-1",
    name: "New arrivals: spring collection",
    channel: "email",
    daysAgo: 74,
    hour: 9,
    audience: 1300,
    openRate: 0.38,
    clickRate: 0.12,
    buyRate: 0.22,
    tags: ["newsletter"],
  },
  {
    id: "sms-flash-48h",
    name: "Flash sale 48h (SMS)",
    channel: "sms",
    daysAgo: 66,
    hour: 12,
    audience: 650,
    openRate: 0,
    clickRate: 0.11,
    buyRate: 0.35,
    tags: ["promo"],
  },
  {
    id: "em-loyalty-double-points",
    name: "Loyalty: double points weekend",
    channel: "email",
    daysAgo: 58,
    hour: 8,
    audience: 1100,
    openRate: 0.45,
    clickRate: 0.14,
    buyRate: 0.28,
    tags: ["loyalty"],
  },
  {
    id: "em-cart-reminder",
    name: "You left something behind",
    channel: "email",
    daysAgo: 51,
    hour: 18,
    audience: 800,
    openRate: 0.52,
    clickRate: 0.2,
    buyRate: 0.4,
    tags: ["automation"],
  },
  {
    id: "sms-restock-alert",
    name: "Back in stock alert (SMS)",
    channel: "sms",
    daysAgo: 44,
    hour: 11,
    audience: 500,
    openRate: 0,
    clickRate: 0.14,
    buyRate: 0.32,
    tags: ["automation"],
  },
  {
    id: "em-mothers-day",
    name: "Mother's Day gift guide",
    channel: "email",
    daysAgo: 37,
    hour: 9,
    audience: 1700,
    openRate: 0.4,
    clickRate: 0.13,
    buyRate: 0.26,
    tags: ["promo", "seasonal"],
  },
  {
    id: "em-new-arrivals-2",
    name: "New arrivals: summer essentials",
    channel: "email",
    daysAgo: 27,
    hour: 10,
    audience: 1400,
    openRate: 0.37,
    clickRate: 0.1,
    buyRate: 0.2,
    tags: ["newsletter"],
  },
  {
    id: "sms-vip-early-access",
    name: "VIP early access (SMS)",
    channel: "sms",
    daysAgo: 20,
    hour: 17,
    audience: 420,
    openRate: 0,
    clickRate: 0.18,
    buyRate: 0.38,
    tags: ["loyalty"],
  },
  {
    id: "em-summer-sale",
    name: "Summer sale starts now",
    channel: "email",
    daysAgo: 12,
    hour: 9,
    audience: 1800,
    openRate: 0.44,
    clickRate: 0.15,
    buyRate: 0.3,
    tags: ["promo"],
  },
  {
    id: "sms-last-chance",
    name: "Last chance: summer sale ends tonight (SMS)",
    channel: "sms",
    daysAgo: 9,
    hour: 15,
    audience: 600,
    openRate: 0,
    clickRate: 0.12,
    buyRate: 0.34,
    tags: ["promo"],
  },
  {
    id: "em-product-care",
    name: "How to care for your linen",
    channel: "email",
    daysAgo: 4,
    hour: 11,
    audience: 900,
    openRate: 0.33,
    clickRate: 0.07,
    buyRate: 0.12,
    tags: ["newsletter"],
  },
  {
    id: "em-weekend-picks",
    name: "Weekend picks for you",
    channel: "email",
    daysAgo: 1,
    hour: 8,
    audience: 1000,
    openRate: 0.36,
    clickRate: 0.11,
    buyRate: 0.2,
    tags: ["newsletter"],
  },
];

/** A transactional flow, sent every few days: many clicks right before purchases, excluded by its tag. */
const PASSWORD_RESET = { id: "tx-password-reset", name: "Password reset", channel: "email" as const };

export interface DemoData {
  events: MessageEventInput[];
  orders: OrderInput[];
  refunds: RefundInput[];
  campaigns: number;
}

function cents(amount: number): string {
  return (amount / 100).toFixed(2);
}

export function buildDemoData(now: Date, seed = 20_261_127): DemoData {
  const r = rng(seed);
  const today = new TZDate(now.getTime(), DEMO_TIMEZONE);
  today.setHours(0, 0, 0, 0);
  const at = (daysAgo: number, hour: number, minute = 0) => {
    const d = new TZDate(today.getTime(), DEMO_TIMEZONE);
    d.setDate(d.getDate() - daysAgo);
    d.setHours(hour, minute, 0, 0);
    return new Date(d.getTime());
  };
  const nowMs = now.getTime();
  const minutes = (m: number) => m * 60_000;

  const customers: Customer[] = [];
  for (let i = 0; i < 2600; i++) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    customers.push({
      id: String(7_100_000_000 + i),
      email: `${first}.${last}.${i}@example.com`.toLowerCase(),
      phone: r.chance(0.6)
        ? `+1 (555) ${String(100 + (i % 900)).padStart(3, "0")}-${String(1000 + i).slice(-4)}`
        : null,
    });
  }
  const phoneCustomers = customers.filter((c) => c.phone);

  const events: MessageEventInput[] = [];
  const orders: OrderInput[] = [];
  const refunds: RefundInput[] = [];
  let orderSeq = 0;

  const addOrder = (
    customer: Customer,
    time: Date,
    opts: { currency?: string; test?: boolean; cancelled?: boolean } = {},
  ) => {
    if (time.getTime() >= nowMs - minutes(5)) return;
    orderSeq += 1;
    const id = String(5_200_000_000_000 + orderSeq);
    // Basket: mostly 25-150, a few large ones; whole cents, exact.
    const base = r.chance(0.08) ? r.int(15_000, 42_000) : r.int(2_400, 14_900);
    const total = base - (base % 5);
    const useCustomerPhoneOnly = customer.phone && r.chance(0.15);
    orders.push({
      externalId: id,
      name: `#${1000 + orderSeq}`,
      processedAt: time,
      createdAt: time,
      updatedAt: time,
      currency: opts.currency ?? DEMO_CURRENCY,
      totalPrice: cents(total),
      email: useCustomerPhoneOnly ? null : customer.email,
      phone: useCustomerPhoneOnly ? customer.phone : null,
      customer: { id: customer.id, email: customer.email, phone: customer.phone },
      test: opts.test ?? false,
      cancelledAt: opts.cancelled ? new Date(time.getTime() + minutes(90)) : null,
      landingSite: null,
      refunds: [],
    });
    if (!opts.test && !opts.cancelled && r.chance(0.07)) {
      const full = r.chance(0.4);
      const refundAt = new Date(Math.min(time.getTime() + minutes(r.int(60 * 24, 60 * 24 * 12)), nowMs - minutes(1)));
      refunds.push({
        externalId: `${id}-r1`,
        orderExternalId: id,
        createdAt: refundAt,
        amount: cents(full ? total : Math.max(500, Math.round((total * r.int(15, 60)) / 100 / 5) * 5)),
        currency: opts.currency ?? DEMO_CURRENCY,
      });
    }
  };

  const message = (
    plan: { id: string; name: string; channel: "email" | "sms" },
    customer: Customer,
    n: number,
    sentAt: Date,
    tags: string[],
    rates: { open: number; click: number },
  ): Date | null => {
    const messageId = `${plan.id}-${n}`;
    const recipient =
      plan.channel === "email" ? { email: customer.email } : { phone: customer.phone, customerId: customer.id };
    const base = {
      channel: plan.channel,
      campaignId: plan.id,
      campaignName: plan.name,
      messageId,
      recipient,
      tags,
      url: null,
      machine: false,
      source: "api" as const,
    };
    const push = (type: string, time: Date, extra: Partial<MessageEventInput> = {}) => {
      if (time.getTime() > nowMs) return false;
      events.push({ ...base, externalId: `${messageId}:${type}`, type, occurredAt: time, ...extra });
      return true;
    };
    push("sent", sentAt);
    if (r.chance(0.025)) {
      push("bounced", new Date(sentAt.getTime() + minutes(r.int(1, 5))));
      return null;
    }
    push("delivered", new Date(sentAt.getTime() + minutes(r.int(1, 6))));
    let clickAt: Date | null = null;
    if (plan.channel === "email") {
      // Privacy proxies open a share of mails at once: counted in statistics, never connect a sale.
      if (r.chance(0.12))
        push("opened", new Date(sentAt.getTime() + minutes(r.int(1, 3))), {
          externalId: `${messageId}:proxy-open`,
          machine: true,
        });
      if (r.chance(rates.open)) {
        const openAt = new Date(sentAt.getTime() + minutes(r.int(5, 60 * 30)));
        if (push("opened", openAt) && r.chance(rates.click)) {
          clickAt = new Date(openAt.getTime() + minutes(r.int(1, 40)));
          if (!push("clicked", clickAt, { url: "https://demo-shop.example/collections/sale" })) clickAt = null;
        }
      }
    } else if (r.chance(rates.click)) {
      clickAt = new Date(sentAt.getTime() + minutes(r.int(2, 60 * 8)));
      if (!push("clicked", clickAt, { url: "https://demo-shop.example/s/sale" })) clickAt = null;
    }
    return clickAt;
  };

  for (const plan of CAMPAIGNS) {
    const pool = plan.channel === "sms" ? phoneCustomers : customers;
    const start = r.int(0, pool.length - 1);
    for (let n = 0; n < plan.audience; n++) {
      const customer = pool[(start + n * 7) % pool.length]!;
      const sentAt = new Date(at(plan.daysAgo, plan.hour).getTime() + minutes(Math.floor(n / 60)));
      const clickAt = message(plan, customer, n, sentAt, plan.tags, { open: plan.openRate, click: plan.clickRate });
      if (clickAt && r.chance(plan.buyRate)) {
        // Most buy within hours of the click; some come back after the window (then the sale is not the campaign's).
        const delay = r.chance(0.85) ? r.int(3, 60 * 20) : r.int(60 * 26, 60 * 70);
        addOrder(customer, new Date(clickAt.getTime() + minutes(delay)));
      }
    }
  }

  // Transactional password resets every day: clicked and followed by a purchase often; excluded by its tag.
  for (let day = 89; day >= 0; day--) {
    const count = r.int(4, 9);
    for (let k = 0; k < count; k++) {
      const customer = r.pick(customers);
      const sentAt = at(day, r.int(7, 22), r.int(0, 59));
      const clickAt = message(PASSWORD_RESET, customer, day * 100 + k, sentAt, [EXCLUDED_TAG, "transactional"], {
        open: 0.9,
        click: 0.8,
      });
      if (clickAt && r.chance(0.35)) addOrder(customer, new Date(clickAt.getTime() + minutes(r.int(5, 90))));
    }
  }

  // Store orders that no campaign earned: every day, a few test, cancelled and foreign-currency ones among them.
  for (let day = 89; day >= 0; day--) {
    const count = r.int(14, 30);
    for (let k = 0; k < count; k++) {
      const customer = r.pick(customers);
      const time = at(day, r.int(0, 23), r.int(0, 59));
      const roll = r.next();
      addOrder(
        customer,
        time,
        roll < 0.01 ? { test: true } : roll < 0.025 ? { cancelled: true } : roll < 0.04 ? { currency: "CAD" } : {},
      );
    }
  }

  orders.sort((a, b) => a.processedAt!.getTime() - b.processedAt!.getTime());
  return { events, orders, refunds, campaigns: CAMPAIGNS.length + 1 };
}
