import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { useFetcherResult } from "./shared";
import type { action } from "./route";

export function EnabledCard({ enabled, notify }: { enabled: boolean; notify: (m: string, e?: boolean) => void }) {
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
