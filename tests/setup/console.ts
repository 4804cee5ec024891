import { afterEach, beforeEach, vi } from "vitest";

/**
 * Tests fail on an unexpected console.error: a test that expects one calls
 * `expectConsoleError()` (or mocks console.error itself) before triggering it.
 */
let allowed = 0;
let unexpected: unknown[][] = [];

export function expectConsoleError(times = 1) {
  allowed += times;
}

beforeEach(() => {
  allowed = 0;
  unexpected = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    if (allowed > 0) {
      allowed -= 1;
      return;
    }
    unexpected.push(args);
  });
});

afterEach(() => {
  const calls = unexpected;
  unexpected = [];
  vi.mocked(console.error).mockRestore?.();
  if (calls.length > 0) {
    throw new Error(`Unexpected console.error:\n${calls.map((c) => c.map(String).join(" ")).join("\n")}`);
  }
});
