/**
 * `npm run openapi:write` writes docs/openapi.json from the routes' schemas (app/http/openapi.server.ts);
 * `npm run openapi:check` fails when the checked-in file differs (CI runs it, so the reference cannot drift).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openApiDocument } from "../app/http/openapi.server";

const FILE = path.resolve(import.meta.dirname, "../docs/openapi.json");
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(FILE, "utf8");
  } catch {
    // missing: differs
  }
  if (current !== text) {
    console.error("docs/openapi.json is out of date with the routes' schemas: run `npm run openapi:write`.");
    process.exit(1);
  }
  console.log("docs/openapi.json is up to date.");
} else {
  writeFileSync(FILE, text);
  console.log("wrote docs/openapi.json");
}
