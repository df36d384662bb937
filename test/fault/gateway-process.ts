import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { freePort, repoRoot } from "@gerbang/shared";

/**
 * A gateway process of our own next to the one startSystem runs: a second instance on the same
 * database (leases, duplicate storms across instances), or one with a GATEWAY_FAILPOINT that
 * SIGKILLs itself at a chosen step. Same entry point and loader as scripts/system.ts, one plain
 * node process, so a SIGKILL hits the gateway itself. Its output goes to a log file in the run's
 * state folder, for the post-mortem of a failing scenario.
 */

export interface GatewayProcess {
  readonly name: string;
  readonly origin: string;
  readonly grpcAddress: string;
  readonly pid: number | undefined;
  /** Resolves when the process has exited, with the signal that ended it (null: exited by itself). */
  readonly exited: Promise<NodeJS.Signals | null>;
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  name: string;
  env: Record<string, string>;
  logDir: string;
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const [httpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
  mkdirSync(options.logDir, { recursive: true });
  const log = createWriteStream(path.join(options.logDir, `${options.name}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "services/gateway/src/main.ts")], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env, GATEWAY_HTTP_PORT: String(httpPort), GATEWAY_GRPC_PORT: String(grpcPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.once("exit", (_code, signal) => { log.end(); resolve(signal); });
  });
  await waitForPort(httpPort, child, options.name);
  await waitForPort(grpcPort, child, options.name);
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return {
    name: options.name,
    origin: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    pid: child.pid,
    exited,
    kill: () => stopWith("SIGKILL"),
    stop: () => stopWith("SIGTERM"),
  };
}

/** Bounded: the process must listen within `timeoutMs`, and a process that dies first says so. */
export async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}; see its log`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => { resolve(false); });
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}
