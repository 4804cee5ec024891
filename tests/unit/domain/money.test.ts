import { describe, expect, it } from "vitest";
import {
  Money,
  averageCheck,
  capRefunded,
  formatAmount,
  minorUnits,
  parseMoney,
  tryParseMoney,
} from "../../../app/domain/money";

describe("money", () => {
  it("parses decimal strings and numbers exactly", () => {
    expect(parseMoney("12.50").toFixed()).toBe("12.5");
    expect(parseMoney(" 100.00 ").toFixed(2)).toBe("100.00");
    expect(parseMoney(0.1).plus(parseMoney(0.2)).toFixed()).toBe("0.3");
    expect(parseMoney("1.500000").toFixed()).toBe("1.5"); // trailing zeros are not significant digits
    expect(parseMoney("-0").toFixed(2)).toBe("0.00");
    expect(parseMoney("-5", { allowNegative: true }).toFixed()).toBe("-5");
  });

  it("rejects what is not a plain decimal", () => {
    for (const bad of ["", " ", "abc", "NaN", "Infinity", "1e3", "0x10", "1,000.00", ".5", "5.", "--1", "1.00001"]) {
      expect(tryParseMoney(bad), bad).toBeNull();
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, true]) {
      expect(tryParseMoney(bad)).toBeNull();
    }
    expect(() => parseMoney("-1")).toThrow(/negative/);
    expect(() => parseMoney("1234567890123456")).toThrow(/too large/);
    expect(() => parseMoney("1.123", { maxFractionDigits: 2 })).toThrow(/decimal places/);
  });

  it("knows ISO 4217 minor units", () => {
    expect(minorUnits("USD")).toBe(2);
    expect(minorUnits("EUR")).toBe(2);
    expect(minorUnits("JPY")).toBe(0);
    expect(minorUnits("jpy")).toBe(0);
    for (const c of ["KWD", "BHD", "JOD", "OMR", "TND", "IQD", "LYD"]) expect(minorUnits(c)).toBe(3);
    expect(minorUnits("CLF")).toBe(4);
    expect(minorUnits("HUF")).toBe(2);
    expect(minorUnits("XYZ")).toBe(2);
  });

  it("formats with exactly the currency's minor units", () => {
    expect(formatAmount(new Money("100"), "USD")).toBe("100.00");
    expect(formatAmount("1500", "JPY")).toBe("1500");
    expect(formatAmount("1500.00", "JPY")).toBe("1500");
    expect(formatAmount("1.5", "KWD")).toBe("1.500");
    expect(formatAmount("0", "USD")).toBe("0.00");
    expect(formatAmount("-0.001", "USD")).toBe("0.00"); // never "-0.00"
  });

  it("rounds the average check half away from zero", () => {
    expect(averageCheck("0.05", 2, "USD").toFixed(2)).toBe("0.03"); // 0.025 -> 0.03
    expect(averageCheck("0.03", 2, "USD").toFixed(2)).toBe("0.02"); // 0.015 -> 0.02 (not banker's 0.02/0.01)
    expect(averageCheck("0.01", 2, "USD").toFixed(2)).toBe("0.01"); // 0.005 -> 0.01
    expect(averageCheck("100.00", 3, "USD").toFixed(2)).toBe("33.33");
    expect(averageCheck("200.00", 3, "USD").toFixed(2)).toBe("66.67");
    expect(averageCheck("-0.05", 2, "USD").toFixed(2)).toBe("-0.03"); // away from zero, also below it
    expect(formatAmount(averageCheck("5", 2, "JPY"), "JPY")).toBe("3"); // 2.5 -> 3
    expect(formatAmount(averageCheck("7", 2, "JPY"), "JPY")).toBe("4"); // 3.5 -> 4
    expect(formatAmount(averageCheck("0.001", 2, "KWD"), "KWD")).toBe("0.001"); // 0.0005 -> 0.001
    expect(formatAmount(averageCheck("10.000", 3, "KWD"), "KWD")).toBe("3.333");
    expect(formatAmount(averageCheck("123.45", 0, "USD"), "USD")).toBe("0.00");
  });

  it("caps refunds at gross and never goes below zero", () => {
    expect(capRefunded("100.00", "30.00").toFixed(2)).toBe("30.00");
    expect(capRefunded("100.00", "120.00").toFixed(2)).toBe("100.00");
    expect(capRefunded("100.00", "-5").toFixed(2)).toBe("0.00");
  });

  it("keeps large sums exact", () => {
    let sum = new Money(0);
    for (let i = 0; i < 1000; i++) sum = sum.plus("999999999999.99");
    expect(sum.toFixed(2)).toBe("999999999999990.00");
  });
});
