import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

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
      "@typescript-eslint/no-explicit-any": "off",
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
);
