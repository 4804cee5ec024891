/** The API reference served by the app is the checked-in docs/openapi.json, and every API path in it is routed. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createShopWithKey, http } from "../support/api";

const checkedIn = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../docs/openapi.json"), "utf8"));

describe("GET /api/v1/openapi.json", () => {
  it("serves the OpenAPI 3.1 document that is checked in, without an API key", async () => {
    const res = await http("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body).toEqual(checkedIn);
  });

  it("documents only API paths that exist: none reaches the catch-all 'unknown endpoint' answer", async () => {
    const shop = await createShopWithKey();
    const paths = Object.keys(checkedIn.paths as Record<string, unknown>).filter(
      (p) => p.startsWith("/api/v1/") && p !== "/api/v1/openapi.json",
    );
    expect(paths.length).toBeGreaterThanOrEqual(7);
    for (const p of paths) {
      for (const method of Object.keys(checkedIn.paths[p])) {
        const res = await http(method.toUpperCase(), p.replace(/\{[^}]+\}/g, "x1"), { key: shop.key });
        expect(res.status, `${method} ${p}`).not.toBe(405);
        expect(res.body?.error?.message ?? "", `${method} ${p}`).not.toMatch(/This API endpoint/);
      }
    }
  });
});
