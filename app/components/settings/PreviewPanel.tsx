import { useMemo, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { StageEvent } from "../../domain/types";
import type { ErrorDetail } from "../../domain/validation";
import { formatCount, formatDay, formatMoney } from "../format";
import { Td, Th } from "../PlainTable";

/** The draft the rules card holds (window hours as typed). */
export interface RulesDraft {
  channels: Record<string, { event: StageEvent; window: string }>;
  excluded_tags: string[];
  ignore_machine_opens: boolean;
}

interface Summary {
  campaigns: number;
  campaigns_with_revenue: number;
  purchases: number;
  gross: string;
  refunded: string;
  revenue: string;
  average_check: string;
  store_revenue: string;
}
interface PreviewResult {
  ok: true;
  period: { start: string; end: string };
  preview: {
    from: string;
    to: string;
    current: Summary;
    proposed: Summary;
    campaigns: {
      id: string;
      name: string;
      current: { purchases: number; revenue: string };
      proposed: { purchases: number; revenue: string };
    }[];
    orders: { gained: number; lost: number; moved: number; unchanged: number };
  };
}
type Answer = PreviewResult | { ok: false; message: string; details: ErrorDetail[] };

export const PREVIEW_PATH = "/app/settings/preview";
const MAX_ROWS = 10;

function toPatch(draft: RulesDraft) {
  return {
    channels: Object.fromEntries(
      Object.entries(draft.channels).map(([c, v]) => [
        c,
        { event: v.event, window_hours: /^\d+$/.test(v.window) ? Number(v.window) : null },
      ]),
    ),
    excluded_tags: draft.excluded_tags,
    ignore_machine_opens: draft.ignore_machine_opens,
  };
}

/**
 * "Preview" before "Save" on the settings page: the last 30 days under the draft rules next to the current report,
 * per campaign before/after, and the orders that would gain, lose or change campaign. Nothing is saved.
 */
export function PreviewPanel({ draft, currency }: { draft: RulesDraft; currency: string }) {
  const fetcher = useFetcher<Answer>();
  const body = useMemo(() => JSON.stringify(toPatch(draft)), [draft]);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const answer = fetcher.data;
  const loading = fetcher.state !== "idle";

  const run = () => {
    setPreviewed(body);
    fetcher.submit(toPatch(draft), { method: "post", action: PREVIEW_PATH, encType: "application/json" });
  };
  const stale = answer?.ok && previewed !== null && previewed !== body;

  return (
    <BlockStack gap="300">
      <InlineStack align="space-between" blockAlign="center" gap="200">
        <Text as="p" variant="bodySm" tone="subdued">
          See what the last 30 days would show under these rules before saving.
        </Text>
        <Button onClick={run} loading={loading}>
          Preview
        </Button>
      </InlineStack>
      {answer && !answer.ok ? (
        <Banner tone="critical" title="The preview could not be computed">
          <p>{answer.details.map((d) => `${d.path}: ${d.message}`).join("; ") || answer.message}</p>
        </Banner>
      ) : null}
      {answer?.ok ? <Result result={answer} currency={currency} stale={!!stale} /> : null}
    </BlockStack>
  );
}

function Result({ result, currency, stale }: { result: PreviewResult; currency: string; stale: boolean }) {
  const { preview, period } = result;
  const money = (a: string) => formatMoney(a, currency);
  const changed = preview.campaigns
    .filter((c) => c.current.purchases !== c.proposed.purchases || c.current.revenue !== c.proposed.revenue)
    .sort(
      (a, b) =>
        Math.abs(Number(b.proposed.revenue) - Number(b.current.revenue)) -
        Math.abs(Number(a.proposed.revenue) - Number(a.current.revenue)),
    );
  const o = preview.orders;
  return (
    <div data-testid="settings-preview" aria-live="polite">
      <Box background="bg-surface-secondary" padding="400" borderRadius="200">
        <BlockStack gap="400">
          {stale ? (
            <Banner tone="warning">
              <p>The rules changed since this preview. Preview again to see their effect.</p>
            </Banner>
          ) : null}
          <Text as="h3" variant="headingSm">
            {formatDay(period.start)} – {formatDay(period.end)}: current rules → these rules
          </Text>
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
            <Compare
              label="Purchases"
              before={formatCount(preview.current.purchases)}
              after={formatCount(preview.proposed.purchases)}
              testId="preview-purchases"
            />
            <Compare
              label="Revenue from campaigns"
              before={money(preview.current.revenue)}
              after={money(preview.proposed.revenue)}
              testId="preview-revenue"
            />
            <Compare
              label="Average check"
              before={money(preview.current.average_check)}
              after={money(preview.proposed.average_check)}
              testId="preview-average-check"
            />
          </InlineGrid>
          <Text as="p" variant="bodyMd">
            <span data-testid="preview-orders">
              {formatCount(o.gained)} {o.gained === 1 ? "order" : "orders"} would gain a campaign, {formatCount(o.lost)}{" "}
              would lose theirs, {formatCount(o.moved)} would move to another campaign; {formatCount(o.unchanged)} stay
              as they are.
            </span>
          </Text>
          {changed.length ? (
            <table style={{ width: "100%", borderCollapse: "collapse" }} data-testid="preview-campaigns">
              <caption style={{ textAlign: "left", paddingBottom: 6 }}>
                <Text as="span" variant="headingSm">
                  Campaigns that change
                </Text>
              </caption>
              <thead>
                <tr>
                  <Th>Campaign</Th>
                  <Th end>Purchases</Th>
                  <Th end>Revenue</Th>
                </tr>
              </thead>
              <tbody>
                {changed.slice(0, MAX_ROWS).map((c) => (
                  <tr key={c.id} data-campaign={c.id}>
                    <Td>{c.name}</Td>
                    <Td end>
                      {formatCount(c.current.purchases)} → {formatCount(c.proposed.purchases)}
                    </Td>
                    <Td end>
                      {money(c.current.revenue)} → {money(c.proposed.revenue)}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Text as="p" variant="bodySm" tone="subdued">
              No campaign&apos;s figures would change in this period.
            </Text>
          )}
          {changed.length > MAX_ROWS ? (
            <Text as="p" variant="bodySm" tone="subdued">
              and {changed.length - MAX_ROWS} more campaigns.
            </Text>
          ) : null}
          <Text as="p" variant="bodySm" tone="subdued">
            Saving applies these rules to every order of your history; this period will then show exactly these figures.
          </Text>
        </BlockStack>
      </Box>
    </div>
  );
}

function Compare({ label, before, after, testId }: { label: string; before: string; after: string; testId: string }) {
  return (
    <BlockStack gap="100">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingMd" numeric>
        <span data-testid={testId} aria-label={`${label}: ${before} now, ${after} with these rules`}>
          {before} → {after}
        </span>
      </Text>
    </BlockStack>
  );
}
