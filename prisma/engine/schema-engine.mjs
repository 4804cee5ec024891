#!/usr/bin/env node
// Prisma schema-engine shim: speaks the native `schema-engine` binary's CLI
// protocol and delegates to the WebAssembly schema engine
// (@prisma/schema-engine-wasm) running on top of @prisma/adapter-pg.
//
// The Prisma CLI runs whatever executable PRISMA_SCHEMA_ENGINE_BINARY names;
// prisma.config.ts points it here when the native binary is not installed
// (offline machines cannot download it). See
// docs/decisions/002-prisma-offline-schema-engine.md.
//
// Modes (mirroring the native engine):
//   schema-engine.mjs --version
//   schema-engine.mjs [--datamodels <file>]... [--datasource <json>]
//       long-running: newline-delimited JSON-RPC 2.0 on stdin/stdout, logs on
//       stderr as JSON lines; ends when stdin is closed.
//   schema-engine.mjs --datasource <json> cli <can-connect-to-database|create-database|drop-database>
//       one-shot: exit 0 on success; on failure exit 1 with an ERROR log line
//       `{"level":"ERROR","target":"schema_engine::logger","fields":{error_code,message}}`
//       on stderr (after one ordinary log line: the CLI drops the first line).
//
// Works on Node >= 20 (the shebang may pick the machine's Node rather than the
// project's node_modules/.bin/node).

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const ENGINE_NAME = "schema-engine-cli";

// ---------------------------------------------------------------- logging

/** One JSON log line on stderr, in the native engine's tracing format. */
function log(level, message, extra = {}) {
  process.stderr.write(
    JSON.stringify({
      timestamp: new Date().toISOString(),
      level,
      fields: { message, ...extra },
      target: "schema_engine::wasm_shim",
    }) + "\n",
  );
}

function logUserError(errorCode, message) {
  process.stderr.write(
    JSON.stringify({
      timestamp: new Date().toISOString(),
      level: "ERROR",
      fields: { is_panic: false, error_code: errorCode, message },
      target: "schema_engine::logger",
    }) + "\n",
  );
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const out = {
    datamodels: [],
    datasource: undefined,
    cli: undefined,
    version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--version" || a === "-V") out.version = true;
    else if (a === "--datamodels" || a === "-d") out.datamodels.push(argv[++i]);
    else if (a === "--datasource") out.datasource = JSON.parse(argv[++i]);
    else if (a === "--enabled-preview-features" || a === "--extension-types") i++;
    else if (a.startsWith("--datasource=")) out.datasource = JSON.parse(a.slice("--datasource=".length));
    else if (a === "cli") {
      out.cli = argv[i + 1];
      break;
    }
  }
  return out;
}

function enginesHash() {
  try {
    return require("@prisma/engines-version").enginesVersion;
  } catch {
    const v = require("@prisma/schema-engine-wasm/package.json").version;
    return v.split(".").pop();
  }
}

// ---------------------------------------------------------------- postgres helpers

let pgModule;
async function loadPg() {
  if (pgModule) return pgModule;
  pgModule = (await import("pg")).default;
  // The engine reads pg_catalog columns of type "char" (OID 18), which
  // @prisma/adapter-pg cannot map to a column type. Report them as text (25):
  // their textual value is exactly what the engine expects.
  const Result = pgModule.Result;
  const addFields = Result.prototype.addFields;
  Result.prototype.addFields = function (fieldDescriptions) {
    for (const f of fieldDescriptions) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return addFields.call(this, fieldDescriptions);
  };
  return pgModule;
}

/**
 * Parse a postgres URL into a pg client config object (so a `database`
 * override really applies) plus the Prisma `schema` query parameter.
 */
async function pgConfig(url) {
  const { parseIntoClientConfig } = await import("pg-connection-string");
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? undefined;
  // Prisma-only parameters that pg does not understand.
  for (const p of [
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "statement_cache_size",
    "socket_timeout",
  ]) {
    u.searchParams.delete(p);
  }
  const config = parseIntoClientConfig(u.toString());
  for (const k of Object.keys(config)) if (config[k] === undefined || config[k] === null) delete config[k];
  if (schema) {
    // Like the native engine, work in the `schema` of the URL: the wasm engine
    // uses unqualified names for _prisma_migrations and relies on search_path.
    const value = `"${schema.replace(/"/g, '""')}"`.replace(/[\\ ]/g, (c) => `\\${c}`);
    config.options = [config.options, `-c search_path=${value}`].filter(Boolean).join(" ");
  }
  return {
    config,
    schema,
    database: config.database ?? "postgres",
    location: `${config.host ?? "localhost"}:${config.port ?? 5432}`,
  };
}

const quoteIdent = (s) => `"${String(s).replace(/"/g, '""')}"`;

