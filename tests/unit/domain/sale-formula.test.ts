import { describe, expect, it } from "vitest";
import { formatWindow, saleFormula, saleFormulaShort } from "../../../app/domain/sale-formula";

describe("sale formula", () => {
  it("matches the spec's example for clicks within 24 hours", () => {
    expect(saleFormula({ event: "clicked", window_hours: 24 })).toBe(
      "Sale = click on the message, then a purchase within 24 hours of the click.",
    );
  });

  it("reads naturally for every event and window", () => {
    expect(saleFormula({ event: "sent", window_hours: 72 })).toBe(
      "Sale = message sent, then a purchase within 3 days of sending.",
    );
    expect(saleFormula({ event: "delivered", window_hours: 1 })).toBe(
      "Sale = message delivered, then a purchase within 1 hour of delivery.",
    );
    expect(saleFormula({ event: "opened", window_hours: 36 })).toBe(
      "Sale = message opened, then a purchase within 36 hours of the opening.",
    );
    expect(saleFormula({ event: "clicked", window_hours: 2160 })).toBe(
      "Sale = click on the message, then a purchase within 90 days of the click.",
    );
  });

  it("has a short form", () => {
    expect(saleFormulaShort({ event: "clicked", window_hours: 24 })).toBe("Click + purchase within 24 h");
    expect(saleFormulaShort({ event: "opened", window_hours: 168 })).toBe("Open + purchase within 7 d");
    expect(formatWindow(48)).toBe("2 days");
    expect(formatWindow(25)).toBe("25 hours");
  });
});
