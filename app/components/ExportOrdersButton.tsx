import { useState } from "react";
import { Button, InlineStack, Text } from "@shopify/polaris";

/**
 * Downloads a CSV from an authenticated app route: `fetch`, not a plain link, because inside Shopify admin App Bridge
 * adds the session token to fetches only.
 */
export function ExportOrdersButton({ href, disabled }: { href: string; disabled?: boolean }) {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const onClick = async () => {
    setState("busy");
    try {
      const res = await fetch(href);
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "orders.csv";
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      {state === "failed" ? (
        <Text as="span" tone="critical" variant="bodySm">
          Export failed. Try again.
        </Text>
      ) : null}
      <Button size="slim" onClick={onClick} loading={state === "busy"} disabled={disabled}>
        Export orders
      </Button>
    </InlineStack>
  );
}
