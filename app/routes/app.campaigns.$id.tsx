import { useState, type ReactNode } from "react";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Card,
  EmptyState,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
  useBreakpoints,
} from "@shopify/polaris";
import { authenticateShop } from "../admin/context.server";
import { periodParams, resolvePeriod } from "../admin/period";
import { campaignDetail } from "../reports/campaigns.server";
import { readSettings } from "../settings/settings.server";
import { AttributionProgress } from "../components/AttributionProgress";
import { HoldoutCard } from "../components/HoldoutCard";
import { ExportOrdersButton } from "../components/ExportOrdersButton";
import { PeriodPicker } from "../components/PeriodPicker";
import {
  channelLabel,
  formatCount,
  formatDateTime,
  formatMoney,
  formatMoneyPer,
  formatShare,
} from "../components/format";
import { NO_RESULTS_ILLUSTRATION } from "../components/illustrations";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.campaign.name ?? "Campaign"} · Campaign revenue` },
];

const ORDERS_PAGE_SIZE = 25;

/** An order as merchants know it: its name (`#1001`), and its id as a link to the order in Shopify admin. */
function OrderCell({ id, name }: { id: string; name: string | null }) {
  const link = (
    <Link
      url={`shopify:admin/orders/${encodeURIComponent(id)}`}
      target="_top"
      removeUnderline
      accessibilityLabel={`Open order ${name ?? id} in Shopify admin`}
    >
      {id}
    </Link>
  );
  if (!name) return link;
  return (
    <InlineStack gap="200" blockAlign="baseline" wrap={false}>
      <Text as="span" fontWeight="semibold">
        {name}
      </Text>
      <Text as="span" tone="subdued" variant="bodySm">
        {link}
      </Text>
    </InlineStack>
  );
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  const url = new URL(request.url);
  const period = resolvePeriod(url.searchParams, shop.timezone);
  const [settings, campaign] = await Promise.all([
    readSettings(shop.id),
    campaignDetail(shop.id, params.id ?? "", { from: period.from, to: period.to }),
  ]);
  if (!campaign)
    throw new Response("This campaign is unknown to your store.", { status: 404, statusText: "Campaign not found" });
  return {
    period: { key: period.key, start: period.start, end: period.end, timeZone: period.timeZone, error: period.error },
    enabled: settings.enabled,
    attribution: settings.attribution,
    campaign,
  };
};

