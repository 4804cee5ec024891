import { describe, expect, it } from "vitest";
import { bucketFor, periodParams, resolvePeriod } from "../../../app/admin/period";
import { copyRows, exportRows, parseSort, sortRows, toTsv, type ReportRow } from "../../../app/admin/report-table";

const p = (q: string) => new URLSearchParams(q);
// 2026-03-08 is the day New York moves to daylight saving time (a 23-hour day).
const NOW = new Date("2026-03-08T15:00:00Z");

describe("report period in the shop's time zone", () => {
  it("today is the shop's calendar day, from its midnight to the next", () => {
    const r = resolvePeriod(p("period=today"), "America/New_York", NOW);
    expect([r.start, r.end]).toEqual(["2026-03-08", "2026-03-08"]);
    expect(r.from.toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-03-09T04:00:00.000Z");
  });

  it("last 7/30/90 days end today, this month starts on the 1st", () => {
    expect(resolvePeriod(p("period=last7"), "UTC", NOW).start).toBe("2026-03-02");
    const r30 = resolvePeriod(p(""), "UTC", NOW);
    expect([r30.key, r30.start, r30.end, r30.days]).toEqual(["last30", "2026-02-07", "2026-03-08", 30]);
    expect(resolvePeriod(p("period=last90"), "UTC", NOW).days).toBe(90);
    expect(resolvePeriod(p("period=month"), "Asia/Tokyo", NOW).start).toBe("2026-03-01");
  });

  it("a shop east of UTC is already on the next day", () => {
    const r = resolvePeriod(p("period=today"), "Pacific/Auckland", new Date("2026-03-08T12:30:00Z"));
    expect(r.start).toBe("2026-03-09");
    expect(r.from.toISOString()).toBe("2026-03-08T11:00:00.000Z");
  });

  it("custom ranges include both dates and reject nonsense with a message", () => {
    const r = resolvePeriod(p("period=custom&start=2026-01-01&end=2026-01-31"), "Europe/Paris", NOW);
    expect([r.key, r.days, r.error]).toEqual(["custom", 31, null]);
    expect(r.from.toISOString()).toBe("2025-12-31T23:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-01-31T23:00:00.000Z");
    expect(periodParams(r)).toEqual({ period: "custom", start: "2026-01-01", end: "2026-01-31" });
    for (const q of [
      "period=custom&start=2026-02-31&end=2026-03-01",
      "period=custom&start=2026-03-02&end=2026-03-01",
      "period=custom",
    ]) {
      const bad = resolvePeriod(p(q), "UTC", NOW);
      expect(bad.key).toBe("last30");
      expect(bad.error).toBeTruthy();
    }
    expect(resolvePeriod(p("period=custom&start=2020-01-01&end=2026-01-01"), "UTC", NOW).error).toMatch(/at most/);
  });

  it("where daylight saving starts at midnight, every day still runs from its own midnight to the next", () => {
    // Santiago skips 2026-09-06 00:00-01:00 (-04 -> -03): that day starts at 01:00, the next days at 00:00.
    const today = resolvePeriod(p("period=today"), "America/Santiago", new Date("2026-09-06T15:00:00Z"));
    expect(today.from.toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(today.to.toISOString()).toBe("2026-09-07T03:00:00.000Z");
    const week = resolvePeriod(p("period=last7"), "America/Santiago", new Date("2026-09-06T15:00:00Z"));
    expect(week.start).toBe("2026-08-31");
    expect(week.from.toISOString()).toBe("2026-08-31T04:00:00.000Z");
    const custom = resolvePeriod(p("period=custom&start=2026-09-01&end=2026-09-05"), "America/Santiago", NOW);
    expect(custom.to.toISOString()).toBe("2026-09-06T04:00:00.000Z");
  });

  it("falls back to UTC for an unknown zone and buckets by week beyond three months", () => {
    expect(resolvePeriod(p("period=today"), "Mars/Olympus", NOW).timeZone).toBe("UTC");
    expect(bucketFor({ days: 90 })).toBe("day");
    expect(bucketFor({ days: 365 })).toBe("week");
  });
});

describe("campaign table rows", () => {
  const row = (id: string, name: string, revenue: string, sent: number): ReportRow => ({
    id,
    name,
    channel: "email",
    sent,
    delivered: sent,
    opened: 0,
    clicked: 0,
    purchases: 1,
    gross: revenue,
    refunded: "0.00",
    revenue,
    average_check: revenue,
    sale_formula: "Sale = click on the message, then a purchase within 24 hours of the click.",
  });
  const rows = [row("a", "Alpha", "9.99", 5), row("b", "Beta", "100000000000000.01", 1), row("c", "Gamma", "10.00", 5)];

  it("sorts money as decimals and counts as numbers, ties by name", () => {
    expect(sortRows(rows, "revenue", "descending").map((r) => r.id)).toEqual(["b", "c", "a"]);
    expect(sortRows(rows, "sent", "descending").map((r) => r.id)).toEqual(["a", "c", "b"]);
    expect(parseSort("revenue", null, false)).toEqual({ key: "sent", direction: "descending" });
    expect(parseSort("name", null, true)).toEqual({ key: "name", direction: "ascending" });
  });

  it("copies the visible columns and exports the revenue columns only with the $ toggle", () => {
    expect(copyRows(rows, false, "USD")[0]).toEqual(["Campaign", "Channel", "Sent", "Delivered", "Opened", "Clicked"]);
    expect(copyRows(rows, true, "EUR")[0]).toContain("Revenue (EUR)");
    expect(exportRows(rows, false, "USD")[0]).not.toContain("Revenue (USD)");
    expect(exportRows(rows, true, "USD")[1]).toContain("9.99");
    expect(toTsv([["a\tb", "c\nd"]])).toBe("a b\tc d\n");
  });

  it("never hands a spreadsheet a formula from a campaign's name or id (Copy and Export)", () => {
    const evil = [row("=1+2", '=HYPERLINK("http://x.test","open")', "1.00", 1), row("-a", "@b", "1.00", 1)];
    for (const table of [exportRows(evil, true, "USD"), copyRows(evil, true, "USD")]) {
      for (const line of table.slice(1)) for (const cell of line) expect(cell).not.toMatch(/^[=+\-@]/);
    }
    expect(exportRows(evil, false, "USD")[1]!.slice(0, 2)).toEqual(["'=1+2", '\'=HYPERLINK("http://x.test","open")']);
  });
});
