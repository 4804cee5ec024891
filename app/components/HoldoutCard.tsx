import { BlockStack, Box, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { holdoutSentence, type HoldoutFigures } from "../domain/holdout";
import { formatCount, formatMoney } from "./format";
import { Td, Th } from "./PlainTable";

/**
 * The campaign page's holdout card (ATTRIBUTION.md, "Holdouts"): attributed next to incremental revenue, the 95%
 * interval as a bar, the verdict in plain words, the groups, and how to set up a holdout in a sender.
 */
export function HoldoutCard({
  holdout,
  attributedRevenue,
  currency,
}: {
  holdout: HoldoutFigures | null;
  attributedRevenue: string;
  currency: string;
}) {
  const money = (a: string | null) => formatMoney(a, currency);
  return (
    <div data-testid="holdout-card">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              What this campaign really added
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              Attributed revenue gives the campaign credit for its buyers&apos; orders; a holdout test compares them
              with a random control group that did not get it, and shows the revenue the campaign actually added.
            </Text>
          </BlockStack>
          {holdout ? <Figures holdout={holdout} attributedRevenue={attributedRevenue} money={money} /> : null}
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">
                {holdout ? "How the holdout works" : "No holdout for this campaign yet"}
              </Text>
              <Text as="p" variant="bodySm">
                In your sender, keep a random share of the campaign&apos;s audience out of the send (a control group,
                for example 10%), and report each held-out recipient as a <code>held_out</code> event with the
                campaign&apos;s id: through the Generate event API (<code>&quot;type&quot;: &quot;held_out&quot;</code>
                ), or with the custom field <code>held_out=true</code> on a SendGrid, Mailgun, Postmark, SES or Twilio
                event. Orders of both groups within the channel&apos;s window are compared, whichever campaign they are
                attributed to.
              </Text>
            </BlockStack>
          </Box>
        </BlockStack>
      </Card>
    </div>
  );
}

function Figures({
  holdout: h,
  attributedRevenue,
  money,
}: {
  holdout: HoldoutFigures;
  attributedRevenue: string;
  money: (a: string | null) => string;
}) {
  const verdict = holdoutSentence(h, (a) => money(a));
  const color = verdict.tone === "success" ? "#1a7f4b" : verdict.tone === "warning" ? "#8a6116" : "#4a4a4a";
  const pct = (r: number | null) => (r === null ? "—" : `${(r * 100).toFixed(r * 100 >= 10 ? 0 : 1)}%`);
  return (
    <BlockStack gap="400">
      <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
        <Figure label="Attributed revenue" value={money(attributedRevenue)} testId="holdout-attributed" />
        <Figure
          label="Incremental revenue"
          value={h.incremental_revenue === null ? "—" : money(h.incremental_revenue)}
          testId="holdout-incremental"
          emphasis
        />
      </InlineGrid>
      {h.incremental_revenue_low !== null && h.incremental_revenue_high !== null && h.incremental_revenue !== null ? (
        <IntervalBar
          low={h.incremental_revenue_low}
          high={h.incremental_revenue_high}
          estimate={h.incremental_revenue}
          significant={h.significant === true}
          money={money}
        />
      ) : null}
      <p data-testid="holdout-verdict" style={{ margin: 0, color, fontWeight: 600 }}>
        {verdict.text}
      </p>
      <table style={{ width: "100%", borderCollapse: "collapse" }} data-testid="holdout-groups">
        <caption style={{ textAlign: "left", paddingBottom: 6 }}>
          <Text as="span" variant="headingSm">
            Groups
          </Text>
        </caption>
        <thead>
          <tr>
            <Th>Group</Th>
            <Th end>Recipients</Th>
            <Th end>Converted</Th>
            <Th end>Revenue per recipient</Th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <Td>Got the campaign</Td>
            <Td end>{formatCount(h.treated)}</Td>
            <Td end>{pct(h.conversion_treated)}</Td>
            <Td end>{money(h.revenue_per_recipient_treated)}</Td>
          </tr>
          <tr>
            <Td>Held out (control)</Td>
            <Td end>{formatCount(h.held_out)}</Td>
            <Td end>{pct(h.conversion_held_out)}</Td>
            <Td end>{money(h.revenue_per_recipient_held_out)}</Td>
          </tr>
        </tbody>
      </table>
      <Text as="p" variant="bodySm" tone="subdued">
        Lift in conversion: {h.lift === null ? "—" : `${h.lift > 0 ? "+" : ""}${(h.lift * 100).toFixed(1)}%`}
        {h.overlap > 0
          ? ` · ${formatCount(h.overlap)} recipient${h.overlap === 1 ? " was" : "s were"} in both groups and left out of both`
          : ""}
      </Text>
    </BlockStack>
  );
}

function Figure({
  label,
  value,
  testId,
  emphasis,
}: {
  label: string;
  value: string;
  testId: string;
  emphasis?: boolean;
}) {
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg" numeric fontWeight={emphasis ? "bold" : "semibold"}>
          <span data-testid={testId}>{value}</span>
        </Text>
      </BlockStack>
    </Box>
  );
}

/** The 95% interval on an axis that always shows zero; the estimate as a tick. Display only (floats). */
function IntervalBar({
  low,
  high,
  estimate,
  significant,
  money,
}: {
  low: string;
  high: string;
  estimate: string;
  significant: boolean;
  money: (a: string) => string;
}) {
  const lo = Number(low);
  const hi = Number(high);
  const est = Number(estimate);
  const min = Math.min(lo, 0);
  const max = Math.max(hi, 0);
  // The axis ends, as decimal strings for the labels: zero, or the interval's end beyond it.
  const minLabel = lo < 0 ? low : "0";
  const maxLabel = hi > 0 ? high : "0";
  const span = max - min || 1;
  const x = (v: number) => `${((v - min) / span) * 100}%`;
  const fill = significant ? "#1a7f4b" : "#b98900";
  return (
    <div
      role="img"
      aria-label={`95% interval of the incremental revenue: from ${money(low)} to ${money(high)}, estimate ${money(estimate)}`}
      data-testid="holdout-interval"
    >
      <div style={{ position: "relative", height: 28, margin: "0 8px" }}>
        <div
          style={{ position: "absolute", top: 13, left: 0, right: 0, height: 2, background: "#e3e3e3" }}
          aria-hidden="true"
        />
        <div
          style={{
            position: "absolute",
            top: 8,
            height: 12,
            left: x(lo),
            width: `calc(${x(hi)} - ${x(lo)})`,
            minWidth: 2,
            borderRadius: 6,
            background: fill,
            opacity: 0.35,
          }}
        />
        <div style={{ position: "absolute", top: 4, height: 20, width: 3, left: x(est), background: fill }} />
        <div style={{ position: "absolute", top: 0, height: 28, width: 1, left: x(0), background: "#616161" }} />
      </div>
      <InlineStack align="space-between">
        <Text as="span" variant="bodySm" tone="subdued" numeric>
          {money(minLabel)}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          95% interval · the dark line marks zero
        </Text>
        <Text as="span" variant="bodySm" tone="subdued" numeric>
          {money(maxLabel)}
        </Text>
      </InlineStack>
    </div>
  );
}
