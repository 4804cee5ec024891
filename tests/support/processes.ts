import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Works under vitest (CJS-style __dirname) and plain ESM (tsx, the bench).
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");

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
  /** Also append the output to this file (the stack's server and worker: tests/setup/processes.ts reads it). */
  logFile?: string,
): Promise<Proc> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const file = logFile ? createWriteStream(logFile, { flags: "a" }) : null;
  child.stdout!.on("data", (d) => {
    out += d.toString();
    file?.write(d);
  });
  child.stderr!.on("data", (d) => {
    out += d.toString();
    file?.write(d);
  });
  child.on("exit", () => file?.end());
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
export function startServer(env: Record<string, string>, logFile?: string): Promise<Proc> {
  return startProcess(
    NODE,
    ["--import", "tsx", "--import", "./tests/msw/node.ts", "server.mjs"],
    { ACCESS_LOG: "off", ...env },
    /"msg":"listening"/,
    logFile,
  );
}

/** The Node flags of `npm run worker` (package.json: `node <flags> build/worker.js`). */
function workerNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { worker: string } };
  const words = pkg.scripts.worker.trim().split(/\s+/);
  if (words[0] !== "node" || words.at(-1) !== "build/worker.js")
    throw new Error(`package.json "worker" is not \`node [flags] build/worker.js\`: ${pkg.scripts.worker}`);
  return words.slice(1, -1);
}

/**
 * The compiled worker (`npm run build` makes build/worker.js) with the Node flags of `npm run worker`. Tests load
 * msw's fakes of the outside services into it (and tsx, which that file needs): the history import and
 * reconciliation call Shopify from the worker. `production: true` starts it exactly as `npm run worker` does (the
 * bench measures its memory: tsx and msw in the process added ~40 MB to the idle worker at full scale, 170 against
 * 212 MB). `nodeArgs`: more Node flags (a profile), after npm run worker's.
 */
export function startWorker(
  env: Record<string, string>,
  logFile?: string,
  opts: { production?: boolean; nodeArgs?: string[] } = {},
): Promise<Proc> {
  const preload = opts.production ? [] : ["--import", "tsx", "--import", "./tests/msw/node.ts"];
  const args = [...workerNodeFlags(), ...(opts.nodeArgs ?? []), ...preload, "build/worker.js"];
  return startProcess(NODE, args, env, /Worker ready/, logFile);
}

export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The compiled CLI (build/cli.js), as production runs it.
    const child = spawn(NODE, ["build/cli.js", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d.toString()));
    child.stderr.on("data", (d) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
