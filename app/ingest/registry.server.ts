/**
 * The event sources of POST /ingest/<provider>/<token>, in the order the settings page lists them. Adding a provider
 * is one file in app/ingest/providers/ (an `IngestProvider`: check the sender, parse the body) and one line here.
 */
import { mailgun } from "./providers/mailgun.server";
import { postmark } from "./providers/postmark.server";
import type { IngestProvider } from "./providers/provider";
import { sendgrid } from "./providers/sendgrid.server";
import { ses } from "./providers/ses.server";
import { twilio } from "./providers/twilio.server";

export const PROVIDER_REGISTRY = {
  sendgrid,
  mailgun,
  postmark,
  ses,
  twilio,
} as const satisfies Record<string, IngestProvider>;

export type ProviderName = keyof typeof PROVIDER_REGISTRY;
export const PROVIDERS = Object.keys(PROVIDER_REGISTRY) as ProviderName[];

export function providerNamed(name: string): IngestProvider | null {
  return Object.hasOwn(PROVIDER_REGISTRY, name) ? PROVIDER_REGISTRY[name as ProviderName] : null;
}
