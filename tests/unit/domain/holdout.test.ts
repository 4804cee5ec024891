/** The holdout figures (ATTRIBUTION.md, "Holdouts"): the worked example, small groups, rounding, significance. */
import { describe, expect, it } from "vitest";
import { holdoutFigures, holdoutSentence, totalIncremental, type GroupStats } from "../../../app/domain/holdout";
import { holdoutReference } from "../../support/holdout-reference";

function stats(outcomes: string[], converted = outcomes.filter((o) => Number(o) > 0).length): GroupStats {
  let sum = 0n;
  let sq = 0n;
  // exact cents
  for (const o of outcomes) {
    const c = BigInt(Math.round(Number(o) * 100));
    sum += c;
    sq += c * c;
  }
  const cents = (v: bigint, scale: number) => {
    const neg = v < 0n;
    const a = (neg ? -v : v).toString().padStart(scale + 1, "0");
    return `${neg ? "-" : ""}${a.slice(0, a.length - scale)}.${a.slice(a.length - scale)}`;
  };
  return { n: outcomes.length, converted, sum: cents(sum, 2), sumSquares: cents(sq, 4) };
}

describe("holdout figures", () => {
  it("follows the worked example exactly: +40.00 in [-188.57, 268.57], not significant, lift -0.5", () => {
    const f = holdoutFigures(
      { treated: stats(["100", "0", "0", "0"]), heldOut: stats(["30", "0"]), overlap: 0 },
      "USD",
    );
    expect(f).toEqual({
      treated: 4,
      held_out: 2,
      overlap: 0,
      conversion_treated: 0.25,
      conversion_held_out: 0.5,
      lift: -0.5,
      revenue_per_recipient_treated: "25.00",
      revenue_per_recipient_held_out: "15.00",
      incremental_revenue: "40.00",
      incremental_revenue_low: "-188.57",
      incremental_revenue_high: "268.57",
      significant: false,
      reason: null,
    });
  });

  it("gives no figures with a group of 0 or 1 on either side (insufficient_holdout), figures from 2", () => {
    for (const [t, h] of [
      [["10", "0", "5"], []],
      [["10", "0", "5"], ["3"]],
      [[], ["1", "2"]],
      [["7"], ["1", "2"]],
    ] as const) {
      const f = holdoutFigures({ treated: stats([...t]), heldOut: stats([...h]), overlap: 1 }, "USD");
      expect(f).toMatchObject({
        treated: t.length,
        held_out: h.length,
        overlap: 1,
        conversion_treated: null,
        lift: null,
        incremental_revenue: null,
        incremental_revenue_low: null,
        significant: null,
        reason: "insufficient_holdout",
      });
    }
    const two = holdoutFigures({ treated: stats(["10", "0"]), heldOut: stats(["0", "0"]), overlap: 0 }, "USD");
    expect(two).toMatchObject({ reason: null, incremental_revenue: "10.00", lift: null, conversion_held_out: 0 });
  });

  it("is significant when the interval excludes zero, either side", () => {
    const up = holdoutFigures(
      { treated: stats(["50", "50", "50", "0"]), heldOut: stats(["0", "0", "0", "1"]), overlap: 0 },
      "USD",
    );
    expect(up.significant).toBe(true);
    expect(Number(up.incremental_revenue_low)).toBeGreaterThan(0);
    const down = holdoutFigures(
      { treated: stats(["0", "0", "0", "1"]), heldOut: stats(["50", "50", "50", "0"]), overlap: 0 },
      "USD",
    );
    expect(down.significant).toBe(true);
    expect(Number(down.incremental_revenue_high)).toBeLessThan(0);
    // Identical constant groups: a zero-width interval at zero does not exclude zero.
    const flat = holdoutFigures({ treated: stats(["5", "5"]), heldOut: stats(["5", "5"]), overlap: 0 }, "USD");
    expect(flat).toMatchObject({ incremental_revenue: "0.00", incremental_revenue_low: "0.00", significant: false });
  });

  it("rounds money half away from zero to the currency's minor units and rates to 4 decimals", () => {
    // means 1/3 and 0: incremental (1/3) x 3 = 1 exactly; conversion 1/3 -> 0.3333, 2/3 -> 0.6667
    const f = holdoutFigures(
      {
        treated: { n: 3, converted: 2, sum: "1", sumSquares: "1" },
        heldOut: { n: 3, converted: 1, sum: "0", sumSquares: "0" },
        overlap: 0,
      },
      "USD",
    );
    expect(f).toMatchObject({
      conversion_treated: 0.6667,
      conversion_held_out: 0.3333,
      lift: 1,
      revenue_per_recipient_treated: "0.33",
      incremental_revenue: "1.00",
    });
    const jpy = holdoutFigures(
      {
        treated: { n: 2, converted: 1, sum: "1001", sumSquares: "1002001" },
        heldOut: { n: 2, converted: 0, sum: "0", sumSquares: "0" },
        overlap: 0,
      },
      "JPY",
    );
    expect(jpy.revenue_per_recipient_treated).toBe("501"); // 500.5 -> 501 (half away from zero)
    expect(jpy.incremental_revenue).toBe("1001");
    const neg = holdoutFigures(
      {
        treated: { n: 2, converted: 0, sum: "0", sumSquares: "0" },
        heldOut: { n: 2, converted: 1, sum: "0.05", sumSquares: "0.0025" },
        overlap: 0,
      },
      "USD",
    );
    expect(neg.revenue_per_recipient_held_out).toBe("0.03"); // 0.025 -> 0.03
    expect(neg.incremental_revenue).toBe("-0.05");
  });

  it("agrees with the plain reference implementation on random groups", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const outcomes = (n: number) =>
        Array.from({ length: n }, () => (rnd() < 0.6 ? "0" : (Math.floor(rnd() * 100000) / 100).toFixed(2)));
      const t = outcomes(Math.floor(rnd() * 12));
      const h = outcomes(Math.floor(rnd() * 8));
      const currency = rnd() < 0.2 ? "JPY" : "USD";
      const tt = currency === "JPY" ? t.map((x) => String(Math.round(Number(x)))) : t;
      const hh = currency === "JPY" ? h.map((x) => String(Math.round(Number(x)))) : h;
      const got = holdoutFigures({ treated: stats(tt), heldOut: stats(hh), overlap: 0 }, currency);
      expect(got).toEqual(holdoutReference(tt, hh, 0, currency));
    }
  });

  it("totals the incremental revenue of campaigns with figures, null when none has any", () => {
    const a = holdoutFigures(
      { treated: stats(["100", "0", "0", "0"]), heldOut: stats(["30", "0"]), overlap: 0 },
      "USD",
    );
    const b = holdoutFigures({ treated: stats(["1"]), heldOut: stats(["1", "2"]), overlap: 0 }, "USD");
    expect(totalIncremental([a, b, null, a], "USD")).toBe("80.00");
    expect(totalIncremental([b, null], "USD")).toBeNull();
  });

  it("says it in plain words", () => {
    const money = (s: string) => `$${s}`;
    const ex = holdoutFigures(
      { treated: stats(["100", "0", "0", "0"]), heldOut: stats(["30", "0"]), overlap: 0 },
      "USD",
    );
    expect(holdoutSentence(ex, money).text).toMatch(
      /^With 95% confidence this campaign added between \$-188.57 and \$268.57/,
    );
    const small = holdoutFigures({ treated: stats(["1"]), heldOut: stats([]), overlap: 0 }, "USD");
    expect(holdoutSentence(small, money).text).toBe("Not enough evidence yet: the control group is too small");
  });
});
