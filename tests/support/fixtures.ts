import path from "node:path";

/**
 * The providers' public sample payloads and signature vectors, vendored from ../shared/fixtures/providers (see the
 * README there for where each came from). PROVIDER_FIXTURES_DIR points the tests at another copy.
 */
export const PROVIDER_FIXTURES_DIR =
  process.env.PROVIDER_FIXTURES_DIR ?? path.resolve(import.meta.dirname, "../fixtures/providers");
