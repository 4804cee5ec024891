import { BlockStack, Text } from "@shopify/polaris";
import { formatMoney } from "../format";

/** A campaign's revenue in the report table; with a comparison, its earlier revenue below. */
export function RevenueCell({
  revenue,
  previous,
  currency,
}: {
  revenue: string;
  previous?: { purchases: number; revenue: string } | undefined;
  currency: string;
}) {
  if (!previous)
    return (
      <Text as="span" alignment="end" numeric>
        {formatMoney(revenue, currency)}
      </Text>
    );
  return (
    <BlockStack gap="050" inlineAlign="end">
      <Text as="span" alignment="end" numeric>
        {formatMoney(revenue, currency)}
      </Text>
      <Text as="span" alignment="end" numeric variant="bodySm" tone="subdued">
        <span data-testid="row-previous-revenue">was {formatMoney(previous.revenue, currency)}</span>
      </Text>
    </BlockStack>
  );
}
