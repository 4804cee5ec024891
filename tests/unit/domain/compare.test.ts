import { describe, expect, it } from "vitest";
import { changeFraction, comparePeriod } from "../../../app/domain/compare";

const d = (s: string) => new Date(s);

describe("comparePeriod", () => {
  it("previous_period ends where the period starts and has its length", () => {
    expect(
      comparePeriod({ from: d("2026-11-01T00:00:00Z"), to: d("2026-11-08T06:00:00Z") }, "previous_period", "UTC"),
    ).toEqual({
      from: d("2026-10-24T18:00:00Z"),
      to: d("2026-11-01T00:00:00Z"),
    });
  });

  it("previous_year keeps the calendar dates and wall-clock times in the shop's time zone", () => {
    // New York: 2026-03-08 is the DST start; a year earlier it is 2025-03-09. Midnight stays midnight.
    expect(
      comparePeriod(
        { from: d("2026-03-01T05:00:00Z"), to: d("2026-03-15T04:00:00Z") },
        "previous_year",
        "America/New_York",
      ),
    ).toEqual({ from: d("2025-03-01T05:00:00Z"), to: d("2025-03-15T04:00:00Z") });
    // 29 February -> 28 February
    expect(
      comparePeriod({ from: d("2028-02-29T00:00:00Z"), to: d("2028-03-01T00:00:00Z") }, "previous_year", "UTC"),
    ).toEqual({
      from: d("2027-02-28T00:00:00Z"),
      to: d("2027-03-01T00:00:00Z"),
    });
  });
});

describe("changeFraction", () => {
  it("is (current - previous) / previous to 4 decimals, null where previous is 0", () => {
    expect(changeFraction("120.00", "60.00")).toBe(1);
    expect(changeFraction(2, 3)).toBe(-0.3333);
    expect(changeFraction("1", "6")).toBe(-0.8333);
    expect(changeFraction("0.00", "5.00")).toBe(-1);
    expect(changeFraction(5, 0)).toBeNull();
    expect(changeFraction("0.00", "0.00")).toBeNull();
  });
});
