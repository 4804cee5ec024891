import { useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";

/**
 * Rotating the provider ingest token (ADR 008): every ingest URL above changes and the old ones stop working at once,
 * so each provider must be given its new URL. Posts to /app/settings/ingest-token; the page reloads its URLs after.
 */
export function IngestTokenCard({ notify }: { notify: (message: string, error?: boolean) => void }) {
  const fetcher = useFetcher<{ ok: boolean; message: string }>();
  const [confirming, setConfirming] = useState(false);
  const seen = useRef<unknown>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && fetcher.data !== seen.current) {
      seen.current = fetcher.data;
      notify(fetcher.data.message, !fetcher.data.ok);
    }
  }, [fetcher.state, fetcher.data, notify]);

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          Rotate the ingest URLs
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          If an ingest URL was shared or leaked, replace the secret part of all of them. The old URLs stop working at
          once: paste the new ones into each provider right after.
        </Text>
        <InlineStack gap="200" align="end">
          {confirming ? (
            <>
              <Button onClick={() => setConfirming(false)}>Keep the current URLs</Button>
              <Button
                tone="critical"
                variant="primary"
                loading={fetcher.state !== "idle"}
                onClick={() => {
                  fetcher.submit({}, { method: "post", action: "/app/settings/ingest-token" });
                  setConfirming(false);
                }}
              >
                Rotate now
              </Button>
            </>
          ) : (
            <Button tone="critical" onClick={() => setConfirming(true)}>
              Rotate ingest URLs
            </Button>
          )}
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
