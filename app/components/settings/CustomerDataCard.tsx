import { useState } from "react";
import { useRevalidator } from "@remix-run/react";
import { BlockStack, Button, Card, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";

type By = "email" | "phone" | "customer_id";

/**
 * Answering a customer's data request (GDPR/CCPA, Shopify's customers/data_request): everything the app holds about
 * one customer — orders, messages, message events — downloaded as a JSON file from /app/customer-data.
 */
export function CustomerDataCard({ notify }: { notify: (message: string, error?: boolean) => void }) {
  const [by, setBy] = useState<By>("email");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  // The download is recorded in the activity list: reload the page's data to show it.
  const { revalidate } = useRevalidator();

  const download = async () => {
    setLoading(true);
    setError(undefined);
    try {
      // fetch, not a link: inside Shopify admin App Bridge adds the session token to fetches only.
      const res = await fetch(`/app/customer-data?${new URLSearchParams({ [by]: value.trim() })}`);
      if (res.status === 400) {
        const body = (await res.json()) as { error?: { details?: { message?: string }[] } };
        setError(body.error?.details?.[0]?.message ?? "Check this value.");
        return;
      }
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? "customer-data.json";
      const href = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
      notify("Customer data downloaded");
      revalidate();
    } catch {
      notify("The download failed. Try again.", true);
    } finally {
      setLoading(false);
    }
  };

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          Customer data request
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          When a customer asks for their data, download what this app holds about them (orders, messages and message
          events) and send it to them.
        </Text>
        <FormLayout>
          <FormLayout.Group condensed>
            <Select
              label="Find the customer by"
              options={[
                { label: "Email", value: "email" },
                { label: "Phone", value: "phone" },
                { label: "Shopify customer ID", value: "customer_id" },
              ]}
              value={by}
              onChange={(v) => setBy(v as By)}
            />
            <TextField
              label={by === "email" ? "Email" : by === "phone" ? "Phone" : "Customer ID"}
              value={value}
              onChange={(v) => {
                setValue(v);
                setError(undefined);
              }}
              error={error}
              autoComplete="off"
            />
          </FormLayout.Group>
        </FormLayout>
        <InlineStack align="end">
          <Button onClick={download} loading={loading} disabled={!value.trim()}>
            Download customer data
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
