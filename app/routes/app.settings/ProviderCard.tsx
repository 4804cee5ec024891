import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import { CopyField } from "../../components/CopyField";
import { PROVIDER_INFO, type IngestProvider, useFetcherResult } from "./shared";
import type { action } from "./route";

export function ProviderCard({
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