export default function CampaignPage() {
  const { campaign, period, enabled, attribution } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const { smDown } = useBreakpoints();
  const currency = campaign.currency;
  const back = `/app?${new URLSearchParams(periodParams(period))}`;
  const orders = campaign.orders;
  const pages = Math.max(1, Math.ceil(orders.length / ORDERS_PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number(params.get("page")) || 1));
  const pageOrders = orders.slice((page - 1) * ORDERS_PAGE_SIZE, page * ORDERS_PAGE_SIZE);
  const setPage = (n: number) => {
    const p = new URLSearchParams(params);
    if (n > 1) p.set("page", String(n));
    else p.delete("page");
    setParams(p, { preventScrollReset: true });
  };

  return (
    <Page
      title={campaign.name}
      titleMetadata={
        <Badge tone={campaign.channel === "email" ? "info" : "success"}>{channelLabel(campaign.channel)}</Badge>
      }
      subtitle={`Campaign ID ${campaign.id}`}
      backAction={{ content: "Campaign revenue", url: back }}
    >
      <BlockStack gap="400">
        <AttributionProgress status={attribution} />
        {!enabled ? (
          <Banner
            tone="info"
            title="Sales are hidden"
            action={{ content: "Open settings", url: "/app/settings#reports" }}
          >
            <p>“Show in reports sales made through campaigns” is off: this page shows message statistics only.</p>
          </Banner>
        ) : null}
        {period.error ? <Banner tone="warning" title={period.error} /> : null}
        <Card>
          <PeriodPicker period={period} />
        </Card>

        <Layout>
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
              <Stat
                label="Purchases"
                value={enabled ? formatCount(campaign.purchases) : "—"}
                testId="campaign-purchases"
              />
              <Stat
                label="Revenue"
                value={enabled ? formatMoney(campaign.revenue, currency) : "—"}
                testId="campaign-revenue"
              >
                {enabled
                  ? `Gross ${formatMoney(campaign.gross, currency)} · Refunded ${formatMoney(campaign.refunded, currency)}`
                  : null}
              </Stat>
              <Stat
                label="Average check"
                value={enabled ? formatMoney(campaign.average_check, currency) : "—"}
                testId="campaign-average-check"
              />
              <Stat
                label="Revenue per message"
                value={enabled ? formatMoneyPer(campaign.revenue, campaign.sent, currency) : "—"}
                testId="campaign-per-message"
              >
                {enabled ? `${formatCount(campaign.sent)} sent` : null}
              </Stat>
            </InlineGrid>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">
                  How a sale is counted
                </Text>
                <Text as="p" variant="bodyMd">
                  <span data-testid="sale-formula">{campaign.sale_formula}</span>
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  An order goes to the last message sent that qualifies, so no order is counted twice. Refunds lower the
                  revenue of the period the order was placed in.
                </Text>
                <Box>
                  <Link url="/app/settings#rules">Change the rules</Link>
                </Box>
              </BlockStack>
            </Card>
          </Layout.Section>
        </Layout>

        {enabled ? (
          <HoldoutCard holdout={campaign.holdout} attributedRevenue={campaign.revenue} currency={currency} />
        ) : null}

        <Card>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">
              Message funnel
            </Text>
            <Funnel
              steps={[
                { label: "Sent", value: campaign.sent },
                { label: "Delivered", value: campaign.delivered },
                { label: "Opened", value: campaign.opened },
                { label: "Clicked", value: campaign.clicked },
                ...(enabled ? [{ label: "Purchased", value: campaign.purchases }] : []),
              ]}
            />
            <Text as="p" variant="bodySm" tone="subdued">
              Messages sent in this period, by the furthest event recorded for each. SMS providers usually report no
              opens.
            </Text>
          </BlockStack>
        </Card>

        {enabled ? (
          <Card padding="0">
            <Box padding="400">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Attributed orders
                </Text>
                <InlineStack gap="300" blockAlign="center">
                  <Text as="span" variant="bodySm" tone="subdued">
                    Times in {period.timeZone.replace(/_/g, " ")}
                  </Text>
                  <ExportOrdersButton
                    href={`/app/campaigns/${encodeURIComponent(campaign.id)}/export?${new URLSearchParams(periodParams(period))}`}
                    disabled={orders.length === 0}
                  />
                </InlineStack>
              </InlineStack>
            </Box>
            {campaign.orders_truncated ? (
              <Box paddingInline="400" paddingBlockEnd="300">
                <Banner tone="info">
                  <p>
                    The first {formatCount(orders.length)} orders are listed; choose a shorter period to see the others.
                  </p>
                </Banner>
              </Box>
            ) : null}
            <IndexTable
              resourceName={{ singular: "order", plural: "orders" }}
              itemCount={pageOrders.length}
              selectable={false}
              condensed={smDown}
              headings={[
                { title: "Order" },
                { title: "Time of sale" },
                { title: `Gross (${currency})`, alignment: "end" },
                { title: `Refunded (${currency})`, alignment: "end" },
                { title: `Revenue (${currency})`, alignment: "end" },
              ]}
              emptyState={
                <EmptyState heading="No attributed orders in this period" image={NO_RESULTS_ILLUSTRATION}>
                  <p>Orders appear here when a buyer purchases within the window after the connecting event.</p>
                </EmptyState>
              }
              pagination={
                orders.length > ORDERS_PAGE_SIZE
                  ? {
                      hasPrevious: page > 1,
                      hasNext: page < pages,
                      onPrevious: () => setPage(page - 1),
                      onNext: () => setPage(page + 1),
                      label: `${(page - 1) * ORDERS_PAGE_SIZE + 1}–${Math.min(orders.length, page * ORDERS_PAGE_SIZE)} of ${orders.length}`,
                    }
                  : undefined
              }
            >
              {pageOrders.map((o, i) => (
                <IndexTable.Row id={o.id} key={o.id} position={i}>
                  <IndexTable.Cell>
                    <OrderCell id={o.id} name={o.name} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>{formatDateTime(o.time_of_sale, period.timeZone)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {formatMoney(o.gross, currency)}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text
                      as="span"
                      alignment="end"
                      numeric
                      tone={o.refunded !== "0" && Number(o.refunded) > 0 ? "critical" : undefined}
                    >
                      {formatMoney(o.refunded, currency)}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric fontWeight="semibold">
                      {formatMoney(o.revenue, currency)}
                    </Text>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        ) : null}
        <Box paddingBlockEnd="400" />
      </BlockStack>
    </Page>
  );
}

function Stat({
  label,
  value,
  children,
  testId,
}: {
  label: string;
  value: string;
  children?: ReactNode;
  testId: string;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl" numeric>
          <span data-testid={testId}>{value}</span>
        </Text>
        {children ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {children}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** Horizontal bars, each step as a share of the first; a list for screen readers. */
function Funnel({ steps }: { steps: { label: string; value: number }[] }) {
  const top = steps[0]?.value ?? 0;
  const [focus, setFocus] = useState<number | null>(null);
  return (
    <ol style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: 12 }} data-testid="funnel">
      {steps.map((step, i) => {
        const pct = top ? Math.max(step.value > 0 ? 1 : 0, (step.value / top) * 100) : 0;
        const prev = i > 0 ? steps[i - 1]!.value : null;
        return (
          <li key={step.label} onMouseEnter={() => setFocus(i)} onMouseLeave={() => setFocus(null)}>
            <InlineStack align="space-between" blockAlign="baseline" gap="200">
              <Text as="span" variant="bodyMd" fontWeight="medium">
                {step.label}
              </Text>
              <Text as="span" variant="bodyMd" numeric>
                <span data-testid={`funnel-${step.label.toLowerCase()}`}>{formatCount(step.value)}</span>
                <Text as="span" tone="subdued" variant="bodySm">
                  {" "}
                  {i === 0
                    ? ""
                    : `· ${formatShare(step.value, top)} of sent${prev !== null && i > 1 ? ` · ${formatShare(step.value, prev)} of ${steps[i - 1]!.label.toLowerCase()}` : ""}`}
                </Text>
              </Text>
            </InlineStack>
            <div
              aria-hidden="true"
              style={{
                marginTop: 6,
                height: 10,
                borderRadius: 5,
                background: "var(--p-color-bg-fill-secondary, #f1f1f1)",
                overflow: "hidden",
              }}
            >
              <div
                style={{
                  width: `${pct}%`,
                  height: "100%",
                  borderRadius: 5,
                  background:
                    i === steps.length - 1 && step.label === "Purchased"
                      ? "#1a7f4b"
                      : focus === i
                        ? "#1f5199"
                        : "#2c6ecb",
                  transition: "width 200ms",
                }}
              />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page
      title={notFound ? "Campaign not found" : "Campaign"}
      backAction={{ content: "Campaign revenue", url: "/app" }}
    >
      {notFound ? (
        <Card>
          <EmptyState
            heading="This campaign is unknown to your store"
            image={NO_RESULTS_ILLUSTRATION}
            action={{ content: "Back to the report", url: "/app" }}
          >
            <p>It may have been removed, or the link is incomplete.</p>
          </EmptyState>
        </Card>
      ) : (
        <Banner tone="critical" title="Something went wrong">
          <p>The campaign could not be loaded. Reload the page to try again.</p>
        </Banner>
      )}
    </Page>
  );
}
