import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useFetchers, useLoaderData, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  Collapsible,
  Divider,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Tag,
  Text,
  TextField,
  Toast,
} from "@shopify/polaris";
import { authenticateShop } from "../../admin/context.server";
import { createApiKey, listApiKeys, revokeApiKey } from "../../data/api-keys.server";
import { MAX_WINDOW_HOURS, settingsPatchSchema, type SettingsPatch } from "../../domain/settings";
import { saleFormula } from "../../domain/sale-formula";
import { CHANNELS, STAGE_EVENTS, type Channel, type StageEvent } from "../../domain/types";
import { parseWithDetails } from "../../domain/validation";
import { changeSettings, readSettings } from "../../settings/settings.server";
import {
  enabledForm,
  fieldErrors,
  formField,
  providerFieldErrors,
  providerSecretForm,
  rulesForm,
} from "../../settings/form";
import { PreviewPanel } from "../../components/settings/PreviewPanel";
import { AttributionProgress } from "../../components/AttributionProgress";
import { CopyField } from "../../components/CopyField";
import { SesTopicsCard } from "../../components/settings/SesTopicsCard";
import { saveSesTopicsFromForm } from "../../settings/ses-topics.server";
import { ImportCard } from "../../components/settings/ImportCard";
import { importStatus } from "../../imports/service.server";
import { channelLabel, formatDateTime } from "../../components/format";
import { AuditLogCard } from "../../components/settings/AuditLogCard";
import { CustomerDataCard } from "../../components/settings/CustomerDataCard";
import { IngestTokenCard } from "../../components/settings/IngestTokenCard";
import { listAudit } from "../../data/audit.server";

export const meta: MetaFunction = () => [{ title: "Settings · Campaign revenue" }];

