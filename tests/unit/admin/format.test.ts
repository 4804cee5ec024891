import { describe, expect, it } from "vitest";
import { formatMoneyPer } from "../../../app/components/format";

describe("money per item on the admin pages", () => {
  it("divides in decimals and rounds once, half away from zero, to the currency's minor units", () => {
    // 249.95 / 2000 = 0.124975: 0.12 (a float rounded to 4 places first gave 0.1250, then $0.13).
    expect(formatMoneyPer("249.95", 2000, "USD")).toBe("$0.12");
    expect(formatMoneyPer("1.25", 10, "USD")).toBe("$0.13");
    expect(formatMoneyPer("1001", 2, "JPY")).toBe("¥501");
    expect(formatMoneyPer("100.00", 0, "USD")).toBe("—");
  });
});
