// `npm run cli -- <command>`: the compiled CLI (build/cli.js, from `npm run build`) when it exists; in a development
// checkout without a build, the TypeScript source through tsx (a devDependency, absent in production).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const built = path.join(root, "build/cli.js");
const args = process.argv.slice(2);
const run = existsSync(built)
  ? spawnSync(process.execPath, [built, ...args], { stdio: "inherit" })
  : spawnSync(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "cli/index.ts"), ...args], {
      stdio: "inherit",
    });
if (run.error) {
  console.error(`Cannot run the CLI: ${run.error.message}. Run \`npm run build\` first.`);
  process.exit(1);
}
process.exit(run.status ?? 1);
