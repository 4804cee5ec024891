import { useCallback, useMemo, useState, type ReactNode } from "react";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  EmptyState,
  IndexTable,
  InlineGrid,
  InlineStack,
  Link,
  List,
  Page,
  Text,
  Toast,
  Tooltip,
  useBreakpoints,
  type IndexTableProps,
} from "@shopify/polaris";
import { authenticateShop } from "../admin/context.server";
import { bucketFor, periodParams, resolvePeriod } from "../admin/period";
import {
  copyRows,
  parseSort,
  sortRows,
  toTsv,
  visibleColumns,
  type ColumnKey,
  type ReportRow,
} from "../admin/report-table";
import { shopDataPresence } from "../data/onboarding.server";
import { campaignReport, revenueSeries, type CampaignRowJson } from "../reports/campaigns.server";
import { RevenueCell } from "../components/report/RevenueCell";
import { readSettings } from "../settings/settings.server";
import { AttributionProgress } from "../components/AttributionProgress";
import { ImportBanner } from "../components/settings/ImportCard";
import { importStatus } from "../imports/service.server";
import { PeriodPicker } from "../components/PeriodPicker";
import { RevenueChart } from "../components/RevenueChart";
import { ChangeNote, CompareControl, compareLabel } from "../components/report/Compare";
import { changeFraction, compareFromParams, comparePeriod } from "../domain/compare";
import { copyText } from "../components/clipboard";
import { channelLabel, formatCount, formatMoney, formatMoneyShare } from "../components/format";
import { CONNECT_ILLUSTRATION, NO_RESULTS_ILLUSTRATION } from "../components/illustrations";

export const meta: MetaFunction = () => [{ title: "Campaign revenue" }];

const PAGE_SIZE = 20;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateShop(request);
  const url = new URL(request.url);
  const period = resolvePeriod(url.searchParams, shop.timezone);
  const range = { from: period.from, to: period.to };
  const bucket = bucketFor(period);
  const compare = compareFromParams(url.searchParams);
  const [settings, report, series, presence, previousSeries, imports] = await Promise.all([
    readSettings(shop.id),
    campaignReport(shop.id, range, { compare, timeZone: period.timeZone }),
    revenueSeries(shop.id, range, period.timeZone, bucket),
    shopDataPresence(shop.id),
    compare ? revenueSeries(shop.id, comparePeriod(range, compare, period.timeZone), period.timeZone, bucket) : null,
    importStatus(shop.id, shop.domain),
  ]);
  return {
    imports,
    shop: { domain: shop.domain, name: shop.name },
    period: { key: period.key, start: period.start, end: period.end, timeZone: period.timeZone, error: period.error },
    bucket,
    enabled: settings.enabled,
    attribution: settings.attribution,
    report,
    series,
    presence,
    compare,
    previousSeries,
  };
};

