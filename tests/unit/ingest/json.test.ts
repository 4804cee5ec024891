import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  JsonNumber,
  formatPath,
  isJsonObject,
  jsonSourceSupported,
  nestingDepth,
  parseJson,
  scanJson,
} from "~/ingest/json";

describe("parseJson", () => {
  it("runs on a runtime with JSON.parse source text access (Node 24)", () => {
    expect(jsonSourceSupported()).toBe(true);
  });

  it("keeps big integers and decimals exact as source text", () => {
    const r = parseJson('{"id": 820982911946154508, "amount": 41.94, "tiny": 0.1, "huge": 1e400, "neg": -0}');
    expect(r.ok).toBe(true);
    if (!r.ok || !isJsonObject(r.value)) throw new Error("parse");
    expect(r.value.id).toBeInstanceOf(JsonNumber);
    expect((r.value.id as JsonNumber).source).toBe("820982911946154508");
    expect(String(Number("820982911946154508"))).not.toBe("820982911946154508"); // a float would round it
    expect((r.value.amount as JsonNumber).source).toBe("41.94");
    expect((r.value.huge as JsonNumber).source).toBe("1e400");
    expect((r.value.huge as JsonNumber).value).toBe(Infinity);
    expect((r.value.neg as JsonNumber).source).toBe("-0");
  });

  it("re-serialises numbers exactly", () => {
    const r = parseJson('{"id":820982911946154508,"a":[1.10]}');
    if (!r.ok) throw new Error("parse");
    expect(JSON.stringify(r.value)).toBe('{"id":820982911946154508,"a":[1.10]}');
  });

  it("accepts Buffers, strips a BOM, refuses invalid UTF-8", () => {
    expect(parseJson(Buffer.from('\uFEFF{"a":"é"}', "utf8")).ok).toBe(true);
    expect(parseJson('\uFEFF{"a":1}').ok).toBe(true);
    const bad = parseJson(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    expect(bad).toEqual({ ok: false, errors: [{ path: "", message: "body is not valid UTF-8" }] });
  });

  it("refuses invalid JSON, empty bodies, oversize and over-deep input without throwing", () => {
    const invalid = parseJson("{'a': 1}");
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.errors[0]?.message).toMatch(/^invalid JSON/);
    expect(parseJson("   ").ok).toBe(false);
    const big = parseJson(JSON.stringify({ a: "x".repeat(2000) }), { maxBytes: 1000 });
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.tooLarge).toBe(true);
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const d = parseJson(deep);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.errors[0]?.message).toMatch(/nesting/);
    expect(parseJson("[".repeat(64) + "]".repeat(64)).ok).toBe(true);
  });

  it("counts depth outside strings only", () => {
    expect(nestingDepth('{"a":"[[[[{{{{","b":[1]}')).toBe(2);
    expect(nestingDepth('["\\"[[["]')).toBe(1);
  });

  it("says whether a number can start outside strings (the reviver is skipped for texts without one)", () => {
    expect(scanJson('{"a":"12","b":["-3"],"c":true,"d":null}').numbers).toBe(false);
    expect(scanJson('{"a":"x","b":[1]}').numbers).toBe(true);
    expect(scanJson('{"a":-0.5}').numbers).toBe(true);
    expect(scanJson('{"a":"\\"}').numbers).toBe(false);
  });

  it("parses any JSON text to the same value with or without the number-free fast path", () => {
    // Strings full of digits and quotes, numbers, nesting: the result equals a plain reviver parse.
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.string(),
        fc.stringMatching(/^[-0-9"\\ ]{0,8}$/),
        fc.boolean(),
        fc.constant(null),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    const plain = (text: string) =>
      JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) =>
        typeof v === "number" ? new JsonNumber(ctx?.source ?? String(v)) : v,
      ) as unknown;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        const r = parseJson(text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.value).toEqual(plain(text));
      }),
      { numRuns: 500 },
    );
  });

  it("formats zod-style paths", () => {
    expect(formatPath(["events", 3, "occurred_at"])).toBe("events[3].occurred_at");
    expect(formatPath([0, "email"])).toBe("[0].email");
    expect(formatPath(["timestamp"], "event-data")).toBe("event-data.timestamp");
  });
});
