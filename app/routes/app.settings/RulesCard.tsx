import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import {
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  Collapsible,
  Divider,
  FormLayout,
  InlineStack,
  Select,
  Tag,
  Text,
  TextField,
} from "@shopify/polaris";
import { MAX_WINDOW_HOURS } from "../../domain/settings";
import { saleFormula } from "../../domain/sale-formula";
import { CHANNELS, STAGE_EVENTS, type Channel, type StageEvent } from "../../domain/types";
import { PreviewPanel } from "../../components/settings/PreviewPanel";
import { channelLabel } from "../../components/format";
import { EVENT_LABELS, type LoaderData, useFetcherResult } from "./shared";
import type { action } from "./route";

export function RulesCard({
  settings,
  notify,
}: {
  settings: LoaderData["settings"];
  notify: (m: string, e?: boolean) => void;
}) {
  const fetcher = useFetcher<typeof action>();
  const errors = useFetcherResult(fetcher, notify);
  const [channels, setChannels] = useState(
    () =>
      Object.fromEntries(
        CHANNELS.map((c) => [
          c,
          { event: settings.channels[c].event, window: String(settings.channels[c].window_hours) },
        ]),
      ) as Record<Channel, { event: StageEvent; window: string }>,
  );
  const [tags, setTags] = useState<string[]>(settings.excluded_tags);
  const [tagInput, setTagInput] = useState("");
  const [ignoreMachine, setIgnoreMachine] = useState(settings.ignore_machine_opens);
  const [moreOpen, setMoreOpen] = useState(false);

  const dirty =
    CHANNELS.some(
      (c) =>
        channels[c].event !== settings.channels[c].event ||
        channels[c].window !== String(settings.channels[c].window_hours),
    ) ||
    ignoreMachine !== settings.ignore_machine_opens ||
    tags.join("\u0000") !== settings.excluded_tags.join("\u0000");

  const addTag = () => {
    const t = tagInput.trim();
    if (t && !tags.some((x) => x.toLowerCase() === t.toLowerCase())) setTags([...tags, t]);
    setTagInput("");
  };

  const save = () => {
    const payload: Record<string, string> = {
      intent: "rules",
      excluded_tags: JSON.stringify(tagInput.trim() ? [...tags, tagInput.trim()] : tags),
      ignore_machine_opens: String(ignoreMachine),
    };
    for (const c of CHANNELS) {
      payload[`${c}.event`] = channels[c].event;
      payload[`${c}.window_hours`] = channels[c].window;
    }
    setTagInput("");
    fetcher.submit(payload, { method: "post" });
  };

  const channelRow = (c: Channel) => {
    const hours = Number(channels[c].window);
    const valid = /^\d+$/.test(channels[c].window) && hours >= 1 && hours <= MAX_WINDOW_HOURS;
    return (
      <BlockStack gap="200" key={c}>
        <Text as="h3" variant="headingSm">
          {channelLabel(c)}
        </Text>
        <FormLayout>
          <FormLayout.Group condensed>
            <Select
              label={
                <>
                  Connecting event
                  <Text as="span" visuallyHidden>
                    {` for ${channelLabel(c)}`}
                  </Text>
                </>
              }
              options={STAGE_EVENTS.map((e) => ({ value: e, label: EVENT_LABELS[e] }))}
              value={channels[c].event}
              onChange={(v) => setChannels({ ...channels, [c]: { ...channels[c], event: v as StageEvent } })}
            />
            <TextField
              label={
                <>
                  Window
                  <Text as="span" visuallyHidden>
                    {` for ${channelLabel(c)}`}
                  </Text>
                </>
              }
              type="number"
              min={1}
              max={MAX_WINDOW_HOURS}
              step={1}
              suffix="hours"
              autoComplete="off"
              value={channels[c].window}
              error={errors[`channels.${c}.window_hours`]}
              onChange={(v) => setChannels({ ...channels, [c]: { ...channels[c], window: v } })}
            />
          </FormLayout.Group>
        </FormLayout>
        <Text as="p" variant="bodySm" tone="subdued">
          {valid
            ? saleFormula({ event: channels[c].event, window_hours: hours })
            : `Enter 1 to ${MAX_WINDOW_HOURS} hours (90 days).`}
        </Text>
      </BlockStack>
    );
  };

  const main: Channel[] = ["email", "sms"];
  const others = CHANNELS.filter((c) => !main.includes(c));
  return (
    <Card>
      <BlockStack gap="400">
        {main.map(channelRow)}
        <Box>
          <Button
            variant="plain"
            disclosure={moreOpen ? "up" : "down"}
            onClick={() => setMoreOpen(!moreOpen)}
            ariaExpanded={moreOpen}
            ariaControls="more-channels"
          >
            {`Other channels (${others.map(channelLabel).join(", ")})`}
          </Button>
        </Box>
        <Collapsible id="more-channels" open={moreOpen}>
          <BlockStack gap="400">{others.map(channelRow)}</BlockStack>
        </Collapsible>
        <Divider />
        <Checkbox
          label="Ignore machine opens"
          helpText="Opens made by privacy proxies or link scanners still count in statistics, but never connect a sale."
          checked={ignoreMachine}
          onChange={setIgnoreMachine}
        />
        <BlockStack gap="200">
          {/* Enter in the field adds the tag. */}
          <div
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.target as HTMLElement).tagName === "INPUT") {
                e.preventDefault();
                addTag();
              }
            }}
          >
            <TextField
              label="Excluded tags"
              helpText="Messages with any of these tags never earn a sale: password resets, delivery notices, technical notifications. Case does not matter."
              value={tagInput}
              onChange={setTagInput}
              autoComplete="off"
              error={errors.excluded_tags}
              placeholder="password-reset"
              connectedRight={
                <Button onClick={addTag} disabled={!tagInput.trim()}>
                  Add tag
                </Button>
              }
            />
          </div>
          {tags.length ? (
            <InlineStack gap="200" wrap>
              {tags.map((t) => (
                <Tag
                  key={t}
                  onRemove={() => setTags(tags.filter((x) => x !== t))}
                  accessibilityLabel={`Remove tag ${t}`}
                >
                  {t}
                </Tag>
              ))}
            </InlineStack>
          ) : (
            <Text as="p" variant="bodySm" tone="subdued">
              No excluded tags.
            </Text>
          )}
        </BlockStack>
        <Divider />
        <PreviewPanel
          draft={{
            channels,
            excluded_tags: tagInput.trim() ? [...tags, tagInput.trim()] : tags,
            ignore_machine_opens: ignoreMachine,
          }}
          currency={settings.currency}
        />
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="p" variant="bodySm" tone="subdued">
            Saving re-attributes every order of your history.
          </Text>
          <Button
            variant="primary"
            onClick={save}
            loading={fetcher.state !== "idle"}
            disabled={!dirty && !tagInput.trim()}
          >
            Save rules
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
