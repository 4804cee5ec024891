import { describe, expect, it } from "vitest";
import { readJsonlLines } from "~/imports/jsonl.server";
import { waitAfterThrottled, waitForCost } from "~/imports/throttle";

async function* chunks(...parts: (string | Uint8Array)[]) {
  for (const p of parts) yield typeof p === "string" ? new TextEncoder().encode(p) : p;
}

async function lines(...parts: (string | Uint8Array)[]) {
  const out = [];
  for await (const l of readJsonlLines(chunks(...parts))) out.push(l);
  return out;
}

describe("streaming JSONL reader", () => {
  it("splits lines across chunk boundaries, including a multi-byte character split in two", async () => {
    const bytes = new TextEncoder().encode('{"e":"zoë"}\n{"n":2}\n');
    const cut = 8; // inside the two bytes of ë
    const got = await lines(bytes.subarray(0, cut), bytes.subarray(cut));
    expect(got).toEqual([
      { index: 0, text: '{"e":"zoë"}', complete: true },
      { index: 1, text: '{"n":2}', complete: true },
    ]);
  });

  it("flags a last line that arrived without its newline", async () => {
    expect(await lines('{"a":1}\n{"b":', "2")).toEqual([
      { index: 0, text: '{"a":1}', complete: true },
      { index: 1, text: '{"b":2', complete: false },
    ]);
  });

  it("refuses a line beyond the limit instead of growing without bound", async () => {
    const it = readJsonlLines(chunks("x".repeat(50), "y".repeat(60)), { maxLineBytes: 100 });
    await expect(it.next()).rejects.toThrow(/longer than 100 bytes/);
  });
});

describe("cost throttling", () => {
  const status = { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 };
  it("waits until the bucket holds the next call's cost", () => {
    expect(waitForCost(50, status)).toBe(0);
    expect(waitForCost(502, status)).toBe(4020);
  });
  it("after THROTTLED waits at least a second, longer when the bucket is emptier", () => {
    expect(waitAfterThrottled({ requestedQueryCost: 102, throttleStatus: status }, 0)).toBe(1000);
    expect(waitAfterThrottled({ requestedQueryCost: 1100, throttleStatus: status }, 0)).toBe(10_000);
    expect(waitAfterThrottled(null, 3)).toBe(8000);
  });
});
