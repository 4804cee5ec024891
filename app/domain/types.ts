/**
 * The normalised records every source (Shopify webhook, public API, provider webhook, pixel) is turned into.
 * Nothing downstream of a parser knows where a record came from, except through `source`.
 * Pure types: no I/O, no imports from the rest of the app.
 */

export const CHANNELS = ["email", "sms", "push", "whatsapp", "telegram", "viber"] as const;
export type Channel = (typeof CHANNELS)[number];

/** The four events that can connect a message to a sale, in stage order. */
export const STAGE_EVENTS = ["sent", "delivered", "opened", "clicked"] as const;
export type StageEvent = (typeof STAGE_EVENTS)[number];

export const EVENT_SOURCES = [
  "api",
  "sendgrid",
  "mailgun",
  "postmark",
  "ses",
  "twilio",
  "pixel",
  "landing_site",
] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** A recipient as received (raw). Normalise with `app/domain/identity.ts` before storing or comparing. */
export interface RecipientInput {
  email?: string | null;
  phone?: string | null;
  customerId?: string | null;
}

/** Normalised identity keys: email trimmed + lower-cased, phone E.164, customer id as a string. */
export interface RecipientKeys {
  email: string | null;
  phone: string | null;
  customerId: string | null;
}

/** One message event, as any source reports it, after parsing and validation. */
export interface MessageEventInput {
  /** Deduplication key within the shop (API `id`, SendGrid `sg_event_id`, SNS MessageId, ...). Null: derived from content. */
  externalId: string | null;
  /** `sent` | `delivered` | `opened` | `clicked`, or any other lower-case word (bounced, dropped, ...) that is stored only. */
  type: string;
  channel: Channel;
  occurredAt: Date;
  campaignId: string;
  campaignName: string | null;
  /** Null: the message is `campaignId:channel:recipientKey` (docs/attribution.md, "Messages and events"). */
  messageId: string | null;
  recipient: RecipientInput;
  tags: string[];
  url: string | null;
  /** An open or click made by a privacy proxy or link scanner rather than a person. */
  machine: boolean;
  source: EventSource;
}

/** A refund: `amount` is a decimal string (sum of successful `refund` transactions). */
export interface RefundInput {
  externalId: string;
  orderExternalId: string;
  createdAt: Date;
  amount: string;
  currency: string | null;
}

/** An order in Shopify's terms, after parsing. Ids are exact strings (Shopify ids exceed 2^53). */
export interface OrderInput {
  externalId: string;
  name: string | null;
  processedAt: Date | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  currency: string;
  /** Decimal string, >= 0, in the order's (shop-money) currency. */
  totalPrice: string;
  email: string | null;
  phone: string | null;
  customer: { id: string | null; email: string | null; phone: string | null } | null;
  test: boolean;
  cancelledAt: Date | null;
  landingSite: string | null;
  refunds: RefundInput[];
  /** Shopify's checkout token (REST `checkout_token`, GraphQL `checkoutToken`); absent where the source has none. */
  checkoutToken?: string | null;
}
