import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  FormLayout,
  InlineStack,
  Text,
  TextField,
} from "@shopify/polaris";
import { CopyField } from "../../components/CopyField";
import { formatDateTime } from "../../components/format";
import { type LoaderData, useFetcherResult } from "./shared";
import type { action } from "./route";

export function ApiKeysCard({
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
