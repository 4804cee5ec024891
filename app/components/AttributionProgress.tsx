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
export function AttributionProgress({ status, starting = false }: { status: AttributionStatusView; starting?: boolean }) {
  const fetcher = useFetcher<AttributionStatusView>();
  const revalidator = useRevalidator();
  // The polled status, unless the page already knows a newer settings version (e.g. right after saving).
  const polled = fetcher.data && fetcher.data.version >= status.version ? fetcher.data : null;
  const live: AttributionStatusView = starting ? { ...status, state: "running", progress: null } : (polled ?? status);
  const [finished, setFinished] = useState(false);
  const wasRunning = useRef(false);
  const load = useRef(fetcher.load);
  load.current = fetcher.load;
  const busy = useRef(false);
  busy.current = fetcher.state !== "idle";

  const running = live.state === "running";
  if (running) wasRunning.current = true;

  // Poll while the server says running (not while a save is still in flight: its answer brings the new status).
  const poll = !starting && running;
  useEffect(() => {
    if (!poll) return;
    setFinished(false);
    const timer = setInterval(() => {
      if (!busy.current) load.current(STATUS_PATH);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);

  useEffect(() => {
    if (!wasRunning.current || running) return;
    wasRunning.current = false;
    setFinished(true);
    // Finished while the page showed the old figures: load them again.
    if (polled?.state === "idle") revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running]);

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
