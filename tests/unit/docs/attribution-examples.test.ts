/**
 * docs/attribution.md, "Worked examples": the table is read from the document and every row is checked against the
 * oracle (tests/support/model.ts), so the documented examples cannot drift from the rules the code follows.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSettings, type AttributionSettings } from "../../../app/domain/settings";
import type { Channel, MessageEventInput, OrderInput, RefundInput } from "../../../app/domain/types";
import { attributeAll } from "../../support/model";

const DOC = path.resolve(import.meta.dirname, "../../../docs/attribution.md");

interface Row {
  id: string;
  messages: string;
  order: string;
  refunds: string;
  campaign: string;
  reason: string;
  purchases: string;
  gross: string;
  refunded: string;
  revenue: string;
}

function exampleRows(markdown: string): Row[] {
  const section = markdown.split("## Worked examples")[1]?.split("\n## ")[0] ?? "";
  const lines = section.split("\n").filter((l) => l.startsWith("| "));
  const [header, , ...body] = lines;
  expect(header).toMatch(/^\| # \| messages \| order/);
  return body.map((line) => {
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
    const [id, messages, order, refunds, campaign, reason, purchases, gross, refunded, revenue] = cells;
    return { id, messages, order, refunds, campaign, reason, purchases, gross, refunded, revenue } as Row;
  });
}

/** `11-01 09:00[:SS]` in November 2026, UTC. */
function time(text: string): Date {
  const m = /^(\d\d)-(\d\d) (\d\d):(\d\d)(?::(\d\d))?$/.exec(text.trim());
  if (!m) throw new Error(`not a time: ${text}`);
  return new Date(`2026-${m[1]}-${m[2]}T${m[3]}:${m[4]}:${m[5] ?? "00"}Z`);
}

const recipient = (who: string) => (who.includes("@") ? { email: who } : { phone: who });

/** `m1 A email alice@x.com [Tag]: sent 11-01 09:00, clicked 11-01 10:00 (note)` separated by `;`. */
function events(cell: string): MessageEventInput[] {
  return cell.split(";").flatMap((part) => {
    const m = /^\s*(\S+) (\S+) (\S+) ([^:[]+?)(?: \[([^\]]*)\])?: (.*)$/.exec(part);
    if (!m) throw new Error(`not a message: ${part}`);
    const [, messageId, campaignId, channel, who, tags, list] = m as unknown as string[];
    if (list === undefined) throw new Error(`no events in: ${part}`);
    return list
      .replace(/\(.*\)/, "")
      .split(",")
      .map((e) => {
        const [type, ...when] = e.trim().split(" ");
        return {
          externalId: null,
          type: type!,
          channel: channel as Channel,
          occurredAt: time(when.join(" ")),
          campaignId: campaignId!,
          campaignName: null,
          messageId: messageId!,
          recipient: recipient(who!.trim()),
          tags: tags ? tags.split(",").map((t) => t.trim()) : [],
          url: null,
          machine: false,
          source: "api" as const,
        };
      });
  });
}

function order(cell: string): OrderInput {
  const [when, money, who] = cell.split(",").map((c) => c.trim());
  const [total, currency] = money!.split(" ");
  const r = recipient(who!);
  return {
    externalId: "o1",
    name: null,
    processedAt: time(when!),
    createdAt: null,
    updatedAt: null,
    currency: currency!,
    totalPrice: total!,
    email: "email" in r ? (r.email ?? null) : null,
    phone: "phone" in r ? (r.phone ?? null) : null,
    customer: null,
    test: false,
    cancelledAt: null,
    landingSite: null,
    refunds: [],
  };
}

function refunds(cell: string): RefundInput[] {
  if (cell === "") return [];
  return cell.split(",").map((amount, i) => ({
    externalId: `r${i}`,
    orderExternalId: "o1",
    createdAt: time("11-03 00:00"),
    amount: amount.trim(),
    currency: "USD",
  }));
}

const settings: AttributionSettings = {
  ...defaultSettings("USD"),
  channels: {
    ...defaultSettings("USD").channels,
    email: { event: "clicked", window_hours: 24 },
    sms: { event: "clicked", window_hours: 24 },
  },
  excluded_tags: ["password-reset"],
};
const NOVEMBER = { from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") };

const rows = exampleRows(readFileSync(DOC, "utf8"));

describe("docs/attribution.md worked examples", () => {
  it("has the examples of the rules (at least 8 rows)", () => {
    expect(rows.length).toBeGreaterThanOrEqual(8);
  });

  for (const row of rows) {
    it(`example ${row.id}: ${row.campaign ? `campaign ${row.campaign}` : row.reason}`, () => {
      const evs = events(row.messages);
      const o = order(row.order);
      const result = attributeAll([o], evs, refunds(row.refunds), settings, NOVEMBER);
      // Arrival order never matters: the events after the order give the same result.
      expect(attributeAll([o], [...evs].reverse(), refunds(row.refunds), settings, NOVEMBER)).toEqual(result);
      const outcome = result.orders[0]!;
      expect(outcome.campaign_id ?? "").toBe(row.campaign);
      expect(outcome.reason ?? "").toBe(row.reason);
      const figures = row.campaign
        ? result.report.campaigns.find((c) => c.id === row.campaign)!
        : result.report.summary;
      expect({
        purchases: figures.purchases,
        gross: figures.gross,
        refunded: figures.refunded,
        revenue: figures.revenue,
      }).toEqual({
        purchases: Number(row.purchases),
        gross: row.gross,
        refunded: row.refunded,
        revenue: row.revenue,
      });
    });
  }
});
