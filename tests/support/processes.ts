import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Works under vitest (CJS-style __dirname) and plain ESM (tsx, the bench).
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts a process in its own process group (so a test can kill exactly it and its children). */
export function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  readyText?: RegExp,
): Promise<Proc> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d.toString()));
  child.stderr!.on("data", (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const proc: Proc = {
    child,
    output: () => out,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          /* already gone */
        }
      }
      return exited;
    },
  };
  if (!readyText) return Promise.resolve(proc);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (readyText.test(out)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${out}`));
    });
  });
}

/** The built server, with msw answering for outside services (tests/msw/node.ts). */
export function startServer(env: Record<string, string>): Promise<Proc> {
  return startProcess(
    NODE,
    ["--import", "tsx", "--import", "./tests/msw/node.ts", "server.mjs"],
    { ACCESS_LOG: "off", ...env },
    /"msg":"listening"/,
  );
}

/** The worker, with msw answering for outside services too (the import and reconciliation call Shopify from it). */
export function startWorker(env: Record<string, string>): Promise<Proc> {
  // one process, like the server (tsx's CLI wrapper in front of it ends with the signal's code 143 under --import)
  return startProcess(
    NODE,
    ["--import", "tsx", "--import", "./tests/msw/node.ts", "worker/index.ts"],
    env,
    /Worker ready/,
  );
}

export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ["cli/index.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d.toString()));
    child.stderr.on("data", (d) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
