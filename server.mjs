// Production HTTP server: the Remix build behind Express. `npm start` runs it on PORT (default 3000).
import { existsSync } from "node:fs";
import { createRequestHandler } from "@remix-run/express";
import express from "express";

if (existsSync(".env") && process.env.NODE_ENV !== "test") process.loadEnvFile(".env");
process.env.NODE_ENV ??= "production";

const build = await import("./build/index.js");
// ACCESS_LOG and LOG_LEVEL are validated with every other variable in app/env.server.ts.
const accessLog = build.entry.module.accessLogEnabled();
const app = express();
app.disable("x-powered-by");
// The client IP (per-IP limits) comes from X-Forwarded-For only through this many trusted proxies (TRUST_PROXY_HOPS).
app.set("trust proxy", Number(process.env.TRUST_PROXY_HOPS || 0));

/**
 * The path as the access log shows it: the secret segments of ingest URLs and pixel URLs masked. Query strings
 * (session tokens, Twilio's campaign fields) are never logged, nor anything from bodies.
 */
function redactPath(path) {
  return path.replace(/^\/ingest\/([^/]+)\/[^/]+/, "/ingest/$1/***").replace(/^\/pixel\/[^/]+/, "/pixel/***");
}

// Access log without query strings or tokens (they are secrets), and nothing from bodies.
app.use((req, res, next) => {
  const started = process.hrtime.bigint();
  res.on("finish", () => {
    if (!accessLog) return;
    const path = redactPath(req.path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
      `${JSON.stringify({ t: new Date().toISOString(), level: "info", msg: "http", method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 })}\n`,
    );
  });
  next();
});

app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
// rawUrl: the path and query exactly as received; provider signatures (Twilio) cover them byte for byte, and the
// Request that Remix builds may re-encode the query.
app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV,
    getLoadContext: (req) => ({ rawUrl: req.originalUrl, clientIp: req.ip ?? null }),
  }),
);

const port = Number(process.env.PORT || 3000);
const server = app.listen(port, () => {
  process.stdout.write(`${JSON.stringify({ level: "info", msg: "listening", port })}\n`);
});
server.keepAliveTimeout = 65_000;

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
