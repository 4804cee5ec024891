import type { Channel, MessageEventInput, OrderInput, RefundInput } from "../../../app/domain/types";
import { defaultSettings, type AttributionSettings } from "../../../app/domain/settings";

export const at = (s: string) => new Date(s);

export function ev(p: {
  type: string;
  at: string | Date;
  campaign: string;
  message?: string | null;
  channel?: Channel;
  email?: string | null;
  phone?: string | null;
  customerId?: string | null;
  tags?: string[];
  machine?: boolean;
  id?: string | null;
  name?: string | null;
}): MessageEventInput {
  return {
    externalId: p.id ?? null,
    type: p.type,
    channel: p.channel ?? "email",
    occurredAt: typeof p.at === "string" ? new Date(p.at) : p.at,
    campaignId: p.campaign,
    campaignName: p.name ?? null,
    messageId: p.message ?? null,
    recipient: {
      email: p.email ?? null,
      phone: p.phone ?? null,
      customerId: p.customerId ?? null,
    },
    tags: p.tags ?? [],
    url: null,
    machine: p.machine ?? false,
    source: "api",
  };
}

export function order(p: {
  id: string;
  at: string | Date;
  total: string;
  currency?: string;
  email?: string | null;
  phone?: string | null;
  customer?: OrderInput["customer"];
  test?: boolean;
  cancelled?: boolean;
  updatedAt?: Date | null;
  landingSite?: string | null;
  refunds?: RefundInput[];
}): OrderInput {
  return {
    externalId: p.id,
    name: null,
    processedAt: typeof p.at === "string" ? new Date(p.at) : p.at,
    createdAt: null,
    updatedAt: p.updatedAt ?? null,
    currency: p.currency ?? "USD",
    totalPrice: p.total,
    email: p.email ?? null,
    phone: p.phone ?? null,
    customer: p.customer ?? null,
    test: p.test ?? false,
    cancelledAt: p.cancelled ? new Date("2026-11-05T00:00:00Z") : null,
    landingSite: p.landingSite ?? null,
    refunds: p.refunds ?? [],
  };
}

export function refund(id: string, orderId: string, amount: string, currency: string | null = "USD"): RefundInput {
  return {
    externalId: id,
    orderExternalId: orderId,
    createdAt: new Date("2026-11-03T00:00:00Z"),
    amount,
    currency,
  };
}

/** The settings of docs/attribution.md's worked examples. */
export function exampleSettings(over: Partial<AttributionSettings> = {}): AttributionSettings {
  const s = defaultSettings("USD");
  return {
    enabled: true,
    currency: "USD",
    channels: {
      ...s.channels,
      email: { event: "clicked", window_hours: 24 },
      sms: { event: "clicked", window_hours: 24 },
    },
    excluded_tags: ["password-reset"],
    ignore_machine_opens: true,
    ...over,
  };
}

export const NOVEMBER = {
  from: new Date("2026-11-01T00:00:00Z"),
  to: new Date("2026-12-01T00:00:00Z"),
};
