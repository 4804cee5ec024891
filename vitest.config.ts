import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/setup/env.ts", "tests/setup/console.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: files run two at a time against one database, one server, one worker.
    maxWorkers: 2,
  },
});
