/**
 * Helpers for import tests: a shop installed with an offline session (so the worker can call the Admin API fake),
 * the fake's scenario file per shop (tests/msw/shopify-admin.ts), its call log, and a local HTTP server serving
 * bulk-operation results (whole, cut off half way, or expired).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import type pg from "pg";
import type { FakeScenario } from "../msw/shopify-admin";
import { db as sharedDb, stackEnv } from "./api";

/** Marks a shop installed and stores its offline session, so the worker can call the Admin API (the fake) for it. */
export async function installShop(
  domain: string,
  pool: pg.Pool = sharedDb(),
  scope = stackEnv().SCOPES,
): Promise<void> {
  await pool.query(`UPDATE shops SET installed_at = now() WHERE domain = $1`, [domain]);
  await pool.query(
    `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, 'test', false, $3, 'shpat_test')
     ON CONFLICT (id) DO NOTHING`,
    [`offline_${domain}`, domain, scope],
  );
}

const dir = () => stackEnv().FAKE_SHOPIFY_DIR!;

export function writeScenario(domain: string, scenario: FakeScenario): void {
  const file = path.join(dir(), `${domain}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(scenario));
  // rename is atomic: the fake never reads half a file
  renameSync(`${file}.tmp`, file);
}

export function fakeCalls(domain: string): { operation: string; at: number; [k: string]: unknown }[] {
  const file = path.join(dir(), `${domain}.calls.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export function touch(domain: string) {
  appendFileSync(path.join(dir(), `${domain}.calls.jsonl`), "");
}

export type ResultMode = "whole" | "cut" | "expired" | "slow";

/** Serves registered JSONL bodies at /<name>.jsonl: whole, `cut` (connection dropped half way), `expired` (403). */
export class ResultServer {
  private server: Server | undefined;
  private files = new Map<string, { body: Buffer; mode: ResultMode }>();
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const name = (req.url ?? "").replace(/^\//, "").replace(/\.jsonl$/, "");
      const f = this.files.get(name);
      if (!f) return res.writeHead(404).end();
      if (f.mode === "expired") {
        return res
          .writeHead(403, { "Content-Type": "application/xml" })
          .end("<Error><Code>ExpiredToken</Code></Error>");
      }
      res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": String(f.body.length) });
      if (f.mode === "cut") {
        res.write(f.body.subarray(0, Math.floor(f.body.length / 2)));
        setTimeout(() => res.destroy(), 50);
        return;
      }
      if (f.mode === "slow") {
        let at = 0;
        const step = () => {
          if (res.destroyed) return;
          if (at >= f.body.length) return void res.end();
          res.write(f.body.subarray(at, at + 16 * 1024));
          at += 16 * 1024;
          setTimeout(step, 20);
        };
        return step();
      }
      res.end(f.body);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const a = this.server.address();
    this.port = typeof a === "object" && a ? a.port : 0;
    return this;
  }

  serve(name: string, body: string | Buffer, mode: ResultMode = "whole"): string {
    this.files.set(name, { body: Buffer.isBuffer(body) ? body : Buffer.from(body), mode });
    return `http://127.0.0.1:${this.port}/${name}.jsonl`;
  }

  async stop() {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export function jsonlLines(text: string): number {
  return text.split("\n").filter((l) => l.trim() !== "").length;
}
