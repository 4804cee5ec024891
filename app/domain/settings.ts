/**
 * Shop settings (docs/attribution.md, "Settings"; docs/openapi.json, GET/PUT /api/v1/settings): zod schemas, types, defaults,
 * and the PUT patch. Field names are the API's (snake_case), so a validated body is used as is.
 *
 * - Unknown top-level fields of a PUT body are ignored (a client may send back what GET returned, with
 *   `attribution` and `ingest`); unknown fields inside `channels`, a channel, or a provider are errors
 *   (`channels.emial: Unknown field`), as they are typos.
 * - `excluded_tags`: each trimmed; empty ones dropped; duplicates (case-insensitive) dropped, first spelling kept.
 * - `providers` (write-only secrets) in a PUT: `null` or `{"configured": false}` removes a provider's secret;
 *   `{"configured": true}` (what GET shows) leaves it as it is; an object with the secret fields sets it.
 */
import { z } from "zod";
import { CHANNELS, STAGE_EVENTS, type Channel, type StageEvent } from "./types";

export const PROVIDERS = ["sendgrid", "mailgun", "twilio", "postmark"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const MAX_WINDOW_HOURS = 2160;
export const DEFAULT_WINDOW_HOURS = 24;
export const DEFAULT_EVENT: StageEvent = "clicked";

export interface ChannelSettings {
  event: StageEvent;
  window_hours: number;
}

/** Everything attribution and reports read. */
export interface AttributionSettings {
  enabled: boolean;
  currency: string;
  channels: Record<Channel, ChannelSettings>;
  excluded_tags: string[];
  ignore_machine_opens: boolean;
}

export interface ProviderSecrets {
  sendgrid?: { public_key: string };
  mailgun?: { signing_key: string };
  twilio?: { auth_token: string };
  postmark?: { username: string; password: string };
}

export interface ShopSettings extends AttributionSettings {
  providers: ProviderSecrets;
}

// ---------------------------------------------------------------- field schemas

export const currencySchema = z.string({ error: "must be a currency code such as USD" }).regex(/^[A-Z]{3}$/, {
  error: "must be an ISO 4217 currency code in upper case, such as USD",
});

export const stageEventSchema = z.enum(STAGE_EVENTS, {
  error: "must be one of sent, delivered, opened, clicked",
});

export const windowHoursSchema = z
  .number({
    error: `must be a whole number of hours from 1 to ${MAX_WINDOW_HOURS}`,
  })
  .int({
    error: `must be a whole number of hours from 1 to ${MAX_WINDOW_HOURS}`,
  })
  .min(1, {
    error: `must be a whole number of hours from 1 to ${MAX_WINDOW_HOURS}`,
  })
  .max(MAX_WINDOW_HOURS, {
    error: `must be a whole number of hours from 1 to ${MAX_WINDOW_HOURS}`,
  });

export const channelSettingsSchema = z.strictObject({
  event: stageEventSchema,
  window_hours: windowHoursSchema,
});

/** Trim, drop empties, drop case-insensitive duplicates keeping the first spelling. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim();
    if (t === "") continue;
    const k = t.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

export const excludedTagsSchema = z
  .array(z.string({ error: "must be a string" }).max(200, { error: "must be at most 200 characters" }), {
    error: "must be an array of strings",
  })
  .max(1000, { error: "must have at most 1000 tags" })
  .transform(normalizeTags);

const boolSchema = z.boolean({ error: "must be true or false" });

function nonEmpty(name: string) {
  return z
    .string({ error: `${name} must be a string` })
    .trim()
    .min(1, { error: `${name} must not be empty` })
    .max(10_000, { error: `${name} is too long` });
}

/**
 * SendGrid's verification key: base64 of a DER public key (SubjectPublicKeyInfo, a DER SEQUENCE).
 * PEM armour and whitespace are accepted and removed; the stored form is plain base64.
 */
export function normalizeBase64DerKey(raw: string): string | null {
  const b64 = raw.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  if (b64.length < 40 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  if (bin.charCodeAt(0) !== 0x30) return null; // DER SEQUENCE
  return b64;
}

const sendgridKeySchema = z.string({ error: "must be a base64 DER public key" }).transform((s, ctx) => {
  const k = normalizeBase64DerKey(s);
  if (k === null) {
    ctx.addIssue({
      code: "custom",
      message: "must be a base64 DER public key",
    });
    return z.NEVER;
  }
  return k;
});

export const providerSecretsSchema = z.strictObject({
  sendgrid: z.strictObject({ public_key: sendgridKeySchema }).optional(),
  mailgun: z.strictObject({ signing_key: nonEmpty("signing_key") }).optional(),
  twilio: z.strictObject({ auth_token: nonEmpty("auth_token") }).optional(),
  postmark: z
    .strictObject({
      username: nonEmpty("username"),
      password: nonEmpty("password"),
    })
    .optional(),
});

/** A provider entry in a PUT: null, `{configured}`, or the secret fields. */
function providerPatchSchema<T extends z.ZodRawShape>(secretShape: T) {
  const fields = Object.keys(secretShape);
  const optionalShape = Object.fromEntries(fields.map((f) => [f, (secretShape[f] as z.ZodType).optional()]));
  return z
    .strictObject({ configured: boolSchema.optional(), ...optionalShape })
    .superRefine((v, ctx) => {
      const given = fields.filter((f) => (v as Record<string, unknown>)[f] !== undefined);
      if (given.length === 0) {
        if (v.configured === undefined) {
          ctx.addIssue({
            code: "custom",
            message: `must give ${fields.join(" and ")}, or configured`,
          });
        }
        return;
      }
      for (const f of fields) {
        if ((v as Record<string, unknown>)[f] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [f],
            message: `${f} is required`,
          });
        }
      }
    })
    .nullable();
}

