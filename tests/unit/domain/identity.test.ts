import { describe, expect, it } from "vitest";
import {
  keysMatch,
  normalizeCustomerId,
  normalizeEmail,
  normalizePhone,
  orderKeys,
  recipientKeyFor,
  recipientKeys,
} from "../../../app/domain/identity";
import { order } from "./fixtures";

describe("identity keys", () => {
  it("normalises emails: trimmed, lower-cased, null when empty or invalid", () => {
    expect(normalizeEmail("  Alice@Example.COM ")).toBe("alice@example.com");
    expect(normalizeEmail("")).toBeNull();
    expect(normalizeEmail("   ")).toBeNull();
    expect(normalizeEmail("not an email")).toBeNull();
    expect(normalizeEmail("a@b@c")).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail(42)).toBeNull();
  });

  it("normalises phones to E.164", () => {
    expect(normalizePhone("+1 (555) 010-0000")).toBe("+15550100000"); // "possible" but not "valid": kept
    expect(normalizePhone("+15550100000")).toBe("+15550100000");
    expect(normalizePhone("+1.555.010.0000")).toBe("+15550100000");
    expect(normalizePhone("001 555 010 0000")).toBe("+15550100000");
    expect(normalizePhone("+44 (0)20 7946 0958")).toBe("+442079460958");
    expect(normalizePhone("+7 (912) 345-67-89")).toBe("+79123456789");
    expect(normalizePhone("+1 555 010 0000 ext. 12")).toBe("+15550100000");
  });

  it("uses a default country for national numbers, else keeps + and digits", () => {
    expect(normalizePhone("020 7946 0958", "GB")).toBe("+442079460958");
    expect(normalizePhone("(555) 010-0000", "US")).toBe("+15550100000");
    expect(normalizePhone("15550100000")).toBe("+15550100000");
    expect(normalizePhone("555-0100")).toBe("+5550100");
  });

  it("gives the same phone key for a text read again, whatever default country was asked before", () => {
    // Phone keys of recent texts are kept (normalizePhone's cache): the country is part of what is kept.
    for (let i = 0; i < 3; i++) {
      expect(normalizePhone("020 7946 0958", "GB")).toBe("+442079460958");
      expect(normalizePhone("020 7946 0958")).toBe("+02079460958");
      expect(normalizePhone("(555) 010-0000", "US")).toBe("+15550100000");
      expect(normalizePhone("(555) 010-0000")).toBe("+5550100000");
      expect(normalizePhone("call me", "GB")).toBeNull();
    }
    // More texts than the cache holds: still the same answers afterwards.
    for (let i = 0; i < 12_000; i++) expect(normalizePhone(`+1 555 01${String(i).padStart(5, "0")}`)).not.toBe("");
    expect(normalizePhone("020 7946 0958", "GB")).toBe("+442079460958");
    expect(normalizePhone("+1 555 010 0000 ext. 12")).toBe("+15550100000");
  });

  it("rejects what cannot be a phone", () => {
    expect(normalizePhone("")).toBeNull();
    expect(normalizePhone("call me")).toBeNull();
    expect(normalizePhone("12")).toBeNull();
    expect(normalizePhone("+1234567890123456789")).toBeNull();
    expect(normalizePhone(undefined)).toBeNull();
  });

  it("turns customer ids into strings", () => {
    expect(normalizeCustomerId(123)).toBe("123");
    expect(normalizeCustomerId(" 7234567890123456789 ")).toBe("7234567890123456789");
    expect(normalizeCustomerId("gid://shopify/Customer/42")).toBe("42");
    expect(normalizeCustomerId("")).toBeNull();
    expect(normalizeCustomerId(1.5)).toBeNull();
  });

  it("collects all of an order's keys and matches any kind", () => {
    const o = order({
      id: "1",
      at: "2026-11-01T00:00:00Z",
      total: "1",
      email: "A@x.com",
      phone: "+1 555 010 0000",
      customer: { id: "9", email: "b@x.com ", phone: "+15550100001" },
    });
    const k = orderKeys(o);
    expect(k).toEqual({
      emails: ["a@x.com", "b@x.com"],
      phones: ["+15550100000", "+15550100001"],
      customerIds: ["9"],
    });
    expect(keysMatch(k, recipientKeys({ email: "B@X.COM" }))).toBe(true);
    expect(keysMatch(k, recipientKeys({ phone: "+1 (555) 010-0001" }))).toBe(true);
    expect(keysMatch(k, recipientKeys({ customerId: "9" }))).toBe(true);
    expect(
      keysMatch(
        k,
        recipientKeys({
          email: "c@x.com",
          phone: "+15550100002",
          customerId: "10",
        }),
      ),
    ).toBe(false);
    // keys of different kinds never match each other
    expect(
      keysMatch(
        { email: null, phone: null, customerId: "a@x.com" },
        { email: "a@x.com", phone: null, customerId: null },
      ),
    ).toBe(false);
  });

  it("derives the recipient key of a message id from the channel's own kind first", () => {
    const k = recipientKeys({
      email: "A@x.com",
      phone: "+15550100000",
      customerId: "7",
    });
    expect(recipientKeyFor("email", k)).toBe("a@x.com");
    expect(recipientKeyFor("sms", k)).toBe("+15550100000");
    expect(recipientKeyFor("push", k)).toBe("7");
    expect(recipientKeyFor("sms", recipientKeys({ email: "a@x.com" }))).toBe("a@x.com");
  });
});
