import { afterEach, describe, expect, it, vi } from "vitest";
import { log, serializeError } from "../../../app/logger.server";

afterEach(() => vi.restoreAllMocks());

describe("logs keep stack traces", () => {
  it("an error logged as a field carries its stack, code and cause", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const cause = Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
    const error = new Error("query failed", { cause });
    (error as Error & { code?: string }).code = "57P01";
    log.error("unhandled error in API route", { error });
    const line = JSON.parse(lines.find((l) => l.includes("unhandled error"))!) as {
      error: { message: string; code: string; stack: string; cause: { code: string; stack: string } };
    };
    expect(line.error.message).toBe("query failed");
    expect(line.error.code).toBe("57P01");
    expect(line.error.stack).toMatch(/logger\.test\.ts:\d+/);
    expect(line.error.cause.code).toBe("ECONNRESET");
    expect(line.error.cause.stack).toMatch(/at /);
  });

  it("serializes an error chain without looping on a cycle", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    expect(JSON.stringify(serializeError(b))).toContain('"message":"a"');
  });
});
