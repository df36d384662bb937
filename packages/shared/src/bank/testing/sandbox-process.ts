import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../embedded-db";
import { freePort } from "../../free-port";
import type { PartnerBank } from "../../local-fixtures";
import { createSandboxAdmin, type SandboxAdmin } from "./sandbox-admin";

/** A sandbox process: its admin endpoints (sandbox-admin.ts), and restart/stop. */
export interface SandboxProcess extends SandboxAdmin {
  /** Stops and starts the process on the same port (with extra env): every access token it issued becomes invalid. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

const tsx = path.join(repoRoot, "node_modules/.bin/tsx");

/**
 * Runs a bank sandbox as its own process (`tsx sandbox/src/main.ts <bank>`), exactly as the
 * system runs it, on a free loopback port. For tests of bank services.
 */
export async function startSandboxProcess(bank: PartnerBank, env: Record<string, string> = {}): Promise<SandboxProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child = await launch(bank, port, env, url);
  return {
    ...createSandboxAdmin(url),
    restart: async (extraEnv = {}) => {
      await stopChild(child);
      child = await launch(bank, port, { ...env, ...extraEnv }, url);
    },
    stop: () => stopChild(child),
  };
}

type Child = ReturnType<typeof spawn>;

async function launch(bank: PartnerBank, port: number, env: Record<string, string>, url: string): Promise<Child> {
  const child = spawn(tsx, [path.join(repoRoot, "sandbox/src/main.ts"), bank], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sandbox ${bank} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/_sandbox/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`sandbox ${bank} did not answer within 30 s`);
}

async function stopChild(child: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(killer);
}
