import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../../app/env.server";

const base = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/x",
  SHOPIFY_API_KEY: "k",
  SHOPIFY_API_SECRET: "s",
  SHOPIFY_APP_URL: "https://app.example.com",
  SCOPES: "read_orders",
};

describe("the tuning knobs are validated with every other variable", () => {
  it("gives the documented defaults", () => {
    expect(parseEnv(base)).toMatchObject({
      ATTRIBUTION_PENDING_ROWS: 20,
      REATTRIBUTION_CHUNK_ORDERS: 200_000,
      ATTRIBUTION_TIMING: false,
      WORKER_CONCURRENCY: 4,
      RELAY_INTERVAL_MS: 2000,
      ACCESS_LOG: true,
    });
  });

  it("reads given values", () => {
    expect(
      parseEnv({
        ...base,
        ATTRIBUTION_PENDING_ROWS: "5",
        REATTRIBUTION_CHUNK_ORDERS: "1000",
        ATTRIBUTION_TIMING: "1",
        WORKER_CONCURRENCY: "8",
        RELAY_INTERVAL_MS: "300",
        ACCESS_LOG: "off",
      }),
    ).toMatchObject({
      ATTRIBUTION_PENDING_ROWS: 5,
      REATTRIBUTION_CHUNK_ORDERS: 1000,
      ATTRIBUTION_TIMING: true,
      WORKER_CONCURRENCY: 8,
      RELAY_INTERVAL_MS: 300,
      ACCESS_LOG: false,
    });
  });

  it("names each malformed knob", () => {
    const bad = { WORKER_CONCURRENCY: "0", RELAY_INTERVAL_MS: "soon", ACCESS_LOG: "yes", ATTRIBUTION_TIMING: "true" };
    try {
      parseEnv({ ...base, ...bad });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      const problems = (error as EnvError).problems.join("\n");
      for (const name of Object.keys(bad)) expect(problems).toContain(`${name} is invalid`);
    }
  });
});
