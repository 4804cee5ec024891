import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { findShopByDomain } from "../data/shops.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await findShopByDomain(session.shop);
  return { domain: session.shop, currency: shop?.currency ?? null, timezone: shop?.timezone ?? null };
};

export default function ReportsPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Campaign revenue">
      <Card>
        <BlockStack gap="200">
          <Text as="p" variant="bodyMd">
            {data.domain} · {data.currency ?? "—"} · {data.timezone ?? "—"}
          </Text>
        </BlockStack>
      </Card>
    </Page>
  );
}
