import { useCallback, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetchers, useLoaderData, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import { Banner, BlockStack, Box, Layout, Page, Toast } from "@shopify/polaris";
import { authenticateShop } from "../../admin/context.server";
import { createApiKey, listApiKeys, revokeApiKey } from "../../data/api-keys.server";
import { settingsPatchSchema, type SettingsPatch } from "../../domain/settings";
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
import { AttributionProgress } from "../../components/AttributionProgress";
import { SesTopicsCard } from "../../components/settings/SesTopicsCard";
import { saveSesTopicsFromForm } from "../../settings/ses-topics.server";
import { ImportCard } from "../../components/settings/ImportCard";
import { importStatus } from "../../imports/service.server";
import { AuditLogCard } from "../../components/settings/AuditLogCard";
import { CustomerDataCard } from "../../components/settings/CustomerDataCard";
import { IngestTokenCard } from "../../components/settings/IngestTokenCard";
import { listAudit } from "../../data/audit.server";
import { PROVIDER_INFO, type IngestProvider, currencyOptions, type ActionResult, fail } from "./shared";
import { EnabledCard } from "./EnabledCard";
import { RulesCard } from "./RulesCard";
import { CurrencyCard } from "./CurrencyCard";
import { ProviderCard } from "./ProviderCard";
import { ApiKeysCard } from "./ApiKeysCard";

export const meta: MetaFunction = () => [{ title: "Settings · Campaign revenue" }];

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