export default function ReportsPage() {
  const data = useLoaderData<typeof loader>();
  const { report, enabled } = data;
  const [params, setParams] = useSearchParams();
  const navigation = useNavigation();
  const { smDown } = useBreakpoints();
  const [toast, setToast] = useState<{ content: string; error?: boolean } | null>(null);
  const [exporting, setExporting] = useState(false);

  const showRevenue = enabled && params.get("revenue") === "1";
  const columns = visibleColumns(showRevenue);
  const sort = parseSort(params.get("sort"), params.get("dir"), showRevenue);
  const rows = useMemo(
    () => sortRows(report.campaigns as ReportRow[], sort.key, sort.direction),
    [report.campaigns, sort.key, sort.direction],
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number(params.get("page")) || 1));
  const pageRows = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const periodQuery = new URLSearchParams(periodParams(data.period)).toString();

  const update = useCallback(
    (changes: Record<string, string | null>) => {
      const p = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) p.delete(k);
        else p.set(k, v);
      }
      setParams(p, { preventScrollReset: true });
    },
    [params, setParams],
  );

  const onCopy = async () => {
    const ok = await copyText(toTsv(copyRows(rows, showRevenue, report.currency)));
    setToast(
      ok
        ? { content: `Copied ${rows.length} ${rows.length === 1 ? "row" : "rows"}` }
        : { content: "Could not copy", error: true },
    );
  };

  const onExport = async () => {
    setExporting(true);
    try {
      const q = new URLSearchParams(periodParams(data.period));
      if (showRevenue) q.set("revenue", "1");
      if (data.compare) q.set("compare", data.compare);
      q.set("sort", sort.key);
      q.set("dir", sort.direction === "ascending" ? "asc" : "desc");
      // fetch, not a plain link: inside Shopify admin App Bridge adds the session token to fetches only.
      const res = await fetch(`/app/reports/export?${q}`);
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const name =
        /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "campaign-revenue.csv";
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      setToast({ content: "Export downloaded" });
    } catch {
      setToast({ content: "Export failed. Try again.", error: true });
    } finally {
      setExporting(false);
    }
  };

  const isNewShop = !data.presence.hasOrders && !data.presence.hasEvents;
  const s = report.summary;
  const cmp =
    data.compare && report.previous && report.change
      ? { mode: data.compare, p: report.previous, c: report.change }
      : null;
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app";

  const headings = columns.map((c) => ({
    title: c.title,
    id: `col-${c.key}`,
    ...(c.kind !== "text" ? { alignment: "end" as const } : {}),
  })) as unknown as IndexTableProps["headings"];

  return (
    <Page
      title="Campaign revenue"
      subtitle="How much each email and SMS campaign earned"
      secondaryActions={[{ content: "Settings", url: "/app/settings" }]}
      fullWidth
    >
      <BlockStack gap="400">
        <AttributionProgress status={data.attribution} />
        <ImportBanner status={data.imports} />
        {isNewShop ? (
          <Onboarding />
        ) : (
          <>
            {!data.presence.hasEvents ? (
              <Banner
                tone="warning"
                title="No campaign messages yet"
                action={{ content: "Connect a provider", url: "/app/settings#sources" }}
              >
                <p>
                  Orders are arriving. Connect your email or SMS provider so each order can be matched to the message
                  that led to it.
                </p>
              </Banner>
            ) : null}
            {!data.presence.hasOrders ? (
              <Banner
                tone="warning"
                title="No orders yet"
                action={{ content: "Create an API key", url: "/app/settings#api-keys" }}
              >
                <p>
                  Messages are arriving. New Shopify orders come in by themselves; earlier orders or orders from other
                  systems can be sent to the API (POST /api/v1/orders).
                </p>
              </Banner>
            ) : null}
            {!enabled ? (
              <Banner
                tone="info"
                title="Sales are hidden"
                action={{ content: "Open settings", url: "/app/settings#reports" }}
              >
                <p>“Show in reports sales made through campaigns” is off: reports show message statistics only.</p>
              </Banner>
            ) : null}
            {data.period.error ? <Banner tone="warning" title={data.period.error} /> : null}

            <Card>
              <InlineStack gap="400" align="space-between" blockAlign="end">
                <PeriodPicker period={data.period} />
                {enabled ? <CompareControl value={data.compare} /> : null}
              </InlineStack>
            </Card>

            <div aria-busy={loading} style={{ opacity: loading ? 0.6 : 1, transition: "opacity 120ms" }}>
              <BlockStack gap="400">
                <InlineGrid columns={{ xs: 1, sm: 2, lg: 4 }} gap="400">
                  <Stat label="Campaigns" value={formatCount(s.campaigns)} testId="stat-campaigns">
                    {enabled ? `${formatCount(s.campaigns_with_revenue)} with revenue` : "Sent in this period"}
                    {enabled && cmp ? (
                      <ChangeNote
                        previous={cmp.p.campaigns}
                        change={changeFraction(s.campaigns, cmp.p.campaigns)}
                        kind="count"
                        currency={report.currency}
                        mode={cmp.mode}
                        testId="change-campaigns"
                      />
                    ) : null}
                  </Stat>
                  <Stat label="Purchases" value={enabled ? formatCount(s.purchases) : "—"} testId="stat-purchases">
                    {enabled ? "Orders the campaigns earned" : "Hidden in settings"}
                    {enabled && cmp ? (
                      <ChangeNote
                        previous={cmp.p.purchases}
                        change={cmp.c.purchases}
                        kind="count"
                        currency={report.currency}
                        mode={cmp.mode}
                        testId="change-purchases"
                      />
                    ) : null}
                  </Stat>
                  <Stat
                    label="Average check"
                    value={enabled ? formatMoney(s.average_check, report.currency) : "—"}
                    testId="stat-average-check"
                  >
                    {enabled ? "Revenue per purchase" : "Hidden in settings"}
                    {enabled && cmp ? (
                      <ChangeNote
                        previous={cmp.p.average_check}
                        change={cmp.c.average_check}
                        kind="money"
                        currency={report.currency}
                        mode={cmp.mode}
                        testId="change-average-check"
                      />
                    ) : null}
                  </Stat>
                  <Stat
                    label="Revenue from campaigns"
                    value={enabled ? formatMoney(s.revenue, report.currency) : "—"}
                    testId="stat-revenue"
                    emphasis
                  >
                    {enabled ? (
                      <BlockStack gap="050">
                        <span>
                          Gross {formatMoney(s.gross, report.currency)} · Refunded{" "}
                          {formatMoney(s.refunded, report.currency)}
                        </span>
                        <span data-testid="stat-share">
                          {formatMoneyShare(s.revenue, s.store_revenue)} of store revenue (
                          {formatMoney(s.store_revenue, report.currency)})
                        </span>
                        {s.incremental_revenue !== null ? (
                          <span data-testid="stat-incremental">
                            Incremental revenue of campaigns with a holdout:{" "}
                            {formatMoney(s.incremental_revenue, report.currency)}
                          </span>
                        ) : null}
                        {cmp ? (
                          <ChangeNote
                            previous={cmp.p.revenue}
                            change={cmp.c.revenue}
                            kind="money"
                            currency={report.currency}
                            mode={cmp.mode}
                            testId="change-revenue"
                          />
                        ) : null}
                        {cmp ? (
                          <span>
                            Store revenue{" "}
                            <ChangeNote
                              previous={cmp.p.store_revenue}
                              change={cmp.c.store_revenue}
                              kind="money"
                              currency={report.currency}
                              mode={cmp.mode}
                              testId="change-store-revenue"
                            />
                          </span>
                        ) : null}
                      </BlockStack>
                    ) : (
                      "Hidden in settings"
                    )}
                  </Stat>
                </InlineGrid>

                {enabled ? (
                  <Card>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        Revenue over time
                      </Text>
                      <RevenueChart
                        series={data.series}
                        currency={report.currency}
                        bucket={data.bucket}
                        summary={`Revenue by ${data.bucket}: campaigns ${formatMoney(s.revenue, report.currency)} of ${formatMoney(
                          s.store_revenue,
                          report.currency,
                        )} store revenue in this period.${cmp ? ` Dashed line: campaign revenue in ${compareLabel(cmp.mode)} (${formatMoney(cmp.p.revenue, report.currency)}).` : ""}`}
                        previous={data.previousSeries}
                        previousLabel={cmp?.mode === "previous_year" ? "Last year" : "Previous period"}
                      />
                    </BlockStack>
                  </Card>
                ) : null}

                <Card padding="0">
                  <Box padding="400">
                    <InlineStack align="space-between" blockAlign="center" gap="300">
                      <Text as="h2" variant="headingMd">
                        Campaigns
                      </Text>
                      <InlineStack gap="200" blockAlign="center">
                        <Tooltip
                          content={
                            enabled
                              ? showRevenue
                                ? "Hide revenue columns"
                                : "Show revenue columns"
                              : "Sales are hidden in settings"
                          }
                        >
                          <Button
                            pressed={showRevenue}
                            disabled={!enabled}
                            accessibilityLabel="Show revenue columns"
                            onClick={() =>
                              update({
                                revenue: showRevenue ? null : "1",
                                ...(showRevenue && ["purchases", "average_check", "revenue"].includes(sort.key)
                                  ? { sort: null, dir: null }
                                  : {}),
                              })
                            }
                          >
                            $
                          </Button>
                        </Tooltip>
                        <ButtonGroup>
                          <Button onClick={onCopy} disabled={rows.length === 0}>
                            Copy
                          </Button>
                          <Button onClick={onExport} loading={exporting} disabled={rows.length === 0}>
                            Export
                          </Button>
                        </ButtonGroup>
                      </InlineStack>
                    </InlineStack>
                  </Box>
                  <IndexTable
                    resourceName={{ singular: "campaign", plural: "campaigns" }}
                    itemCount={pageRows.length}
                    selectable={false}
                    condensed={smDown}
                    headings={headings}
                    sortable={columns.map(() => true)}
                    sortColumnIndex={columns.findIndex((c) => c.key === sort.key)}
                    sortDirection={sort.direction}
                    defaultSortDirection="descending"
                    onSort={(index, direction) =>
                      update({ sort: columns[index]!.key, dir: direction === "ascending" ? "asc" : "desc", page: null })
                    }
                    emptyState={
                      <EmptyState
                        heading="No campaigns in this period"
                        image={NO_RESULTS_ILLUSTRATION}
                        action={
                          data.period.key !== "last90"
                            ? {
                                content: "Show the last 90 days",
                                onAction: () => update({ period: "last90", start: null, end: null, page: null }),
                              }
                            : undefined
                        }
                      >
                        <p>No messages were sent and no purchases were attributed between these dates.</p>
                      </EmptyState>
                    }
                    pagination={
                      rows.length > PAGE_SIZE
                        ? {
                            hasPrevious: page > 1,
                            hasNext: page < pages,
                            onPrevious: () => update({ page: page - 1 > 1 ? String(page - 1) : null }),
                            onNext: () => update({ page: String(page + 1) }),
                            label: `${(page - 1) * PAGE_SIZE + 1}–${Math.min(rows.length, page * PAGE_SIZE)} of ${rows.length}`,
                          }
                        : undefined
                    }
                  >
                    {pageRows.map((row, i) => (
                      <IndexTable.Row id={row.id} key={row.id} position={i}>
                        {smDown ? (
                          <IndexTable.Cell>
                            <CondensedRow
                              row={row}
                              showRevenue={showRevenue}
                              currency={report.currency}
                              periodQuery={periodQuery}
                            />
                          </IndexTable.Cell>
                        ) : (
                          columns.map((c) => (
                            <IndexTable.Cell key={c.key}>
                              {cell(row, c.key, report.currency, periodQuery)}
                            </IndexTable.Cell>
                          ))
                        )}
                      </IndexTable.Row>
                    ))}
                  </IndexTable>
                </Card>
              </BlockStack>
            </div>
          </>
        )}
        <Box paddingBlockEnd="400" />
      </BlockStack>
      {toast ? (
        <Toast content={toast.content} error={toast.error} onDismiss={() => setToast(null)} duration={3000} />
      ) : null}
    </Page>
  );
}

