/**
 * Error lines of the stack's server and worker (their output goes to files, tests/support/global-setup.ts). The
 * setup file tests/setup/processes.ts fails a test when the stack wrote an error line while it ran, unless the test
 * declared it with `expectStackError(/pattern/)`, as `expectConsoleError` does for the test process.
 *
 * Two test files run at a time, so a line is checked by whichever test was running when it was written; a declared
 * pattern stays allowed for the rest of the run (written to a shared folder), so that the other file running at
 * the same time does not fail on it either.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";

/** An error line: a JSON log line at level error/fatal, or a line of an uncaught exception or a stack trace. */
export function isErrorLine(line: string): boolean {
  const t = line.trim();
  if (t === "") return false;
  if (t.startsWith("{")) {
    try {
      const level = (JSON.parse(t) as { level?: unknown }).level;
      return level === "error" || level === "fatal";
    } catch {
      // not JSON: read as text
    }
  }
  return /(Error|Exception)\b|^\s*at\s.+:\d+:\d+\)?$|Unhandled|uncaught/i.test(t);
}

function logs(): { dir: string; files: string[] } | undefined {
  try {
    return inject("stackLogs");
  } catch {
    return undefined;
  }
}

/** Declares that the running test makes the server or worker log an error matching `pattern`. */
export function expectStackError(pattern: RegExp): void {
  const l = logs();
  if (!l) return;
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(path.join(l.dir, "expected", name), JSON.stringify({ source: pattern.source, flags: pattern.flags }));
}

function expectedPatterns(dir: string): RegExp[] {
  return readdirSync(path.join(dir, "expected")).map((f) => {
    const p = JSON.parse(readFileSync(path.join(dir, "expected", f), "utf8")) as { source: string; flags: string };
    return new RegExp(p.source, p.flags);
  });
}

/** The current end of each log file. */
export function logOffsets(): number[] {
  const l = logs();
  return l ? l.files.map((f) => statSync(f).size) : [];
}

/** Error lines written since `offsets` that no declared pattern allows. */
export function unexpectedErrorLines(offsets: number[]): string[] {
  const l = logs();
  if (!l) return [];
  const lines: string[] = [];
  l.files.forEach((f, i) => {
    const text = readFileSync(f)
      .subarray(offsets[i] ?? 0)
      .toString("utf8");
    for (const line of text.split("\n")) if (isErrorLine(line)) lines.push(`${path.basename(f)}: ${line}`);
  });
  if (lines.length === 0) return [];
  const allowed = expectedPatterns(l.dir);
  return lines.filter((line) => !allowed.some((p) => p.test(line)));
}
