/** The engine's SQL fragments are built from the rule tables of app/domain/rule.ts (one source per rule). */
import { describe, expect, it } from "vitest";
import { reasonCaseSql, winnerOrderBySql } from "../../../app/data/attribution.server";
import { REASON_PRECEDENCE, TIE_BREAK, reasonFor } from "../../../app/domain/rule";

describe("SQL built from the rule tables", () => {
  it("orders candidates by the tie-break table, then the event preference, each key once", () => {
    expect(winnerOrderBySql()).toBe(`sent_at DESC, at DESC, mkey COLLATE "C" DESC, stage DESC, landing ASC`);
    expect(TIE_BREAK.map((t) => t.key)).toEqual(["sent_at", "event_at", "message_id"]);
  });

  it("writes the reason CASE in the precedence order, stopping where asked", () => {
    const facts = {
      order_is_test: "T",
      order_is_cancelled: "C",
      order_in_other_currency: "X",
      a_message_qualifies: "W",
      only_excluded_messages_qualify: "E",
      a_message_matches: "M",
    };
    expect(reasonCaseSql(facts)).toBe(
      "CASE WHEN T THEN 'test' WHEN C THEN 'cancelled' WHEN X THEN 'other_currency' WHEN W THEN NULL " +
        "WHEN E THEN 'excluded_tag' WHEN M THEN 'outside_window' ELSE 'no_match' END",
    );
    expect(reasonCaseSql(facts, "a_message_qualifies")).toBe(
      "CASE WHEN T THEN 'test' WHEN C THEN 'cancelled' WHEN X THEN 'other_currency' ELSE NULL END",
    );
    expect(() => reasonCaseSql({ order_is_test: "T" })).toThrow(/order_is_cancelled/);
  });

  it("reads the same table in the pure rule: the first fact that holds decides", () => {
    expect(reasonFor({ order_is_cancelled: true, order_in_other_currency: true })).toBe("cancelled");
    expect(reasonFor({ a_message_qualifies: true, a_message_matches: true })).toBeNull();
    expect(reasonFor({ only_excluded_messages_qualify: true, a_message_matches: true })).toBe("excluded_tag");
    expect(reasonFor({ a_message_matches: true })).toBe("outside_window");
    expect(reasonFor({})).toBe("no_match");
    expect(REASON_PRECEDENCE.at(-1)).toEqual({ reason: "no_match", when: "always" });
  });
});
