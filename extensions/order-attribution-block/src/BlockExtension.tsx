/** @jsxImportSource preact */
/**
 * The order details block (target `admin.order-details.block.render`, admin UI extensions API 2026-07, Preact and
 * Polaris web components). Shopify runs it in a sandbox with the extension API as the global `shopify`; the CLI's
 * build wraps this module's default export in `shopify.extend(target, …)`. It fetches the app's backend with a
 * relative URL: the admin resolves it against the app's URL and adds the session token (Authorization: Bearer).
 */
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api } from "@shopify/ui-extensions/admin.order-details.block.render";
import {
  channelLabel,
  eventLabel,
  formatMoney,
  orderIdOf,
  stateOf,
  type BlockState,
  type OrderBlockAnswer,
} from "./model";

type BlockApi = Pick<Api, "data" | "i18n">;

export default async function extension() {
  const api = (globalThis as unknown as { shopify: BlockApi }).shopify;
  render(<OrderAttributionBlock api={api} />, document.body);
}

export function OrderAttributionBlock({ api }: { api: BlockApi }) {
  const orderId = orderIdOf(api.data.selected);
  const [state, setState] = useState<BlockState>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    if (!orderId) {
      setState({ kind: "error", message: "This page shows no order." });
      return;
    }
    let live = true;
    setState({ kind: "loading" });
    (async () => {
      try {
        const res = await fetch(`/extensions/orders/${orderId}/attribution`);
        const body: unknown = await res.json().catch(() => null);
        if (live) setState(stateOf(res.status, body));
      } catch (error) {
        if (live) setState({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      live = false;
    };
  }, [orderId, attempt]);

  return (
    <s-admin-block heading="Campaign attribution">
      <BlockBody state={state} api={api} retry={retry} />
    </s-admin-block>
  );
}

function BlockBody({ state, api, retry }: { state: BlockState; api: BlockApi; retry: () => void }) {
  switch (state.kind) {
    case "loading":
      return (
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-spinner accessibilityLabel="Loading the attribution" />
          <s-text color="subdued">Finding the campaign that earned this order…</s-text>
        </s-stack>
      );
    case "error":
      return (
        <s-banner tone="critical" heading="The attribution could not be loaded">
          <s-paragraph>{state.message}</s-paragraph>
          <s-button onClick={retry}>Try again</s-button>
        </s-banner>
      );
    case "unknown_order":
      return (
        <s-stack gap="small-200">
          <s-badge>Not attributed</s-badge>
          <s-paragraph color="subdued">
            The app has not received this order yet; it is attributed within moments of arriving.
          </s-paragraph>
        </s-stack>
      );
    case "disabled":
      return (
        <s-banner tone="warning" heading="Attribution is off">
          <s-paragraph>No campaign earns orders while attribution is turned off in the app's settings.</s-paragraph>
          <s-link href="app:/app/settings">Open settings</s-link>
        </s-banner>
      );
    case "not_attributed":
      return (
        <s-stack gap="small-200">
          <s-badge>Not attributed</s-badge>
          <s-paragraph>{state.answer.attribution.explanation}</s-paragraph>
        </s-stack>
      );
    case "attributed":
      return <Attributed answer={state.answer} api={api} />;
  }
}

function Attributed({ answer, api }: { answer: OrderBlockAnswer; api: BlockApi }) {
  const { attribution: a, campaign, money } = answer;
  const when = a.event_at ? api.i18n.formatDate(new Date(a.event_at), { dateStyle: "medium", timeStyle: "short" }) : "";
  return (
    <s-stack gap="small-300">
      <s-stack direction="inline" gap="small-200" alignItems="center">
        <s-text type="strong">{campaign!.name}</s-text>
        <s-badge tone="info">{channelLabel(campaign!.channel)}</s-badge>
        {a.linked_by === "click" ? <s-badge tone="success">Linked by the click</s-badge> : null}
      </s-stack>
      <s-text color="subdued">
        {eventLabel(a.event_type)} {when}
      </s-text>
      {money ? (
        <s-stack direction="inline" gap="base">
          <s-stack gap="none">
            <s-text color="subdued">Gross</s-text>
            <s-text>{formatMoney(money.gross, money.currency)}</s-text>
          </s-stack>
          <s-stack gap="none">
            <s-text color="subdued">Refunded</s-text>
            <s-text>{formatMoney(money.refunded, money.currency)}</s-text>
          </s-stack>
          <s-stack gap="none">
            <s-text color="subdued">Net</s-text>
            <s-text type="strong">{formatMoney(money.net, money.currency)}</s-text>
          </s-stack>
        </s-stack>
      ) : null}
      <s-paragraph color="subdued">{a.explanation}</s-paragraph>
      <s-link href={`app:${campaign!.app_path}`}>View the campaign</s-link>
    </s-stack>
  );
}