export const providersPatchSchema = z.strictObject({
  sendgrid: providerPatchSchema({ public_key: sendgridKeySchema }).optional(),
  mailgun: providerPatchSchema({
    signing_key: nonEmpty("signing_key"),
  }).optional(),
  twilio: providerPatchSchema({
    auth_token: nonEmpty("auth_token"),
  }).optional(),
  postmark: providerPatchSchema({
    username: nonEmpty("username"),
    password: nonEmpty("password"),
  }).optional(),
});

// ---------------------------------------------------------------- whole settings and patch

const channelsShape = Object.fromEntries(CHANNELS.map((c) => [c, channelSettingsSchema])) as Record<
  Channel,
  typeof channelSettingsSchema
>;

/** Complete settings, e.g. as stored. */
export const settingsSchema = z.object({
  enabled: boolSchema,
  currency: currencySchema,
  channels: z.strictObject(channelsShape),
  excluded_tags: excludedTagsSchema,
  ignore_machine_opens: boolSchema,
  providers: providerSecretsSchema.default({}),
});

const channelPatchSchema = z.strictObject({
  event: stageEventSchema.optional(),
  window_hours: windowHoursSchema.optional(),
});

const channelsPatchShape = Object.fromEntries(CHANNELS.map((c) => [c, channelPatchSchema.optional()])) as Record<
  Channel,
  z.ZodOptional<typeof channelPatchSchema>
>;

/** PUT /api/v1/settings: any subset; channels may be partial, and so may each channel. */
export const settingsPatchSchema = z.object(
  {
    enabled: boolSchema.optional(),
    currency: currencySchema.optional(),
    channels: z
      .strictObject(channelsPatchShape, {
        error: "must be an object of channels",
      })
      .optional(),
    excluded_tags: excludedTagsSchema.optional(),
    ignore_machine_opens: boolSchema.optional(),
    providers: providersPatchSchema.optional(),
  },
  { error: "must be a JSON object" },
);

