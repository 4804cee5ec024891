import { describe, expect, it } from "vitest";
import { isErrorLine } from "../../support/stack-errors";

describe("error lines of the stack's processes", () => {
  it("are JSON log lines at level error, and exception or stack-trace text", () => {
    expect(isErrorLine('{"t":"x","level":"error","msg":"job failed"}')).toBe(true);
    expect(isErrorLine("TypeError: Cannot read properties of undefined")).toBe(true);
    expect(isErrorLine("    at Object.<anonymous> (/app/x.js:1:2)")).toBe(true);
    expect(isErrorLine("Unhandled promise rejection")).toBe(true);
  });

  it("are not warnings, information or blank lines", () => {
    expect(isErrorLine('{"t":"x","level":"warn","msg":"relay pass failed; will retry"}')).toBe(false);
    expect(isErrorLine('{"t":"x","level":"info","msg":"listening"}')).toBe(false);
    expect(isErrorLine("Worker ready")).toBe(false);
    expect(isErrorLine("   ")).toBe(false);
  });
});
