import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Box, SkeletonBodyText, Text } from "@shopify/polaris";
import { formatCount, formatDay, formatDayShort, formatMoney } from "./format";

export interface SeriesPoint {
  date: string;
  revenue: string;
  store_revenue: string;
  purchases: number;
}

/**
 * Revenue over time: campaign revenue (line) against the store's revenue (bars), per day or week in the shop's time
 * zone. Drawn in the browser only (it measures its container). Numbers become floats here for plotting only; every
 * figure shown as text comes from the decimal strings.
 */
export function RevenueChart({
  series,
  currency,
  bucket,
  summary,
  previous,
  previousLabel = "Earlier period",
}: {
  series: SeriesPoint[];
  currency: string;
  bucket: "day" | "week";
  /** Spoken instead of the drawing. */
  summary: string;
  /** The compared period's series, overlaid bucket by bucket (its first bucket over this one's first). */
  previous?: SeriesPoint[] | null;
  previousLabel?: string;
}) {
  // False on the server and during hydration, true in the browser afterwards.
  const mounted = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const data = series.map((p, i) => {
    const earlier = previous?.[i] ?? null;
    return {
      date: p.date,
      revenue: Number(p.revenue),
      store: Math.max(0, Number(p.store_revenue) - Number(p.revenue)),
      previous: earlier ? Number(earlier.revenue) : null,
      raw: p,
      rawPrevious: earlier,
    };
  });
  const compact = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1,
  });

  return (
    <div role="img" aria-label={summary} data-testid="revenue-chart">
      {!mounted ? (
        <Box minHeight="260px">
          <SkeletonBodyText lines={6} />
        </Box>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#ebebeb" vertical={false} />
            <XAxis
              dataKey="date"
              tickFormatter={formatDayShort}
              tick={{ fontSize: 12 }}
              minTickGap={24}
              tickLine={false}
            />
            <YAxis
              tickFormatter={(v: number) => compact.format(v)}
              tick={{ fontSize: 12 }}
              width={64}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              content={({ active, payload }) => {
                const hovered = active && payload?.[0] ? (payload[0].payload as (typeof data)[number]) : null;
                const point = hovered?.raw ?? null;
                const prev = hovered?.rawPrevious ?? null;
                if (!point) return null;
                return (
                  <div
                    style={{
                      background: "#fff",
                      border: "1px solid #e3e3e3",
                      borderRadius: 8,
                      padding: "8px 12px",
                      boxShadow: "0 4px 12px rgba(0,0,0,.08)",
                    }}
                  >
                    <Text as="p" variant="bodySm" fontWeight="semibold">
                      {bucket === "week" ? `Week of ${formatDay(point.date)}` : formatDay(point.date)}
                    </Text>
                    <Text as="p" variant="bodySm">
                      Campaigns: {formatMoney(point.revenue, currency)} ({formatCount(point.purchases)} purchases)
                    </Text>
                    <Text as="p" variant="bodySm" tone="subdued">
                      Store: {formatMoney(point.store_revenue, currency)}
                    </Text>
                    {prev ? (
                      <Text as="p" variant="bodySm" tone="subdued">
                        {previousLabel} ({formatDayShort(prev.date)}): {formatMoney(prev.revenue, currency)}
                      </Text>
                    ) : null}
                  </div>
                );
              }}
            />
            <Legend verticalAlign="top" align="right" height={28} iconType="circle" wrapperStyle={{ fontSize: 12 }} />
            <Bar
              dataKey="revenue"
              name="Revenue from campaigns"
              stackId="rev"
              fill="#2c6ecb"
              isAnimationActive={false}
            />
            <Bar
              dataKey="store"
              name="Other store revenue"
              stackId="rev"
              fill="#d4dbe8"
              radius={[3, 3, 0, 0]}
              isAnimationActive={false}
            />
            {previous ? (
              <Line
                dataKey="previous"
                name={`Campaigns, ${previousLabel.toLowerCase()}`}
                type="monotone"
                stroke="#6d7175"
                strokeWidth={2}
                strokeDasharray="5 4"
                dot={false}
                isAnimationActive={false}
              />
            ) : null}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </div>
  );
}
