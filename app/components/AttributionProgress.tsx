import { useEffect, useRef, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, ProgressBar, Text } from "@shopify/polaris";
import { formatCount } from "./format";

export interface AttributionStatusView {
  state: "idle" | "running";
  version: number;
  attributed_version: number;
  progress: { done: number; total: number } | null;
}

export const STATUS_PATH = "/app/settings/status";
const POLL_MS = 1000;

/**
 * While a re-attribution runs: a banner with a progress bar that polls the status route every second; when it
 * finishes, the page's data is revalidated (so the figures change by themselves) and a short confirmation stays.
 */
export function AttributionProgress({
  status,
  starting = false,
}: {
  status: AttributionStatusView;
  starting?: boolean;
}) {
  const fetcher = useFetcher<AttributionStatusView>();
  const revalidator = useRevalidator();
  // The polled status, unless the page already knows a newer settings version (e.g. right after saving).
  const polled = fetcher.data && fetcher.data.version >= status.version ? fetcher.data : null;
  const live: AttributionStatusView = starting ? { ...status, state: "running", progress: null } : (polled ?? status);
  const running = live.state === "running";

  // Running -> idle shows the confirmation; running again hides it (state adjusted during render, React's pattern).
  const [prevRunning, setPrevRunning] = useState(running);
  const [finished, setFinished] = useState(false);
  if (running !== prevRunning) {
    setPrevRunning(running);
    setFinished(!running);
  }

  const load = useRef(fetcher.load);
  const busy = useRef(false);
  useEffect(() => {
    load.current = fetcher.load;
    busy.current = fetcher.state !== "idle";
  });

  // Poll while the server says running (not while a save is still in flight: its answer brings the new status).
  const poll = !starting && running;
  const polling = useRef(false);
  useEffect(() => {
    if (!poll) return;
    polling.current = true;
    const timer = setInterval(() => {
      if (!busy.current) load.current(STATUS_PATH);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);

  // The poll saw it finish while the page shows the old figures: load them again.
  const { revalidate } = revalidator;
  useEffect(() => {
    if (polling.current && polled?.state === "idle") {
      polling.current = false;
      revalidate();
    }
  }, [polled, revalidate]);

  if (live.state === "running") {
    const done = live.progress?.done ?? 0;
    const total = live.progress?.total ?? 0;
    const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
    return (
      <Banner tone="info" title="Re-attributing your order history">
        <BlockStack gap="200">
          <Text as="p" variant="bodyMd">
            Reports follow the new settings once this finishes. You can leave this page; it keeps running.
          </Text>
          <div data-testid="attribution-progress" aria-hidden="true">
            <ProgressBar progress={total > 0 ? pct : 5} size="small" animated />
          </div>
          <Text as="p" variant="bodySm" tone="subdued">
            <span role="status">
              {total > 0 ? `${formatCount(done)} of ${formatCount(total)} orders (${pct}%)` : "Starting…"}
            </span>
          </Text>
        </BlockStack>
      </Banner>
    );
  }
  if (finished) {
    return (
      <Banner tone="success" title="Re-attribution finished" onDismiss={() => setFinished(false)}>
        <p role="status">Every report now follows the current settings.</p>
      </Banner>
    );
  }
  return null;
}
