/** What the settings page's cards share: provider and event labels, the action's answer, the fetcher hook. */
import { useEffect, useRef } from "react";
import { useFetcher, useLoaderData } from "@remix-run/react";
import type { StageEvent } from "../../domain/types";
import type { action, loader } from "./route";

export const PROVIDER_INFO = {
  sendgrid: {
    name: "SendGrid",
    where:
      "Settings › Mail Settings › Event Webhook. Turn on Signed Event Webhook and paste its verification key here.",
    fields: [{ name: "public_key", label: "Verification key", multiline: true }],
  },
  mailgun: {
    name: "Mailgun",
    where: "Sending › Webhooks: add this URL for delivered, opened and clicked. The signing key is on the same page.",
    fields: [{ name: "signing_key", label: "HTTP webhook signing key", multiline: false }],
  },
  postmark: {
    name: "Postmark",
    where:
      "Servers › your server › Webhooks: add this URL with basic authentication, and enter the same credentials here.",
    fields: [
      { name: "username", label: "Basic auth username", multiline: false },
      { name: "password", label: "Basic auth password", multiline: false },
    ],
  },
  ses: {
    name: "Amazon SES",
    where:
      "Publish events through an SNS topic with an HTTPS subscription to this URL. SNS signs every message; the app verifies it.",
    fields: [],
  },
  twilio: {
    name: "Twilio",
    where:
      "Use this URL as the status callback of your messages, with ?campaign_id=…&campaign_name=… added. Requests are checked with your auth token.",
    fields: [{ name: "auth_token", label: "Auth token", multiline: false }],
  },
} as const;

export type IngestProvider = keyof typeof PROVIDER_INFO;

export const EVENT_LABELS: Record<StageEvent, string> = {
  sent: "Message sent",
  delivered: "Message delivered",
  opened: "Message opened",
  clicked: "Link clicked",
};

export function currencyOptions() {
  const names = new Intl.DisplayNames(["en"], { type: "currency" });
  return Intl.supportedValuesOf("currency").map((code) => ({
    value: code,
    label: `${code} — ${names.of(code) ?? code}`,
  }));
}

export type ActionResult =
  | { ok: true; intent: string; message: string; key?: { key: string; prefix: string } }
  | { ok: false; intent: string; message: string; errors: Record<string, string> };

export function fail(
  intent: string,
  errors: Record<string, string>,
  message = "Some fields need your attention.",
): ActionResult {
  return { ok: false, intent, message, errors };
}

export type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

/** Calls `notify` once per completed submission of this fetcher. */
export function useFetcherResult(
  fetcher: ReturnType<typeof useFetcher<typeof action>>,
  notify: (m: string, e?: boolean) => void,
) {
  const seen = useRef<unknown>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && fetcher.data !== seen.current) {
      seen.current = fetcher.data;
      notify(fetcher.data.message, !fetcher.data.ok);
    }
  }, [fetcher.state, fetcher.data, notify]);
  return fetcher.data && !fetcher.data.ok ? fetcher.data.errors : {};
}
