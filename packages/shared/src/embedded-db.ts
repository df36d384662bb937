import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { stopChild, waitForPort } from "./child-process";
import { freePort } from "./free-port";

/**
 * The repository root: every state folder and tool lives below it. Found by walking up to
 * buf.yaml, so it is the same from the TypeScript sources and from a bundle in .state/build.
 */
export const repoRoot = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from, depth = 0; depth < 12; dir = path.dirname(dir), depth++) {
    if (existsSync(path.join(dir, "buf.yaml"))) return dir;
  }
  return path.resolve(__dirname, "../../..");
}

/** Where scripts/install-ferretdb.sh puts the embedded database server. */
export const ferretdbBinary = path.join(repoRoot, ".tools/bin/ferretdb");

export interface EmbeddedDatabase {
  /** mongodb:// URI of the running server, without a database name. */
  readonly uri: string;
  readonly port: number;
  /** Process id of the server (memory figures in the benchmarks). */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Folder for FerretDB's SQLite files and state; created when missing. */
  dataDir: string;
  /** Loopback port; 0 picks a free one. */
  port?: number;
  /** How long to wait for the server to answer before giving up. */
  startTimeoutMs?: number;
  /** Called when the server crashes after it started (not after stop(), nor an orderly exit on a signal). */
  onCrash?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** In a process group of its own: a terminal's Ctrl-C does not reach it, and the caller stops it last (make run). */
  detached?: boolean;
}

/**
 * Starts FerretDB v1.24 on its SQLite backend on 127.0.0.1 and waits until it answers the
 * MongoDB wire protocol. FerretDB has no multi-document transactions, so every state change in
 * Gerbang is one single-document atomic update guarded by unique indexes.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  if (!existsSync(ferretdbBinary)) {
    throw new Error(
      `The embedded database is not installed (${ferretdbBinary} is missing). ` +
        "Run `make setup` (it needs Go 1.21+, which fetches the Go 1.24 FerretDB v1.24.2 asks for), or set MONGODB_URI to a running MongoDB.",
    );
  }
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  const child = spawn(
    ferretdbBinary,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      "--debug-addr=-",
      "--telemetry=disable", // otherwise it tries to reach the internet
      "--log-level=error",
    ],
    { stdio: ["ignore", "ignore", "pipe"], detached: options.detached === true },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let stopping = false;
  let started = false;
  child.once("exit", (code, signal) => {
    // A database that dies under a running system must say why: the tail of its stderr goes to
    // the console and to ferretdb-crash.log in its data folder. Exit code 0 is FerretDB's own
    // orderly shutdown on a signal from outside: in the terminal's process group a Ctrl-C reaches
    // it before stop() is called, not a crash; in a group of its own nothing but stop() should
    // stop it, so there it is one.
    if (stopping || (code === 0 && options.detached !== true)) return;
    const report = `FerretDB on 127.0.0.1:${port} exited unexpectedly (code ${code ?? "-"}, signal ${signal ?? "-"})\n${stderr}`;
    console.error(report);
    try { appendFileSync(path.join(dataDir, "ferretdb-crash.log"), `${new Date().toISOString()} ${report}\n`); } catch { /* the folder may be gone */ }
    if (started) options.onCrash?.(code, signal);
  });
  try {
    await waitForPort(port, child, "FerretDB", () => stderr, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`FerretDB did not start on 127.0.0.1:${port}: ${String(error)}\n${stderr}`, { cause: error });
  }
  started = true;
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: () => {
      stopping = true;
      return stopChild(child, "SIGTERM", 5000);
    },
  };
}
