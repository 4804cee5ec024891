/** The ESLint layer rules (eslint.config.js): SQL only in app/data/, the domain free of I/O. */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(code: string, filePath: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").length;
}

describe("layers enforced by lint", () => {
  it("refuses pg, Prisma and the database connection outside app/data/", async () => {
    expect(await restricted(`import pg from "pg";\nexport const x = pg;\n`, "app/reports/x.server.ts")).toBe(1);
    expect(await restricted(`import { pool } from "../db.server";\nexport const x = pool;\n`, "app/queue/x.ts")).toBe(
      1,
    );
    expect(await restricted(`import pg from "pg";\nexport const x = pg;\n`, "app/data/x.server.ts")).toBe(0);
  });

  it("refuses I/O and the rest of the app in app/domain/, but allows hashing", async () => {
    expect(await restricted(`import fs from "node:fs";\nexport const x = fs;\n`, "app/domain/x.ts")).toBe(1);
    expect(await restricted(`import { Redis } from "ioredis";\nexport const x = Redis;\n`, "app/domain/x.ts")).toBe(1);
    expect(
      await restricted(`import { log } from "../logger.server";\nexport const x = log;\n`, "app/domain/x.ts"),
    ).toBe(1);
    expect(
      await restricted(`import { createHash } from "node:crypto";\nexport const x = createHash;\n`, "app/domain/x.ts"),
    ).toBe(0);
  });
});