function cell(row: ReportRow, key: ColumnKey, currency: string, periodQuery: string): ReactNode {
  switch (key) {
    case "name":
      return (
        <BlockStack gap="050">
          <Link url={`/app/campaigns/${encodeURIComponent(row.id)}?${periodQuery}`} removeUnderline dataPrimaryLink>
            <Text as="span" variant="bodyMd" fontWeight="semibold">
              {row.name}
            </Text>
          </Link>
          <Text as="span" variant="bodySm" tone="subdued">
            {row.id}
          </Text>
        </BlockStack>
      );
    case "channel":
      return (
        <Badge tone={row.channel === "email" ? "info" : row.channel === "sms" ? "success" : undefined}>
          {channelLabel(row.channel)}
        </Badge>
      );
    case "average_check":
      return (
        <Text as="span" alignment="end" numeric>
          {formatMoney(row[key], currency)}
        </Text>
      );
    case "revenue":
      return <RevenueCell revenue={row.revenue} previous={(row as CampaignRowJson).previous} currency={currency} />;
    default:
      return (
        <Text as="span" alignment="end" numeric>
          {formatCount(row[key] as number)}
        </Text>
      );
  }
}

/** One campaign on a narrow screen: name and channel, then its figures as a line of text. */
function CondensedRow({
  row,
  showRevenue,
  currency,
  periodQuery,
}: {
  row: ReportRow;
  showRevenue: boolean;
  currency: string;
  periodQuery: string;
}) {
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between" blockAlign="start" gap="200" wrap={false}>
        {cell(row, "name", currency, periodQuery)}
        {cell(row, "channel", currency, periodQuery)}
      </InlineStack>
      <Text as="p" variant="bodySm" tone="subdued">
        {formatCount(row.sent)} sent · {formatCount(row.delivered)} delivered · {formatCount(row.opened)} opened ·{" "}
        {formatCount(row.clicked)} clicked
      </Text>
      {showRevenue ? (
        <Text as="p" variant="bodySm">
          <strong>{formatMoney(row.revenue, currency)}</strong> from {formatCount(row.purchases)}{" "}
          {row.purchases === 1 ? "purchase" : "purchases"} · average {formatMoney(row.average_check, currency)}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Stat({
  label,
  value,
  children,
  testId,
  emphasis,
}: {
  label: string;
  value: string;
  children?: ReactNode;
  testId: string;
  emphasis?: boolean;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant={emphasis ? "heading2xl" : "headingXl"} numeric>
          <span data-testid={testId}>{value}</span>
        </Text>
        {children ? (
          <Text as="span" variant="bodySm" tone="subdued">
            {children}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Onboarding() {
  return (
    <Card>
      <EmptyState
        heading="Connect your orders and your messages"
        image={CONNECT_ILLUSTRATION}
        action={{ content: "Connect a provider", url: "/app/settings#sources" }}
        secondaryAction={{ content: "Create an API key", url: "/app/settings#api-keys" }}
      >
        <BlockStack gap="300">
          <p>Campaign revenue matches each order to the last email or SMS that led to it. It needs two things:</p>
          <List type="number">
            <List.Item>
              <strong>Orders.</strong> New Shopify orders arrive by themselves now that the app is installed. Orders
              from before, or from other systems, can be sent to the API (POST /api/v1/orders).
            </List.Item>
            <List.Item>
              <strong>Messages.</strong> In Settings › Event sources, copy the webhook URL for SendGrid, Mailgun,
              Postmark, Amazon SES or Twilio into your provider, or send events to the API (POST /api/v1/events).
            </List.Item>
          </List>
          <p>Figures appear here within seconds of the first matching order.</p>
        </BlockStack>
      </EmptyState>
    </Card>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : "The report could not be loaded.";
  return (
    <Page title="Campaign revenue">
      <Banner tone="critical" title="Something went wrong">
        <p>{detail} Reload the page to try again. If it keeps happening, contact support.</p>
      </Banner>
    </Page>
  );
}