export type SettingsPatch = z.output<typeof settingsPatchSchema>;

/** Defaults: enabled, the shop's currency (USD without one), every channel `clicked` within 24 hours, no excluded tags, machine opens ignored. */
export function defaultSettings(shopCurrency?: string | null): ShopSettings {
  const currency = shopCurrency && /^[A-Za-z]{3}$/.test(shopCurrency) ? shopCurrency.toUpperCase() : "USD";
  return {
    enabled: true,
    currency,
    channels: defaultChannels(),
    excluded_tags: [],
    ignore_machine_opens: true,
    providers: {},
  };
}

export function defaultChannels(): Record<Channel, ChannelSettings> {
  return Object.fromEntries(
    CHANNELS.map((c) => [c, { event: DEFAULT_EVENT, window_hours: DEFAULT_WINDOW_HOURS }]),
  ) as Record<Channel, ChannelSettings>;
}

/** The settings after a validated PUT patch. Pure: `current` is not modified. */
export function applyPatch(current: ShopSettings, patch: SettingsPatch): ShopSettings {
  const channels = { ...current.channels };
  for (const c of CHANNELS) {
    const p = patch.channels?.[c];
    if (p)
      channels[c] = {
        event: p.event ?? channels[c].event,
        window_hours: p.window_hours ?? channels[c].window_hours,
      };
  }
  const providers: ProviderSecrets = { ...current.providers };
  if (patch.providers) {
    for (const name of PROVIDERS) {
      const p = patch.providers[name] as (Record<string, unknown> & { configured?: boolean }) | null | undefined;
      if (p === undefined) continue;
      if (p === null || (p.configured === false && Object.keys(p).length === 1)) {
        delete providers[name];
        continue;
      }
      const { configured: _configured, ...secret } = p;
      if (Object.keys(secret).length === 0) continue; // {"configured": true}: unchanged
      (providers as Record<string, unknown>)[name] = secret;
    }
  }
  return {
    enabled: patch.enabled ?? current.enabled,
    currency: patch.currency ?? current.currency,
    channels,
    excluded_tags: patch.excluded_tags ?? [...current.excluded_tags],
    ignore_machine_opens: patch.ignore_machine_opens ?? current.ignore_machine_opens,
    providers,
  };
}

/** What GET shows: everything but the secrets, which become `{"configured": true|false}`. */
export function publicSettings(s: ShopSettings): AttributionSettings & {
  providers: Record<Provider, { configured: boolean }>;
} {
  return {
    enabled: s.enabled,
    currency: s.currency,
    channels: Object.fromEntries(CHANNELS.map((c) => [c, { ...s.channels[c] }])) as Record<Channel, ChannelSettings>,
    excluded_tags: [...s.excluded_tags],
    ignore_machine_opens: s.ignore_machine_opens,
    providers: Object.fromEntries(PROVIDERS.map((p) => [p, { configured: s.providers[p] !== undefined }])) as Record<
      Provider,
      { configured: boolean }
    >,
  };
}

/**
 * Whether attribution results can differ between two settings: currency, any channel's event or window,
 * the excluded tags (compared case-insensitively, as a set) or `ignore_machine_opens`. `enabled` only hides
 * sales in reports and `providers` only guards ingestion, so neither needs a re-attribution.
 */
export function needsReattribution(before: AttributionSettings, after: AttributionSettings): boolean {
  if (before.currency !== after.currency || before.ignore_machine_opens !== after.ignore_machine_opens) return true;
  for (const c of CHANNELS) {
    if (before.channels[c].event !== after.channels[c].event) return true;
    if (before.channels[c].window_hours !== after.channels[c].window_hours) return true;
  }
  const tags = (t: string[]) => [...new Set(t.map((x) => x.trim().toLowerCase()))].sort().join("\u0000");
  return tags(before.excluded_tags) !== tags(after.excluded_tags);
}
