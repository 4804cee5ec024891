// Compiles the worker and the operator CLI to JavaScript (build/worker.js, build/cli.js) for production: `npm run
// worker` and `npm run cli` then run plain Node, no tsx. Dependencies stay external (node_modules, as `npm ci
// --omit=dev` installs them); the app's own TypeScript is bundled in. Part of `npm run build`.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
  tsconfig: "tsconfig.json",
};

await Promise.all([
  build({ ...common, entryPoints: ["worker/index.ts"], outfile: "build/worker.js" }),
  build({ ...common, entryPoints: ["cli/index.ts"], outfile: "build/cli.js" }),
]);
console.log("built build/worker.js and build/cli.js");
