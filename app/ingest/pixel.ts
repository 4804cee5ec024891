/**
 * The click pixel's post (`POST /pixel/<token>`, sent by extensions/click-pixel on `checkout_completed`):
 * `{"shop", "order_id", "checkout_token", "message_id", "landed_at", "occurred_at"}`.
 *
 * Pure: validation, the pixel token's shape, and the mapping onto a `clicked` event of the message tied to the
 * order (docs/attribution.md "Matching": a tracked link is a `clicked` event of that message at the landing time,
 * whatever address the buyer used). See docs/decisions/006-click-pixel.md.
 */
import { z } from "zod";
import type { Channel, MessageEventInput } from "../domain/types";
import { type ErrorDetail, type Result, makeEvent } from "./common";
import { MAX_ID, describe, parseId } from "./scalars";
import { field, runSchema, zIsoDate, zStr, zObject } from "./schema";
import { type JsonParseOptions, isJsonObject, parseJson } from "./json";

/** What the pixel reports: the landing with a tracked link (`cr_mid`) that became this order. */
export interface PixelCheckout {
  /** The shop's `*.myshopify.com` domain, lower-case. */
  shop: string;
  /** The order's id as Shopify's order webhooks give it (`gid://shopify/Order/123` -> `123`). */
  orderId: string;
  checkoutToken: string;
  messageId: string;
  landedAt: Date;
  occurredAt: Date;
}

const SHOP_RE = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** `123`, `"123"`, `"gid://shopify/Order/123"`, `"gid://shopify/OrderIdentity/123"` -> `"123"`. */
export function normalizeOrderId(v: unknown): string | { error: string } {
  const id = parseId(v);
  if (typeof id !== "string") return id;
  const gid = /^gid:\/\/shopify\/(?:Order|OrderIdentity)\/(\d+)(?:\?.*)?$/.exec(id);
  if (gid) return gid[1]!;
  if (id.startsWith("gid://")) return { error: "must be an order id or a gid://shopify/Order/<id>" };
  return id;
}

const schema = zObject({
  shop: field((v, ctx): string => {
    if (v === undefined || v === null) {
      ctx.issues.push({ code: "custom", message: "is required", input: v });
      return z.NEVER;
    }
    const s = typeof v === "string" ? v.trim().toLowerCase() : null;
    if (s === null || !SHOP_RE.test(s)) {
      ctx.issues.push({
        code: "custom",
        message:
          typeof v === "string"
            ? "must be a <name>.myshopify.com domain"
            : `expected a string, received ${describe(v)}`,
        input: v,
      });
      return z.NEVER;
    }
    return s;
  }),
  order_id: field((v, ctx): string => {
    if (v === undefined || v === null) {
      ctx.issues.push({ code: "custom", message: "is required", input: v });
      return z.NEVER;
    }
    const r = normalizeOrderId(v);
    if (typeof r === "string") return r;
    ctx.issues.push({ code: "custom", message: r.error, input: v });
    return z.NEVER;
  }),
  // Required: a link counts only when it names the checkout that became the order (docs/decisions/006-click-pixel.md).
  checkout_token: zStr(MAX_ID),
  message_id: zStr(MAX_ID),
  landed_at: zIsoDate(),
  occurred_at: zIsoDate(),
});

/** Validates the pixel's body (raw bytes or text); every bad field is named. */
export function parsePixelCheckout(
  raw: string | Uint8Array,
  options?: JsonParseOptions,
): Result<{ checkout: PixelCheckout }> {
  const p = parseJson(raw, options);
  if (!p.ok) return { ok: false, errors: p.errors };
  if (!isJsonObject(p.value)) return { ok: false, errors: [{ path: "", message: "body must be a JSON object" }] };
  const r = runSchema(schema, p.value);
  if (!r.ok) return r;
  const d = r.data;
  const errors: ErrorDetail[] = [];
  if (d.landed_at.getTime() > d.occurred_at.getTime()) {
    errors.push({ path: "landed_at", message: "must not be after occurred_at (the landing precedes the checkout)" });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    checkout: {
      shop: d.shop,
      orderId: d.order_id,
      checkoutToken: d.checkout_token,
      messageId: d.message_id,
      landedAt: d.landed_at,
      occurredAt: d.occurred_at,
    },
  };
}

/** The message's campaign and channel, as its other stored events name them. */
export interface KnownMessage {
  campaignId: string;
  campaignName: string | null;
  channel: Channel;
}

/**
 * Campaign of a pixel click whose message has no other stored event yet. The event must name a campaign (the
 * column is required), but a message's campaign and channel come from its EARLIEST event (app/domain/attribution.ts)
 * and a landing always follows its send, so once the message's `sent` event arrives, it names the campaign and this
 * placeholder is ignored. Only a message that is never reported keeps it.
 */
export const UNKNOWN_MESSAGE_CAMPAIGN = "pixel:uncategorized";
export const UNKNOWN_MESSAGE_CHANNEL: Channel = "email";

/**
 * The landing as a `clicked` event of the message (source `pixel`), at the landing time, tied to the order by the
 * caller's `orderKey` (= `checkout.orderId`). Dedup: one per (order, message).
 *
 * Times come from the visitor's clock. A clock running fast would put the landing after the order's
 * `processed_at` (server time) and lose the sale, so when `occurred_at` (the checkout) is later than `receivedAt`,
 * the landing is moved back by that difference: the landing-to-checkout duration is kept, the clock's lead is not.
 * A clock running slow only moves the landing earlier, which keeps it before the sale.
 */
export function pixelClickEvent(
  checkout: PixelCheckout,
  message: KnownMessage | null,
  receivedAt = new Date(),
): MessageEventInput {
  return pixelLinkEvent(pixelLink(checkout, receivedAt), message);
}

/**
 * A pixel link as stored (table pixel_links) until it is verified: the order, the message, the checkout it names,
 * and the landing time already corrected for the visitor's clock (see `pixelClickEvent`).
 */
export interface PixelLink {
  orderId: string;
  messageId: string;
  checkoutToken: string;
  landedAt: Date;
}

export function pixelLink(checkout: PixelCheckout, receivedAt = new Date()): PixelLink {
  const lead = Math.max(0, checkout.occurredAt.getTime() - receivedAt.getTime());
  return {
    orderId: checkout.orderId,
    messageId: checkout.messageId,
    checkoutToken: checkout.checkoutToken,
    landedAt: new Date(checkout.landedAt.getTime() - lead),
  };
}

/** A verified link as the `clicked` event of its message, tied to its order by the caller (`order_key`). */
export function pixelLinkEvent(
  link: Pick<PixelLink, "orderId" | "messageId" | "landedAt">,
  message: KnownMessage | null,
): MessageEventInput {
  return makeEvent({
    externalId: `${link.orderId}:${link.messageId}`,
    type: "clicked",
    channel: message?.channel ?? UNKNOWN_MESSAGE_CHANNEL,
    occurredAt: link.landedAt,
    campaignId: message?.campaignId ?? UNKNOWN_MESSAGE_CAMPAIGN,
    campaignName: message?.campaignName ?? null,
    messageId: link.messageId,
    recipient: {},
    source: "pixel",
  });
}

/** The checkout body schema, for the API reference (app/http/openapi.server.ts). */
export { schema as pixelCheckoutSchema };
