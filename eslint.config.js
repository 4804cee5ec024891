import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/** Modules that talk to PostgreSQL. */
const DATABASE_MODULES = ["pg", "pg-copy-streams", "pg-connection-string", "@prisma/client", "@prisma/adapter-pg"];
/** Modules that do other I/O. */
const IO_MODULES = ["ioredis", "bullmq", "fs", "net", "http", "https", "child_process", "express"];

export default tseslint.config(
  {
    ignores: [
      "build/**",
      "public/build/**",
      ".cache/**",
      "node_modules/**",
      "extensions/*/dist/**",
      "extensions/*/manifest.json",
      "tests/artifacts/**",
      "prisma/generated/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_|^error$" },
      ],
      "no-empty": ["error", { allowEmptyCatch: true }],
      // Flags "let x = default; try { x = ... } catch { x = ... }", a pattern we use on purpose.
      "no-useless-assignment": "off",
      // Personal data must not reach logs: server code logs through app/logger.server.ts.
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["tests/**", "bench/**", "scripts/**", "cli/**", "prisma/engine/**", "extensions/**"],
    rules: { "no-console": "off" },
  },
  // Layers (README "Where things live"): SQL and Prisma only in app/data/ repositories (and the singletons that
  // create the connections); the domain is pure: no I/O, nothing else of the app.
  {
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/data/**", "app/db.server.ts", "app/shopify.server.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: DATABASE_MODULES.map((name) => ({
            name,
            message: "SQL and Prisma live in app/data/ repositories: call one from here.",
            allowTypeImports: true,
          })),
          patterns: [
            {
              group: ["**/db.server", "~/db.server"],
              message: "The database connection is for app/data/ repositories only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["app/domain/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [...DATABASE_MODULES, ...IO_MODULES].map((name) => ({
            name,
            message: "app/domain/ is pure rules: no I/O (docs/attribution.md).",
          })),
          patterns: [
            { group: ["../*", "~/*"], message: "app/domain/ imports nothing of the app outside app/domain/." },
            { group: ["node:*", "!node:crypto"], message: "app/domain/ is pure: only node:crypto (hashing)." },
          ],
        },
      ],
    },
  },
);
