import { useState } from "react";
import { useNavigation, useSearchParams } from "@remix-run/react";
import { Button, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { PERIOD_PRESETS, type PeriodKey } from "../admin/period";
import { formatDay } from "./format";

export interface PeriodView {
  key: PeriodKey;
  start: string;
  end: string;
  timeZone: string;
  error: string | null;
}

/**
 * The report period: presets and a custom range of dates, in the shop's time zone, kept in the URL (so a link, a
 * reload or the back button keep it). Changing it resets the table to its first page.
 */
export function PeriodPicker({ period }: { period: PeriodView }) {
  const [params, setParams] = useSearchParams();
  const navigation = useNavigation();
  const [key, setKey] = useState<PeriodKey>(period.key);
  const [start, setStart] = useState(period.start);
  const [end, setEnd] = useState(period.end);
  // A new period from the URL (back button, preset) resets the fields (state adjusted during render).
  const shown = `${period.key}|${period.start}|${period.end}`;
  const [prevShown, setPrevShown] = useState(shown);
  if (shown !== prevShown) {
    setPrevShown(shown);
    setKey(period.key);
    setStart(period.start);
    setEnd(period.end);
  }

  const go = (next: Record<string, string>) => {
    const p = new URLSearchParams(params);
    for (const k of ["period", "start", "end", "page"]) p.delete(k);
    for (const [k, v] of Object.entries(next)) p.set(k, v);
    setParams(p, { preventScrollReset: true });
  };

  const onPreset = (value: string) => {
    const k = value as PeriodKey;
    setKey(k);
    if (k !== "custom") go({ period: k });
  };

  const customInvalid = !start || !end || end < start;
  const busy = navigation.state === "loading";
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <div style={{ minWidth: 180 }}>
        <Select label="Period" options={PERIOD_PRESETS.map((p) => ({ ...p }))} value={key} onChange={onPreset} />
      </div>
      {key === "custom" ? (
        <>
          <div style={{ minWidth: 150 }}>
            <TextField
              label="From"
              type="date"
              value={start}
              onChange={setStart}
              autoComplete="off"
              max={end || undefined}
            />
          </div>
          <div style={{ minWidth: 150 }}>
            <TextField
              label="To"
              type="date"
              value={end}
              onChange={setEnd}
              autoComplete="off"
              min={start || undefined}
              error={start && end && end < start ? "Ends before it starts" : undefined}
            />
          </div>
          <Button onClick={() => go({ period: "custom", start, end })} disabled={customInvalid} loading={busy}>
            Apply
          </Button>
        </>
      ) : null}
      <Text as="p" variant="bodySm" tone="subdued">
        <span data-testid="period-range">
          {formatDay(period.start)}
          {period.end !== period.start ? ` – ${formatDay(period.end)}` : ""}
        </span>{" "}
        · {period.timeZone.replace(/_/g, " ")}
      </Text>
    </InlineStack>
  );
}
