import { useEffect, useRef, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, ProgressBar, Text, TextField } from "@shopify/polaris";
import { formatCount, formatDateTime } from "../format";

/** The shape of GET /app/imports (app/imports/service.server.ts `ImportStatus`), serialised. */
export interface ImportRunView {
  id: string;
  kind: "history" | "reconciliation";
  state: "queued" | "running" | "completed" | "failed";
  since: string | null;
  orders_done: number;
  orders_total: number | null;
  orders_changed: number;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  watermark: string | null;
}
export interface ImportStatusView {
  history: ImportRunView | null;
  reconciliation: ImportRunView | null;
  allOrders: boolean;
}

export const IMPORTS_PATH = "/app/imports";
const POLL_MS = 2000;

export const isActive = (r: ImportRunView | null) => r?.state === "queued" || r?.state === "running";

/** "Importing history: 12,340 of about 50,000 orders" (Shopify's objectCount is an estimate). */
export function importProgressText(r: ImportRunView): string {
  if (r.state === "queued" || (r.orders_done === 0 && r.orders_total === null)) return "Importing history: starting…";
  return r.orders_total !== null
    ? `Importing history: ${formatCount(r.orders_done)} of about ${formatCount(Math.max(r.orders_total, r.orders_done))} orders`
    : `Importing history: ${formatCount(r.orders_done)} orders`;
}

/** Polls the import status while one runs; revalidates the page when it ends. */
export function useImportStatus(initial: ImportStatusView): ImportStatusView {
  const poll = useFetcher<ImportStatusView>();
  const revalidator = useRevalidator();
  // the polled status, unless the page's own data already knows a newer run (e.g. right after starting one)
  const newer = (a: ImportStatusView, b: ImportStatusView) => Number(a.history?.id ?? 0) >= Number(b.history?.id ?? 0);
  const live = poll.data && newer(poll.data, initial) ? poll.data : initial;
  const running = isActive(live.history);
  const wasRunning = useRef(running);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      if (poll.state === "idle") poll.load(IMPORTS_PATH);
    }, POLL_MS);
    return () => clearInterval(t);
  }, [running, poll]);
  useEffect(() => {
    if (wasRunning.current && !running) revalidator.revalidate();
    wasRunning.current = running;
  }, [running, revalidator]);
  return live;
}

/** Settings: "Import order history" with a start date, progress, failure with retry, and the last reconciliation. */
export function ImportCard({ status, timezone }: { status: ImportStatusView; timezone: string }) {
  const live = useImportStatus(status);
  const start = useFetcher<{ ok: boolean; message: string; errors: Record<string, string> }>();
  const [since, setSince] = useState("");
  const h = live.history;
  const r = live.reconciliation;
  const busy = start.state !== "idle" || isActive(h);
  const revalidator = useRevalidator();
  const handled = useRef<unknown>(null);
  useEffect(() => {
    // a started import: reload the page's data, which then shows (and polls) the running import
    if (start.state === "idle" && start.data?.ok && handled.current !== start.data) {
      handled.current = start.data;
      revalidator.revalidate();
    }
  }, [start.state, start.data, revalidator]);
  const submit = () => start.submit({ since }, { method: "post", action: IMPORTS_PATH });
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h3" variant="headingMd">
          Import order history
        </Text>
        {!live.allOrders ? (
          <Text as="p" tone="subdued">
            Shopify gives this app the last 60 days of orders. Older orders need the read_all_orders access scope, which
            Shopify grants on request; without it, a start date further back imports 60 days.
          </Text>
        ) : null}
        {h && isActive(h) ? (
          <BlockStack gap="200">
            <Text as="p">{importProgressText(h)}</Text>
            <ProgressBar
              progress={h.orders_total ? Math.min(100, (100 * h.orders_done) / Math.max(h.orders_total, 1)) : 0}
              size="small"
            />
          </BlockStack>
        ) : null}
        {h?.state === "failed" ? (
          <Banner tone="critical" title="The last import failed" action={{ content: "Retry", onAction: submit }}>
            <p>{h.error}</p>
          </Banner>
        ) : null}
        {h?.state === "completed" ? (
          <Text as="p" tone="subdued">
            Last import: {formatCount(h.orders_done)} orders
            {h.since ? ` since ${formatDateTime(h.since, timezone)}` : ""}, finished{" "}
            {h.finished_at ? formatDateTime(h.finished_at, timezone) : ""}.
          </Text>
        ) : null}
        <InlineStack gap="300" blockAlign="end">
          <TextField
            label="Start date"
            type="date"
            value={since}
            onChange={setSince}
            autoComplete="off"
            helpText="Empty: as far back as Shopify allows."
            error={start.data && !start.data.ok ? (start.data.errors.since ?? start.data.message) : undefined}
          />
          <Button onClick={submit} loading={start.state !== "idle"} disabled={busy}>
            Import order history
          </Button>
        </InlineStack>
        <Text as="p" tone="subdued">
          {r
            ? `Last reconciliation: ${r.state}${r.state === "completed" ? `, ${formatCount(r.orders_done)} orders checked, ${formatCount(r.orders_changed)} recovered or updated` : ""}${r.state === "failed" && r.error ? ` (${r.error})` : ""}${r.watermark ? `; orders updated up to ${formatDateTime(r.watermark, timezone)} are in` : ""}.`
            : "Reconciliation: orders missed by webhooks are fetched from Shopify every few hours."}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** The report page's banner while an import runs. */
export function ImportBanner({ status }: { status: ImportStatusView }) {
  const live = useImportStatus(status);
  const h = live.history;
  if (!h || !isActive(h)) return null;
  return (
    <Banner tone="info" title={importProgressText(h)}>
      <p>Figures include imported orders as they arrive.</p>
    </Banner>
  );
}
