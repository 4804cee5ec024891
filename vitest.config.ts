import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * Three projects (`npm run test:unit`, `test:stack`, `test:browser`; `npm test` runs them all):
 * - unit: pure tests (tests/unit): no database, no Redis, no build; no global setup runs.
 * - stack: against the running stack (tests/integration): a fresh PostgreSQL database, a private Redis prefix, the
 *   built server and a worker as real processes (tests/support/global-setup.ts).
 * - browser: headless Chromium against the same stack (tests/browser); the global setup is shared with `stack`.
 */
const alias = { "~": path.resolve(import.meta.dirname, "app") };
const stack = {
  globalSetup: ["tests/support/global-setup.ts"],
  setupFiles: ["tests/setup/env.ts", "tests/setup/console.ts", "tests/setup/processes.ts"],
  testTimeout: 30_000,
  hookTimeout: 120_000,
  // expect.poll waits on real processes (a form submitted in Chromium, a worker's job): 1 s by default is too short
  // on a loaded CI machine.
  expect: { poll: { timeout: 20_000 } },
};

export default defineConfig({
  resolve: { alias },
  test: {
    // Two cores: files run two at a time against one database, one server, one worker.
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"],
          setupFiles: ["tests/setup/console.ts"],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: { name: "stack", include: ["tests/integration/**/*.test.ts"], ...stack },
      },
      {
        resolve: { alias },
        test: { name: "browser", include: ["tests/browser/**/*.test.ts"], ...stack },
      },
    ],
  },
});
