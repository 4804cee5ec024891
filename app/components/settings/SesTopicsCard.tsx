import { useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";

/** What the settings action answers (app/routes/app.settings/route.tsx); only the fields this card reads. */
type Result = { ok: boolean; message: string; errors?: Record<string, string> };

/**
 * Amazon SES: the SNS topics whose notifications the shop's SES URL accepts (docs/security.md). The first confirmed
 * subscription pins its topic; here the merchant sees the pinned topics and changes them (one ARN per line; empty:
 * the next confirmed subscription pins again). Submits `intent=ses-topics` to the settings page's action.
 */
export function SesTopicsCard({
  topicArns,
  notify,
}: {
  topicArns: readonly string[];
  notify: (message: string, error?: boolean) => void;
}) {
  const fetcher = useFetcher<Result>();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(topicArns.join("\n"));
  const seen = useRef<unknown>(null);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data && fetcher.data !== seen.current) {
      seen.current = fetcher.data;
      notify(fetcher.data.message, !fetcher.data.ok);
    }
  }, [fetcher.state, fetcher.data, notify]);
  // After a successful save the form closes (state adjusted during render, as the provider cards do).
  const saved = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data : null;
  const [handled, setHandled] = useState<unknown>(null);
  if (saved && saved !== handled) {
    setHandled(saved);
    setEditing(false);
  }
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.errors?.topic_arns : undefined;

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">
            Amazon SES topics
          </Text>
          {topicArns.length ? (
            <Badge tone="success">{`${topicArns.length} pinned`}</Badge>
          ) : (
            <Badge tone="attention">None pinned yet</Badge>
          )}
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          Only notifications of these SNS topics are accepted. The first subscription confirmed through your SES URL
          pins its topic; subscriptions to any other topic are not confirmed.
        </Text>
        {editing ? (
          <FormLayout>
            <TextField
              label="SNS topic ARNs (one per line)"
              multiline={3}
              autoComplete="off"
              value={value}
              error={error}
              onChange={setValue}
              helpText="Leave empty to let the next confirmed subscription pin its topic."
            />
            <InlineStack gap="200" align="end">
              <Button onClick={() => setEditing(false)}>Cancel</Button>
              <Button
                variant="primary"
                loading={fetcher.state !== "idle"}
                onClick={() => fetcher.submit({ intent: "ses-topics", topic_arns: value }, { method: "post" })}
              >
                Save topics
              </Button>
            </InlineStack>
          </FormLayout>
        ) : (
          <BlockStack gap="200">
            {topicArns.map((arn) => (
              <Text as="p" variant="bodySm" key={arn} breakWord>
                <code>{arn}</code>
              </Text>
            ))}
            <InlineStack align="end">
              <Button
                onClick={() => {
                  setValue(topicArns.join("\n"));
                  setEditing(true);
                }}
              >
                Change topics
              </Button>
            </InlineStack>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}
