import { spawn } from "node:child_process";
import path from "node:path";
import { stopChild, waitForPort } from "../../child-process";
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
  let child = await launch(bank, port, env);
  return {
    ...createSandboxAdmin(url),
    restart: async (extraEnv = {}) => {
      await stopChild(child, "SIGTERM", STOP_GRACE_MS);
      child = await launch(bank, port, { ...env, ...extraEnv });
    },
    stop: () => stopChild(child, "SIGTERM", STOP_GRACE_MS),
  };
}

type Child = ReturnType<typeof spawn>;
/** How long a sandbox gets to stop on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;

async function launch(bank: PartnerBank, port: number, env: Record<string, string>): Promise<Child> {
  const child = spawn(tsx, [path.join(repoRoot, "sandbox/src/main.ts"), bank], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForPort(port, child, `sandbox ${bank}`);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return child;
}
