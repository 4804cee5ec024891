import { afterEach, beforeEach } from "vitest";
import { logOffsets, unexpectedErrorLines } from "../support/stack-errors";

/**
 * Stack tests fail on an error line of the server or the worker written while they ran, unless the test declared it
 * with `expectStackError(/pattern/)` (tests/support/stack-errors.ts).
 */
let offsets: number[] = [];

beforeEach(() => {
  offsets = logOffsets();
});

afterEach(async () => {
  // Give the processes a moment to write what the test's last request caused.
  await new Promise((r) => setTimeout(r, 50));
  const lines = unexpectedErrorLines(offsets);
  if (lines.length > 0) {
    throw new Error(`Unexpected error lines from the stack:\n${lines.slice(0, 20).join("\n")}`);
  }
});