const PROVIDER_INFO = {
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
type IngestProvider = keyof typeof PROVIDER_INFO;

const EVENT_LABELS: Record<StageEvent, string> = {
  sent: "Message sent",
  delivered: "Message delivered",
  opened: "Message opened",
  clicked: "Link clicked",
};

function currencyOptions() {
  const names = new Intl.DisplayNames(["en"], { type: "currency" });
  return Intl.supportedValuesOf("currency").map((code) => ({
    value: code,
    label: `${code} — ${names.of(code) ?? code}`,
  }));
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  const [settings, keys, audit, imports] = await Promise.all([
    readSettings(shop.id),
    listApiKeys(shop.id),
    listAudit(shop.id),
    importStatus(shop.id, shop.domain),
  ]);
  return {
    imports,
    shop: { domain: shop.domain, timezone: shop.timezone, currency: shop.currency },
    settings: {
      enabled: settings.enabled,
      currency: settings.currency,
      channels: settings.channels,
      excluded_tags: settings.excluded_tags,
      ignore_machine_opens: settings.ignore_machine_opens,
      providers: settings.providers,
    },
    attribution: settings.attribution,
    ingestUrls: settings.ingest.urls,
    currencies: currencyOptions(),
    keys: keys.map((k) => ({
      id: k.id.toString(),
      prefix: k.prefix,
      label: k.label,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    })),
    audit,
  };
};

type ActionResult =
  | { ok: true; intent: string; message: string; key?: { key: string; prefix: string } }
  | { ok: false; intent: string; message: string; errors: Record<string, string> };

function fail(
  intent: string,
  errors: Record<string, string>,
  message = "Some fields need your attention.",
): ActionResult {
  return { ok: false, intent, message, errors };
}

async function applyPatch(
  shop: { id: bigint; actor: string },
  intent: string,
  patch: unknown,
  message: string,
): Promise<ActionResult> {
  const parsed = parseWithDetails(settingsPatchSchema, patch);
  if (!parsed.ok) return fail(intent, fieldErrors(parsed.details));
  await changeSettings(shop.id, parsed.data as SettingsPatch, shop.actor);
  return { ok: true, intent, message };
}

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const authed = await authenticateShop(request);
  const shop = { ...authed.shop, actor: authed.actor };
  const field = formField(await request.formData());
  const intent = field("intent");

  switch (intent) {
    case "enabled": {
      const patch = enabledForm(field);
      return applyPatch(
        shop,
        intent,
        patch,
        patch.enabled ? "Campaign sales are shown in reports" : "Campaign sales are hidden",
      );
    }
    case "rules": {
      const rules = rulesForm(field);
      if (!rules.ok) return fail(intent, rules.errors);
      return applyPatch(shop, intent, rules.patch, "Attribution rules saved");
    }
    case "currency":
      return applyPatch(shop, intent, { currency: field("currency") }, "Revenue currency saved");
    case "provider": {
      const provider = field("provider") as IngestProvider;
      const info = PROVIDER_INFO[provider];
      if (!info || info.fields.length === 0) return fail(intent, { provider: "Unknown provider" });
      if (field("op") === "remove") {
        return applyPatch(shop, intent, { providers: { [provider]: null } }, `${info.name} verification removed`);
      }
      const secret = providerSecretForm(
        field,
        info.fields.map((f) => f.name),
      );
      const result = await applyPatch(
        shop,
        intent,
        { providers: { [provider]: secret } },
        `${info.name} verification saved`,
      );
      if (!result.ok) {
        result.errors = providerFieldErrors(result.errors, provider);
      }
      return result;
    }
    case "ses-topics": {
      const saved = await saveSesTopicsFromForm(shop.id, field("topic_arns"));
      return saved.ok ? { ok: true, intent, message: "SES topics saved" } : fail(intent, { topic_arns: saved.error });
    }
    case "create-key": {
      const label = field("label").trim().slice(0, 100) || null;
      const created = await createApiKey(shop.id, label ?? undefined, shop.actor);
      return { ok: true, intent, message: "API key created", key: { key: created.key, prefix: created.prefix } };
    }
    case "revoke-key": {
      const ok = await revokeApiKey(shop.id, field("id"), shop.actor);
      return ok
        ? { ok: true, intent, message: "API key revoked" }
        : fail(intent, { id: "This key is unknown or already revoked." }, "This key is unknown or already revoked.");
    }
    default:
      return fail(intent, {}, "Unknown action.");
  }
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function SettingsPage() {
  const data = useLoaderData<typeof loader>();
  const [toast, setToast] = useState<{ content: string; error?: boolean } | null>(null);
  const notify = useCallback((content: string, error = false) => setToast({ content, error }), []);
  // A save of rules or currency re-attributes the history: show it from the click, before the server answers.
  const saving = useFetchers().some(
    (f) => f.state !== "idle" && ["rules", "currency"].includes(String(f.formData?.get("intent") ?? "")),
  );

  return (
    <Page title="Settings" backAction={{ content: "Reports", url: "/app" }} narrowWidth={false}>
      <BlockStack gap="500">
        <AttributionProgress status={data.attribution} starting={saving} />
        <Layout>
          <Layout.AnnotatedSection
            id="reports"
            title="Reports"
            description="Turn this off to see message statistics only, without purchases or revenue."
          >
            <EnabledCard enabled={data.settings.enabled} notify={notify} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="rules"
            title="Attribution rules"
            description="Which event connects a message to a sale, and for how long. A sale always goes to the last message sent that qualifies."
          >
            <RulesCard key={`rules-${data.attribution.version}`} settings={data.settings} notify={notify} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="currency"
            title="Revenue currency"
            description="Only orders in this currency count. Reports show amounts in it."
          >
            <CurrencyCard
              key={`currency-${data.attribution.version}`}
              currency={data.settings.currency}
              options={data.currencies}
              notify={notify}
            />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="sources"
            title="Event sources"
            description="Send your email and SMS provider's events here. Each URL is secret to your store."
          >
            <BlockStack gap="400">
              {(Object.keys(PROVIDER_INFO) as IngestProvider[]).map((p) => (
                <ProviderCard
                  key={p}
                  provider={p}
                  url={data.ingestUrls[p]}
                  configured={p === "ses" ? null : data.settings.providers[p].configured}
                  notify={notify}
                />
              ))}
              <SesTopicsCard topicArns={data.settings.providers.ses.topic_arns} notify={notify} />
              <IngestTokenCard notify={notify} />
            </BlockStack>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="imports"
            title="Order history"
            description="Import the orders placed before the app was installed; missed webhooks are reconciled every few hours."
          >
            <ImportCard status={data.imports} timezone={data.shop.timezone} />
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="api-keys"
            title="API keys"
            description="For your own systems: send orders and events, read reports and settings through the API (/api/v1)."
          >
            <ApiKeysCard keys={data.keys} timezone={data.shop.timezone} notify={notify} />
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection id="privacy" title="Customer data" description="Answer a customer's data request.">
            <CustomerDataCard notify={notify} />
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection id="activity" title="Activity" description="Who changed what, and when.">
            <AuditLogCard rows={data.audit} timezone={data.shop.timezone} />
          </Layout.AnnotatedSection>
        </Layout>
        <Box paddingBlockEnd="800" />
      </BlockStack>
      {toast ? (
        <Toast content={toast.content} error={toast.error} onDismiss={() => setToast(null)} duration={4000} />
      ) : null}
    </Page>
  );
}

/** Calls `notify` once per completed submission of this fetcher. */
function useFetcherResult(
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

function EnabledCard({ enabled, notify }: { enabled: boolean; notify: (m: string, e?: boolean) => void }) {
  const fetcher = useFetcher<typeof action>();
  useFetcherResult(fetcher, notify);
  const pending = fetcher.state !== "idle";
  const shown = pending ? fetcher.formData?.get("enabled") === "true" : enabled;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="400" wrap={false}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingSm" id="enabled-label">
                Show in reports sales made through campaigns
              </Text>
              <Badge tone={shown ? "success" : undefined}>{shown ? "On" : "Off"}</Badge>
            </InlineStack>
            <Text as="p" tone="subdued">
              {shown
                ? "Reports show purchases, average check and revenue for each campaign."
                : "Reports show sent, delivered, opened and clicked only."}
            </Text>
          </BlockStack>
          <Button
            role="switch"
            ariaChecked={shown ? "true" : "false"}
            accessibilityLabel="Show in reports sales made through campaigns"
            loading={pending}
            onClick={() => fetcher.submit({ intent: "enabled", enabled: String(!enabled) }, { method: "post" })}
          >
            {shown ? "Turn off" : "Turn on"}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function RulesCard({
  settings,
  notify,
}: {
  settings: LoaderData["settings"];
  notify: (m: string, e?: boolean) => void;
}) {
  const fetcher = useFetcher<typeof action>();
  const errors = useFetcherResult(fetcher, notify);
  const [channels, setChannels] = useState(
    () =>
      Object.fromEntries(
        CHANNELS.map((c) => [
          c,
          { event: settings.channels[c].event, window: String(settings.channels[c].window_hours) },
        ]),
      ) as Record<Channel, { event: StageEvent; window: string }>,
  );
  const [tags, setTags] = useState<string[]>(settings.excluded_tags);
  const [tagInput, setTagInput] = useState("");
  const [ignoreMachine, setIgnoreMachine] = useState(settings.ignore_machine_opens);
  const [moreOpen, setMoreOpen] = useState(false);

  const dirty =
    CHANNELS.some(
      (c) =>
        channels[c].event !== settings.channels[c].event ||
        channels[c].window !== String(settings.channels[c].window_hours),
    ) ||
    ignoreMachine !== settings.ignore_machine_opens ||
    tags.join("\u0000") !== settings.excluded_tags.join("\u0000");

  const addTag = () => {
    const t = tagInput.trim();
    if (t && !tags.some((x) => x.toLowerCase() === t.toLowerCase())) setTags([...tags, t]);
    setTagInput("");
  };

  const save = () => {
    const payload: Record<string, string> = {
      intent: "rules",
      excluded_tags: JSON.stringify(tagInput.trim() ? [...tags, tagInput.trim()] : tags),
      ignore_machine_opens: String(ignoreMachine),
    };
    for (const c of CHANNELS) {
      payload[`${c}.event`] = channels[c].event;
      payload[`${c}.window_hours`] = channels[c].window;
    }
    setTagInput("");
    fetcher.submit(payload, { method: "post" });
  };

  const channelRow = (c: Channel) => {
    const hours = Number(channels[c].window);
    const valid = /^\d+$/.test(channels[c].window) && hours >= 1 && hours <= MAX_WINDOW_HOURS;
    return (
      <BlockStack gap="200" key={c}>
        <Text as="h3" variant="headingSm">
          {channelLabel(c)}
        </Text>
        <FormLayout>
          <FormLayout.Group condensed>
            <Select
              label={
                <>
                  Connecting event
                  <Text as="span" visuallyHidden>
                    {` for ${channelLabel(c)}`}
                  </Text>
                </>
              }
              options={STAGE_EVENTS.map((e) => ({ value: e, label: EVENT_LABELS[e] }))}
              value={channels[c].event}
              onChange={(v) => setChannels({ ...channels, [c]: { ...channels[c], event: v as StageEvent } })}
            />
            <TextField
              label={
                <>
                  Window
                  <Text as="span" visuallyHidden>
                    {` for ${channelLabel(c)}`}
                  </Text>
                </>
              }
              type="number"
              min={1}
              max={MAX_WINDOW_HOURS}
              step={1}
              suffix="hours"
              autoComplete="off"
              value={channels[c].window}
              error={errors[`channels.${c}.window_hours`]}
              onChange={(v) => setChannels({ ...channels, [c]: { ...channels[c], window: v } })}
            />
          </FormLayout.Group>
        </FormLayout>
        <Text as="p" variant="bodySm" tone="subdued">
          {valid
            ? saleFormula({ event: channels[c].event, window_hours: hours })
            : `Enter 1 to ${MAX_WINDOW_HOURS} hours (90 days).`}
        </Text>
      </BlockStack>
    );
  };

  const main: Channel[] = ["email", "sms"];
  const others = CHANNELS.filter((c) => !main.includes(c));
  return (
    <Card>
      <BlockStack gap="400">
        {main.map(channelRow)}
        <Box>
          <Button
            variant="plain"
            disclosure={moreOpen ? "up" : "down"}
            onClick={() => setMoreOpen(!moreOpen)}
            ariaExpanded={moreOpen}
            ariaControls="more-channels"
          >
            {`Other channels (${others.map(channelLabel).join(", ")})`}
          </Button>
        </Box>
        <Collapsible id="more-channels" open={moreOpen}>
          <BlockStack gap="400">{others.map(channelRow)}</BlockStack>
        </Collapsible>
        <Divider />
        <Checkbox
          label="Ignore machine opens"
          helpText="Opens made by privacy proxies or link scanners still count in statistics, but never connect a sale."
          checked={ignoreMachine}
          onChange={setIgnoreMachine}
        />
        <BlockStack gap="200">
          {/* Enter in the field adds the tag. */}
          <div
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.target as HTMLElement).tagName === "INPUT") {
                e.preventDefault();
                addTag();
              }
            }}
          >
            <TextField
              label="Excluded tags"
              helpText="Messages with any of these tags never earn a sale: password resets, delivery notices, technical notifications. Case does not matter."
              value={tagInput}
              onChange={setTagInput}
              autoComplete="off"
              error={errors.excluded_tags}
              placeholder="password-reset"
              connectedRight={
                <Button onClick={addTag} disabled={!tagInput.trim()}>
                  Add tag
                </Button>
              }
            />
          </div>
          {tags.length ? (
            <InlineStack gap="200" wrap>
              {tags.map((t) => (
                <Tag
                  key={t}
                  onRemove={() => setTags(tags.filter((x) => x !== t))}
                  accessibilityLabel={`Remove tag ${t}`}
                >
                  {t}
                </Tag>
              ))}
            </InlineStack>
          ) : (
            <Text as="p" variant="bodySm" tone="subdued">
              No excluded tags.
            </Text>
          )}
        </BlockStack>
        <Divider />
        <PreviewPanel
          draft={{
            channels,
            excluded_tags: tagInput.trim() ? [...tags, tagInput.trim()] : tags,
            ignore_machine_opens: ignoreMachine,
          }}
          currency={settings.currency}
        />
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="p" variant="bodySm" tone="subdued">
            Saving re-attributes every order of your history.
          </Text>
          <Button
            variant="primary"
            onClick={save}
            loading={fetcher.state !== "idle"}
            disabled={!dirty && !tagInput.trim()}
          >
            Save rules
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function CurrencyCard({
  currency,
  options,
  notify,
}: {
  currency: string;
  options: { value: string; label: string }[];
  notify: (m: string, e?: boolean) => void;
}) {
  const fetcher = useFetcher<typeof action>();
  const errors = useFetcherResult(fetcher, notify);
  const [value, setValue] = useState(currency);
  const withCurrent = useMemo(
    () => (options.some((o) => o.value === currency) ? options : [{ value: currency, label: currency }, ...options]),
    [options, currency],
  );
  return (
    <Card>
      <BlockStack gap="300">
        <Select
          label="Revenue currency"
          options={withCurrent}
          value={value}
          onChange={setValue}
          error={errors.currency}
        />
        <Text as="p" variant="bodySm" tone="subdued">
          Changing the currency re-attributes your whole history: orders in other currencies stop counting.
        </Text>
        <InlineStack align="end">
          <Button
            variant="primary"
            disabled={value === currency}
            loading={fetcher.state !== "idle"}
            onClick={() => fetcher.submit({ intent: "currency", currency: value }, { method: "post" })}
          >
            Save currency
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function ProviderCard({
  provider,
  url,
  configured,
  notify,
}: {
  provider: IngestProvider;
  url: string;
  configured: boolean | null;
  notify: (m: string, e?: boolean) => void;
}) {
  const info = PROVIDER_INFO[provider];
  const fetcher = useFetcher<typeof action>();
  const errors = useFetcherResult(fetcher, notify);
  const [values, setValues] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState(false);
  // After a successful save the secret fields empty and close (state adjusted during render).
  const savedResult = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data : null;
  const [handled, setHandled] = useState<unknown>(null);
  if (savedResult && savedResult !== handled) {
    setHandled(savedResult);
    setValues({});
    setEditing(false);
  }

  const fields = info.fields as readonly { name: string; label: string; multiline: boolean }[];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {info.name}
          </Text>
          {configured === null ? null : configured ? (
            <Badge tone="success">Verification configured</Badge>
          ) : (
            <Badge tone="attention">Not verified</Badge>
          )}
        </InlineStack>
        <CopyField label={`${info.name} webhook URL`} value={url} />
        <Text as="p" variant="bodySm" tone="subdued">
          {info.where}
        </Text>
        {fields.length > 0 && (editing || !configured) ? (
          <FormLayout>
            {fields.map((f) => (
              <TextField
                key={f.name}
                label={f.label}
                type={f.multiline ? "text" : "password"}
                multiline={f.multiline ? 3 : undefined}
                autoComplete="off"
                value={values[f.name] ?? ""}
                error={errors[f.name]}
                onChange={(v) => setValues({ ...values, [f.name]: v })}
                helpText={f === fields[0] ? "Write-only: once saved, it is never shown again." : undefined}
              />
            ))}
            <InlineStack gap="200" align="end">
              {configured ? <Button onClick={() => setEditing(false)}>Cancel</Button> : null}
              <Button
                variant="primary"
                loading={fetcher.state !== "idle" && fetcher.formData?.get("op") === "save"}
                disabled={fields.some((f) => !(values[f.name] ?? "").trim())}
                onClick={() =>
                  fetcher.submit({ intent: "provider", provider, op: "save", ...values }, { method: "post" })
                }
              >
                {configured ? "Replace" : "Save"}
              </Button>
            </InlineStack>
          </FormLayout>
        ) : null}
        {fields.length > 0 && configured && !editing ? (
          <InlineStack gap="200" align="end">
            <Button onClick={() => setEditing(true)}>Replace</Button>
            <Button
              tone="critical"
              variant="secondary"
              loading={fetcher.state !== "idle" && fetcher.formData?.get("op") === "remove"}
              onClick={() => fetcher.submit({ intent: "provider", provider, op: "remove" }, { method: "post" })}
            >
              Remove
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function ApiKeysCard({
  keys,
  timezone,
  notify,
}: {
  keys: LoaderData["keys"];
  timezone: string;
  notify: (m: string, e?: boolean) => void;
}) {
  const create = useFetcher<typeof action>();
  const revoke = useFetcher<typeof action>();
  useFetcherResult(create, notify);
  useFetcherResult(revoke, notify);
  const [label, setLabel] = useState("");
  const [confirming, setConfirming] = useState<string | null>(null);
  const created = create.data?.ok && create.data.key ? create.data.key : null;
  const [hidden, setHidden] = useState<string | null>(null);
  const active = keys.filter((k) => !k.revokedAt);
  const revoked = keys.filter((k) => k.revokedAt);

  return (
    <Card>
      <BlockStack gap="400">
        {created && hidden !== created.key ? (
          <Banner tone="warning" title="Copy your new API key now" onDismiss={() => setHidden(created.key)}>
            <BlockStack gap="200">
              <p>It is shown only once. Store it somewhere safe; you can revoke it here at any time.</p>
              <CopyField label="New API key" value={created.key} />
            </BlockStack>
          </Banner>
        ) : null}
        <FormLayout>
          <TextField
            label="Label"
            value={label}
            onChange={setLabel}
            autoComplete="off"
            placeholder="e.g. Data warehouse"
            maxLength={100}
            connectedRight={
              <Button
                variant="primary"
                loading={create.state !== "idle"}
                onClick={() => {
                  create.submit({ intent: "create-key", label }, { method: "post" });
                  setLabel("");
                }}
              >
                Create API key
              </Button>
            }
          />
        </FormLayout>
        {active.length === 0 ? (
          <Text as="p" tone="subdued">
            No API keys yet. Create one to send orders and events, or read reports, from your own systems.
          </Text>
        ) : (
          <BlockStack gap="0" as="ul">
            {active.map((k, i) => (
              <li key={k.id} style={{ listStyle: "none" }}>
                {i > 0 ? <Divider /> : null}
                <Box paddingBlock="300">
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" variant="bodyMd" fontWeight="semibold">
                          {k.label ?? "Unnamed key"}
                        </Text>
                        <Text as="span" variant="bodySm" tone="subdued">
                          <code>{k.prefix}…</code>
                        </Text>
                      </InlineStack>
                      <Text as="span" variant="bodySm" tone="subdued">
                        Created {formatDateTime(k.createdAt, timezone)} ·{" "}
                        {k.lastUsedAt ? `last used ${formatDateTime(k.lastUsedAt, timezone)}` : "never used"}
                      </Text>
                    </BlockStack>
                    {confirming === k.id ? (
                      <InlineStack gap="200">
                        <Button onClick={() => setConfirming(null)}>Keep</Button>
                        <Button
                          tone="critical"
                          variant="primary"
                          loading={revoke.state !== "idle"}
                          onClick={() => {
                            revoke.submit({ intent: "revoke-key", id: k.id }, { method: "post" });
                            setConfirming(null);
                          }}
                          accessibilityLabel={`Confirm: revoke ${k.label ?? k.prefix}`}
                        >
                          Revoke now
                        </Button>
                      </InlineStack>
                    ) : (
                      <Button
                        tone="critical"
                        variant="plain"
                        onClick={() => setConfirming(k.id)}
                        accessibilityLabel={`Revoke ${k.label ?? k.prefix}`}
                      >
                        Revoke
                      </Button>
                    )}
                  </InlineStack>
                </Box>
              </li>
            ))}
          </BlockStack>
        )}
        {revoked.length ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {revoked.length === 1 ? "1 revoked key" : `${revoked.length} revoked keys`} no longer work.
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : "The settings could not be loaded.";
  return (
    <Page title="Settings" backAction={{ content: "Reports", url: "/app" }}>
      <Banner tone="critical" title="Something went wrong">
        <p>{message} Reload the page to try again; your settings are unchanged.</p>
      </Banner>
    </Page>
  );
}