/** Run one statement against the server's maintenance database. */
async function withAdminClient(config, fn) {
  const pg = await loadPg();
  let lastError;
  for (const database of ["postgres", "template1"]) {
    const client = new pg.Client({ ...config, database });
    try {
      await client.connect();
    } catch (e) {
      lastError = e;
      await client.end().catch(() => {});
      if (e.code === "3D000") continue;
      throw e;
    }
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw lastError;
}

/** Map a pg/network error to the native engine's user-facing error code + message. */
function knownError(e, { database, location }) {
  switch (e?.code) {
    case "3D000":
      return {
        code: "P1003",
        message: `Database \`${database}\` does not exist on the database server at \`${location}\`.`,
      };
    case "42P04":
      return {
        code: "P1009",
        message: `Database \`${database}\` already exists on the database server at \`${location}\``,
      };
    case "28P01":
    case "28000":
      return {
        code: "P1000",
        message: `Authentication failed against database server, the provided database credentials for \`${database}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${location}\`.`,
      };
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return {
        code: "P1001",
        message: `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      };
    case "42501":
      return {
        code: "P1010",
        message: `User was denied access on the database \`${database}\``,
      };
    default:
      return null;
  }
}

// ---------------------------------------------------------------- one-shot mode

async function runCliCommand(command, datasource) {
  log("INFO", `Starting schema engine (wasm shim) CLI command ${command}`);
  if (!datasource?.url) {
    logUserError("P1012", "The datasource url is missing.");
    return 1;
  }
  let info;
  try {
    info = await pgConfig(datasource.url);
  } catch (e) {
    logUserError("P1013", `The provided database string is invalid. ${e.message}`);
    return 1;
  }
  const pg = await loadPg();
  try {
    if (command === "can-connect-to-database") {
      const client = new pg.Client(info.config);
      try {
        await client.connect();
        await client.query("SELECT 1");
      } finally {
        await client.end().catch(() => {});
      }
    } else if (command === "create-database") {
      await withAdminClient(info.config, (c) => c.query(`CREATE DATABASE ${quoteIdent(info.database)}`));
      process.stdout.write(JSON.stringify({ databaseName: info.database }) + "\n");
    } else if (command === "drop-database") {
      await withAdminClient(info.config, (c) => c.query(`DROP DATABASE ${quoteIdent(info.database)}`));
    } else {
      logUserError("P1000", `Unknown CLI command: ${command}`);
      return 1;
    }
    return 0;
  } catch (e) {
    const known = knownError(e, info);
    if (known) logUserError(known.code, known.message);
    else logUserError("P1000", e?.message ?? String(e));
    return 1;
  }
}

// ---------------------------------------------------------------- wasm engine

async function loadWasmEngine() {
  const bgJsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bg = await import(pathToFileURL(bgJsPath).href);
  const bytes = await readFile(path.join(path.dirname(bgJsPath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, {
    "./schema_engine_bg.js": bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bg;
}

/**
 * A migration-aware driver adapter factory around @prisma/adapter-pg that
 * - runs scripts as one simple-protocol query (adapter-pg splits on ";",
 *   which breaks functions, DO blocks and string literals),
 * - manages the shadow database itself (adapter-pg ignores the database
 *   override when given a connection string, and drops the shadow database
 *   while its own pool is still connected).
 */
class PgMigrationFactory {
  constructor(PrismaPg, main, shadow) {
    this.PrismaPg = PrismaPg;
    this.main = main;
    this.shadow = shadow;
    const probe = new PrismaPg(main.config);
    this.provider = probe.provider;
    this.adapterName = probe.adapterName;
    this.adapters = [];
  }

  async adapterFor(info, onDispose) {
    const factory = new this.PrismaPg({ ...info.config }, info.schema ? { schema: info.schema } : undefined);
    const adapter = await factory.connect();
    const pool = adapter.underlyingDriver();
    const onError = adapter.onError.bind(adapter);
    adapter.onError = (error) => {
      lastDatabaseError = error;
      return onError(error);
    };
    adapter.executeScript = async (script) => {
      try {
        await pool.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      await dispose();
      if (onDispose) await onDispose();
    };
    this.adapters.push(adapter);
    return adapter;
  }

  connect() {
    return this.adapterFor(this.main);
  }

  async connectToShadowDb() {
    if (this.shadow) {
      // An explicitly configured shadow database (shadowDatabaseUrl) is
      // reused: empty it first, as the native engine does.
      const same = ["host", "port", "database"].every(
        (k) => String(this.shadow.config[k]) === String(this.main.config[k]),
      );
      if (same) {
        throw new Error(
          "The shadow database you configured appears to be the same as the main database. Please specify another shadow database.",
        );
      }
      const pg = await loadPg();
      const c = new pg.Client(this.shadow.config);
      await c.connect();
      try {
        const ns = quoteIdent(this.shadow.schema ?? "public");
        await c.query(`DROP SCHEMA IF EXISTS ${ns} CASCADE; CREATE SCHEMA ${ns};`);
      } finally {
        await c.end().catch(() => {});
      }
      return this.adapterFor(this.shadow);
    }
    const pg = await loadPg();
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    const admin = new pg.Client(this.main.config);
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await admin.end().catch(() => {});
    }
    const info = {
      ...this.main,
      database: name,
      config: { ...this.main.config, database: name },
    };
    return this.adapterFor(info, async () => {
      const c = new pg.Client(this.main.config);
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      } finally {
        await c.end().catch(() => {});
      }
    });
  }

  async disposeAll() {
    await Promise.allSettled(this.adapters.map((a) => a.dispose()));
  }
}

const NO_URL_MESSAGE =
  "No datasource url is configured (is DATABASE_URL set?): this command needs a database connection.";

/**
 * Used when the CLI passes no datasource url (e.g. `migrate diff --from-empty
 * --to-schema`): the wasm engine probes the server once when it starts, so
 * answer that probe and fail every other query with a clear message.
 */
class NoDatabaseFactory {
  provider = "postgres";
  adapterName = "@prisma/adapter-pg";

  adapter() {
    const fail = async () => {
      throw new Error(NO_URL_MESSAGE);
    };
    return {
      provider: "postgres",
      adapterName: "@prisma/adapter-pg",
      async queryRaw({ sql }) {
        if (/^SELECT EXISTS\(SELECT 1 FROM pg_namespace WHERE nspname = \$1\), version\(\)/.test(sql)) {
          // ColumnTypeEnum: Boolean = 5, Text = 7, Int32 = 0
          return {
            columnNames: ["exists", "version", "numeric_version"],
            columnTypes: [5, 7, 0],
            rows: [[true, "PostgreSQL 16.0 (no datasource url configured)", 160000]],
          };
        }
        throw new Error(NO_URL_MESSAGE);
      },
      executeRaw: fail,
      executeScript: fail,
      startTransaction: fail,
      getConnectionInfo: () => ({ supportsRelationJoins: true }),
      dispose: async () => {},
    };
  }

  async connect() {
    return this.adapter();
  }

  async connectToShadowDb() {
    throw new Error(NO_URL_MESSAGE);
  }

  async disposeAll() {}
}

/** The last error PostgreSQL returned through an adapter (for error messages). */
let lastDatabaseError;

function toRpcError(e) {
  // Errors from the wasm engine carry the user-facing error code (P3xxx…) in
  // `code` when they are known errors; driver errors only come back as
  // "external connector error" + the adapter's summary + a span trace.
  let message = e?.message ?? String(e);
  const data = { is_panic: false, message, backtrace: null };
  let code = e?.code ?? e?.errorCode ?? e?.error_code;
  const dbError = lastDatabaseError;
  lastDatabaseError = undefined;
  if (typeof code !== "string" && /^external connector error/.test(message) && dbError) {
    const migration = /apply_migration[\s\S]*?migration_name="([^"]+)"/.exec(message)?.[1];
    const details = `Database error code: ${dbError.code ?? "unknown"}\n\nDatabase error:\n${dbError.message}${dbError.detail ? `\nDETAIL: ${dbError.detail}` : ""}${dbError.hint ? `\nHINT: ${dbError.hint}` : ""}${dbError.position ? `\nPosition: ${dbError.position}` : ""}`;
    if (migration) {
      code = "P3018";
      message = `A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: ${migration}\n\n${details}\n\n${message}`;
    } else {
      message = `${message}\n\n${details}`;
    }
    data.message = message;
  }
  if (typeof code === "string") data.error_code = code;
  if (e?.meta !== undefined) data.meta = e.meta;
  if (e instanceof WebAssembly.RuntimeError || /unreachable|panicked/i.test(message)) data.is_panic = true;
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data,
  };
}

async function runRpcServer(args) {
  const [wasm, { PrismaPg }, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    loadWasmEngine(),
    import("@prisma/adapter-pg"),
    import("@prisma/driver-adapter-utils"),
    loadPg(),
  ]);

  const datamodels = [];
  for (const file of args.datamodels) datamodels.push([file, await readFile(file, "utf8")]);

  const url = args.datasource?.url;
  const shadow = args.datasource?.shadowDatabaseUrl ? await pgConfig(args.datasource.shadowDatabaseUrl) : undefined;
  const factory = url ? new PgMigrationFactory(PrismaPg, await pgConfig(url), shadow) : new NoDatabaseFactory();

  const logCallback = (line) => {
    const text = typeof line === "string" ? line : JSON.stringify(line);
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === "object" && parsed.fields) {
        process.stderr.write(JSON.stringify(parsed) + "\n");
        return;
      }
    } catch {
      /* not JSON */
    }
    log("INFO", text);
  };

  let enginePromise;
  const engine = () =>
    (enginePromise ??= wasm.SchemaEngine.new(
      { datamodels: datamodels.length ? datamodels : undefined },
      logCallback,
      bindMigrationAwareSqlAdapterFactory(factory),
    ));

  const send = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");

  // Requests from the engine to the CLI (`print`) and their pending replies.
  let nextOutgoingId = 1_000_000;
  const pendingOutgoing = new Map();
  const callClient = (method, params) =>
    new Promise((resolve) => {
      const id = nextOutgoingId++;
      pendingOutgoing.set(id, resolve);
      send({ jsonrpc: "2.0", id, method, params });
    });

  const dbExecuteOnUrl = async (url, script) => {
    const info = await pgConfig(url);
    const pg = await loadPg();
    const client = new pg.Client(info.config);
    await client.connect();
    try {
      if (info.schema) await client.query(`SET search_path TO ${quoteIdent(info.schema)}`);
      await client.query(script);
    } finally {
      await client.end().catch(() => {});
    }
  };

  const handlers = {
    async diff(params) {
      const result = await (await engine()).diff(params);
      if (result.stdout != null) await callClient("print", { content: result.stdout });
      return { exitCode: result.exitCode };
    },
    async getDatabaseVersion(params) {
      return (await engine()).version(params ?? undefined);
    },
    async createDatabase(params) {
      const dsUrl = params?.datasource?.url ?? url;
      const info = await pgConfig(dsUrl);
      await withAdminClient(info.config, (c) => c.query(`CREATE DATABASE ${quoteIdent(info.database)}`));
      return { databaseName: info.database };
    },
    async dbExecute(params) {
      const t = params.datasourceType;
      if (t?.tag === "url" && t.url && t.url !== url) {
        await dbExecuteOnUrl(t.url, params.script);
        return {};
      }
      await (await engine()).dbExecute(params);
      return {};
    },
    async evaluateDataLoss(params) {
      const e = await engine();
      try {
        return await e.evaluateDataLoss(params);
      } catch (err) {
        // On a fresh database the first evaluation can fail before the engine
        // has looked at the migrations table; diagnose once and retry.
        log("WARN", `evaluateDataLoss failed (${err?.message ?? err}); retrying after devDiagnostic`);
        await e.devDiagnostic({
          migrationsList: params.migrationsList,
          filters: params.filters,
        });
        return await e.evaluateDataLoss(params);
      }
    },
    async debugPanic() {
      throw Object.assign(new Error("This is the debugPanic artificial panic"), { panic: true });
    },
  };

  const direct = [
    "applyMigrations",
    "createMigration",
    "devDiagnostic",
    "diagnoseMigrationHistory",
    "ensureConnectionValidity",
    "introspect",
    "introspectSql",
    "markMigrationApplied",
    "markMigrationRolledBack",
    "reset",
    "schemaPush",
  ];

  const handle = async (req) => {
    const { id, method, params } = req;
    try {
      let result;
      if (handlers[method]) result = await handlers[method](params);
      else if (direct.includes(method)) {
        const e = await engine();
        result = await e[method](params);
      } else {
        send({
          jsonrpc: "2.0",
          id,
          error: {
            code: -32601,
            message: `Method not found: ${method}`,
            data: {
              is_panic: false,
              message: `The schema engine (wasm shim) does not support the \`${method}\` method.`,
            },
          },
        });
        return;
      }
      send({ jsonrpc: "2.0", id, result: result ?? {} });
    } catch (e) {
      const error = toRpcError(e);
      if (e?.panic) error.data.is_panic = true;
      log("ERROR", error.data.message, error.data.error_code ? { error_code: error.data.error_code } : {});
      send({ jsonrpc: "2.0", id, error });
    }
  };

  // Requests are processed one at a time, in order, like the native engine.
  let queue = Promise.resolve();
  const rl = readline.createInterface({
    input: process.stdin,
    crlfDelay: Infinity,
  });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error" },
      });
      return;
    }
    if (msg.method === undefined && msg.id !== undefined && pendingOutgoing.has(msg.id)) {
      const resolve = pendingOutgoing.get(msg.id);
      pendingOutgoing.delete(msg.id);
      resolve(msg.result);
      return;
    }
    queue = queue.then(() => handle(msg));
  });
  rl.on("close", async () => {
    await queue;
    await factory.disposeAll();
    process.exit(0);
  });
}

// ---------------------------------------------------------------- main

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  process.stdout.write(`${ENGINE_NAME} ${enginesHash()}\n`);
} else if (args.cli) {
  process.exitCode = await runCliCommand(args.cli, args.datasource);
} else {
  await runRpcServer(args);
}
