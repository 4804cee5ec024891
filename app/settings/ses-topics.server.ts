import { findShopById, setSesTopicArns } from "../data/shops.server";
import { sesProviderPatchSchema, sesTopicArnsSchema } from "../domain/ses-topics";
import { parseWithDetails, type ErrorDetail } from "../domain/validation";

/**
 * The SES topic pins in the settings (docs/security.md, "Amazon SES"): shown as `providers.ses` by GET
 * /api/v1/settings, set by PUT `providers.ses.topic_arns` and by the settings page's SES card.
 */
export interface SesProviderView {
  configured: boolean;
  topic_arns: string[];
}

export function sesView(topicArns: readonly string[] | null | undefined): SesProviderView {
  const list = [...(topicArns ?? [])];
  return { configured: list.length > 0, topic_arns: list };
}

export async function readSesView(shopId: bigint): Promise<SesProviderView> {
  return sesView((await findShopById(shopId))?.sesTopicArns);
}

/**
 * Takes `providers.ses` out of a PUT body (the rest goes through the settings schema, which does not know it):
 * returns the rest, the topics to set (undefined: not given) and any problems with them, named by path.
 */
export function takeSesPatch(body: unknown): {
  rest: unknown;
  topicArns: string[] | undefined;
  details: ErrorDetail[];
} {
  if (!body || typeof body !== "object" || Array.isArray(body))
    return { rest: body, topicArns: undefined, details: [] };
  const providers = (body as Record<string, unknown>).providers;
  if (!providers || typeof providers !== "object" || Array.isArray(providers) || !("ses" in providers)) {
    return { rest: body, topicArns: undefined, details: [] };
  }
  const { ses, ...otherProviders } = providers as Record<string, unknown>;
  const rest = { ...(body as Record<string, unknown>), providers: otherProviders };
  if (ses === null) return { rest, topicArns: [], details: [] }; // like the other providers: null removes
  const parsed = parseWithDetails(sesProviderPatchSchema, ses);
  if (!parsed.ok) {
    return {
      rest,
      topicArns: undefined,
      details: parsed.details.map((d) => ({
        path: d.path ? `providers.ses.${d.path}` : "providers.ses",
        message: d.message,
      })),
    };
  }
  return { rest, topicArns: parsed.data.topic_arns, details: [] };
}

/** The settings page's SES card: one topic ARN per line. */
export async function saveSesTopicsFromForm(
  shopId: bigint,
  text: string,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const lines = text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const parsed = parseWithDetails(sesTopicArnsSchema, lines);
  if (!parsed.ok) return { ok: false, error: parsed.details.map((d) => d.message).join("; ") };
  await setSesTopicArns(shopId, parsed.data);
  return { ok: true };
}
