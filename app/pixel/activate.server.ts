import { setWebPixelId } from "../data/shops.server";
import { env } from "../env.server";
import { log } from "../logger.server";
import type { AdminGraphql } from "../shops/install.server";
import { pixelToken } from "./token.server";

/**
 * Activates the click pixel (extensions/click-pixel) on a shop through the GraphQL Admin API, with the settings its
 * `shopify.extension.toml` declares: `app_url` (where it posts) and `shop_token` (app/pixel/token.server.ts).
 * Idempotent, run after every install/re-auth so the settings follow the app URL and secret:
 * - a known `shops.web_pixel_id`: `webPixelUpdate`; if Shopify no longer has it (deleted on uninstall), create;
 * - otherwise `webPixelCreate`; if the app already has a pixel on the shop (`TAKEN`: the id was lost), read its id
 *   with the `webPixel` query and update it.
 * The pixel's id is stored in `shops.web_pixel_id`.
 */
export const WEB_PIXEL_CREATE = `#graphql
  mutation WebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      userErrors { code field message }
      webPixel { id settings }
    }
  }`;

export const WEB_PIXEL_UPDATE = `#graphql
  mutation WebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      userErrors { code field message }
      webPixel { id settings }
    }
  }`;

export const WEB_PIXEL_QUERY = `#graphql
  query AppWebPixel {
    webPixel { id }
  }`;

export interface ClickPixelSettings {
  app_url: string;
  shop_token: string;
}

export function clickPixelSettings(shopId: bigint): ClickPixelSettings {
  return { app_url: env().SHOPIFY_APP_URL.replace(/\/+$/, ""), shop_token: pixelToken(shopId) };
}

interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}
interface MutationPayload {
  userErrors?: UserError[];
  webPixel?: { id: string } | null;
}

export class PixelActivationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PixelActivationError";
  }
}

async function call<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await graphql(query, variables);
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) {
    throw new PixelActivationError(
      `GraphQL error: ${(body.errors ?? []).map((e) => e.message).join("; ") || "no data"}`,
    );
  }
  return body.data;
}

type Outcome = { id: string } | { errors: UserError[] };

function outcome(p: MutationPayload | null | undefined): Outcome {
  if (p?.webPixel?.id) return { id: p.webPixel.id };
  return { errors: p?.userErrors?.length ? p.userErrors : [{ message: "no web pixel returned" }] };
}

const hasCode = (o: Outcome, code: string) => "errors" in o && o.errors.some((e) => e.code === code);
const describeErrors = (o: Outcome) =>
  "errors" in o ? o.errors.map((e) => `${e.code ?? "?"}: ${e.message}`).join("; ") : "";

async function create(graphql: AdminGraphql, settings: string): Promise<Outcome> {
  const d = await call<{ webPixelCreate: MutationPayload }>(graphql, WEB_PIXEL_CREATE, { webPixel: { settings } });
  return outcome(d.webPixelCreate);
}

async function update(graphql: AdminGraphql, id: string, settings: string): Promise<Outcome> {
  const d = await call<{ webPixelUpdate: MutationPayload }>(graphql, WEB_PIXEL_UPDATE, { id, webPixel: { settings } });
  return outcome(d.webPixelUpdate);
}

/** Creates or updates the shop's click pixel; returns its id (also stored in shops.web_pixel_id). */
export async function activateClickPixel(
  shop: { id: bigint; webPixelId: string | null },
  graphql: AdminGraphql,
): Promise<string> {
  const settings = JSON.stringify(clickPixelSettings(shop.id));
  let result: Outcome | null = null;
  if (shop.webPixelId) {
    result = await update(graphql, shop.webPixelId, settings);
    if (hasCode(result, "NOT_FOUND")) result = null; // deleted on Shopify's side: create it again
  }
  result ??= await create(graphql, settings);
  if (hasCode(result, "TAKEN")) {
    const existing = await call<{ webPixel?: { id: string } | null }>(graphql, WEB_PIXEL_QUERY);
    if (existing.webPixel?.id) result = await update(graphql, existing.webPixel.id, settings);
  }
  if ("errors" in result) throw new PixelActivationError(`web pixel activation failed: ${describeErrors(result)}`);
  if (result.id !== shop.webPixelId) await setWebPixelId(shop.id, result.id);
  log.info("click pixel active", { shopId: shop.id, webPixelId: result.id });
  return result.id;
}
