import { describe, expect, it } from "vitest";
import { createShopWithKey, http, stackEnv, uniqueShopDomain } from "../support/api";
import { runCli } from "../support/processes";

describe("foundation", () => {
  it("answers /healthz with db, redis and queue figures", async () => {
    const res = await http("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      db: "ok",
      redis: "ok",
      queue: { waiting: expect.any(Number), failed: expect.any(Number) },
    });
  });

  it("refuses every /api/v1 route without a key with the JSON error body", async () => {
    for (const [method, path] of [
      ["POST", "/api/v1/orders"],
      ["POST", "/api/v1/events"],
      ["POST", "/api/v1/orders/1/refunds"],
      ["GET", "/api/v1/settings"],
      ["PUT", "/api/v1/settings"],
      ["GET", "/api/v1/reports/campaigns"],
      ["GET", "/api/v1/campaigns/x"],
      ["GET", "/api/v1/orders/1/attribution"],
      ["GET", "/api/v1/nothing-here"],
    ] as const) {
      const res = await http(method, path, { body: method === "GET" ? undefined : {} });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message: expect.any(String), details: [] } });
    }
    const bad = await http("GET", "/api/v1/settings", { key: "cr_live_not-a-real-key" });
    expect(bad.status).toBe(401);
  });

  it("prints a working key as the last line of `cli api-key create`, lists and revokes it", async () => {
    const domain = uniqueShopDomain("cli");
    const created = await runCli(["api-key", "create", "--shop", domain], stackEnv());
    expect(created.code).toBe(0);
    const key = created.stdout.trim().split("\n").at(-1)!;
    expect(key).toMatch(/^cr_live_/);
    const ok = await http("GET", "/api/v1/settings", { key });
    expect(ok.status).toBe(200);
    expect(ok.body.currency).toBe("USD");

    const listed = await runCli(["api-key", "list", "--shop", domain], stackEnv());
    expect(listed.stdout).toContain(key.slice(0, 14));
    expect(listed.stdout).not.toContain(key);
    const id = listed.stdout.trim().split("\t")[0]!;
    const revoked = await runCli(["api-key", "revoke", "--shop", domain, id], stackEnv());
    expect(revoked.code).toBe(0);
    expect((await http("GET", "/api/v1/settings", { key })).status).toBe(401);
  });

  it("rejects a bad shop domain in the CLI with a message naming the option", async () => {
    const res = await runCli(["api-key", "create", "--shop", "not a domain"], stackEnv());
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--shop/);
  });

  it("gives 404 in the error body for an unknown /api/v1 path with a valid key", async () => {
    const { key } = await createShopWithKey();
    const res = await http("GET", "/api/v1/nothing-here", { key });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("answers 415 for a non-JSON body and 413 over 5 MB", async () => {
    const { key } = await createShopWithKey();
    const wrongType = await http("POST", "/api/v1/events", {
      key,
      raw: "a=b",
      headers: { "Content-Type": "text/plain" },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.code).toBe("unsupported_media_type");
    const huge = "x".repeat(5 * 1024 * 1024 + 10);
    const tooLarge = await http("POST", "/api/v1/events", {
      key,
      raw: huge,
      headers: { "Content-Type": "application/json" },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe("payload_too_large");
  });
});
