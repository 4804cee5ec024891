import { useMemo, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Select, Text } from "@shopify/polaris";
import { useFetcherResult } from "./shared";
import type { action } from "./route";

export function CurrencyCard({
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
