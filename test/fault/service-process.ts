import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { freePort, repoRoot, stopChild, waitForPort } from "@gerbang/shared";

/**
 * Processes of our own next to the ones startSystem runs: a second gateway on the same database
 * (leases, duplicate storms across instances), a gateway with GATEWAY_FAILPOINT or a bank service
 * with BANK_FAILPOINT that SIGKILLs itself at a chosen step. Same entry points and loader as
 * scripts/system.ts, one plain node process each, so a SIGKILL hits the service itself. Output
 * goes to a log file in the run's state folder, for the post-mortem of a failing scenario.
 */

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Resolves when the process has exited, with the signal that ended it (null: exited by itself). */
  readonly exited: Promise<NodeJS.Signals | null>;
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface GatewayProcess extends ServiceProcess {
  readonly origin: string;
  readonly grpcAddress: string;
  /** The operators' port (/healthz says when the registry it serves from was read). */
  readonly opsOrigin: string;
}

export interface ServiceProcessOptions {
  name: string;
  /** Entry point relative to the repository root, e.g. services/bank-bni/src/main.ts. */
  script: string;
  env: Record<string, string>;
  /** Ports it must listen on before it counts as started. */
  ports: number[];
  logDir: string;
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const log = createWriteStream(path.join(options.logDir, `${options.name}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, options.script)], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.once("exit", (_code, signal) => { log.end(); resolve(signal); });
  });
  try {
    for (const port of options.ports) await waitForPort(port, child, options.name);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    await stopChild(child, signal);
    await exited; // the log is closed too
  };
  return { name: options.name, pid: child.pid, exited, kill: () => stopWith("SIGKILL"), stop: () => stopWith("SIGTERM") };
}

export interface GatewayProcessOptions {
  name: string;
  env: Record<string, string>;
  logDir: string;
  /** Fixed ports (a restart of the same instance); free ones when absent. */
  ports?: { http: number; grpc: number };
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const [httpPort, grpcPort] = options.ports === undefined ? await Promise.all([freePort(), freePort()]) : [options.ports.http, options.ports.grpc];
  const opsPort = await freePort();
  const started = await startServiceProcess({
    name: options.name,
    logDir: options.logDir,
    script: "services/gateway/src/main.ts",
    env: { ...options.env, GATEWAY_HTTP_PORT: String(httpPort), GATEWAY_GRPC_PORT: String(grpcPort), GATEWAY_OPS_PORT: String(opsPort) },
    ports: [httpPort, grpcPort, opsPort],
  });
  return { ...started, origin: `http://127.0.0.1:${httpPort}`, grpcAddress: `127.0.0.1:${grpcPort}`, opsOrigin: `http://127.0.0.1:${opsPort}` };
}

/**
 * Resolves true if the process is killed by SIGKILL within `timeoutMs` (a failpoint fired), false
 * if it lives on or ends any other way (a crash or a clean exit is not the failpoint).
 */
export async function killedWithin(p: ServiceProcess, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"alive">((resolve) => { timer = setTimeout(resolve, timeoutMs, "alive"); });
  const ended = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  return ended === "SIGKILL";
}
