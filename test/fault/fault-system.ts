import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import { startSystem, type ComponentName, type RunningSystem } from "../../scripts/system";
import { createAppClient, type AppClient } from "./app-client";
import { startGatewayProcess, type GatewayProcess } from "./gateway-process";
import { createSandboxAdmin, type SandboxAdmin } from "./sandbox-admin";

/**
 * The whole mesh as real processes (scripts/system.ts) with the short timings a fault run needs,
 * in a state folder and database of its own, plus what scenarios need around it: the sandboxes'
 * admin endpoints, extra gateway processes on the same database, and one stop for everything.
 */

export type SandboxBank = "bni" | "bca" | "mandiri";
export const SANDBOX_OF_PARTNER: Record<string, SandboxBank> = { "009": "bni", "014": "bca", "800": "mandiri" };

/**
 * Timings of a fault run. Inside shorter than outside (bank service < gateway < app), so every
 * layer answers before the one above gives up; resolver schedule and manual-review horizon short,
 * so a run settles within seconds. The horizon must exceed the sandbox's default latency (3 s),
 * or a transfer the bank is still booking would be given up on.
 */
export const FAULT_TIMINGS = {
  bankTimeoutMs: 1_500,
  gatewayBankDeadlineMs: 2_500,
  appTimeoutMs: 15_000,
  resolverIntervalMs: 200,
  pendingRecheckMs: 300,
  resolverBackoffMaxMs: 1_000,
  leaseMs: 4_000,
  manualReviewHorizonMs: 8_000,
} as const;

/** Environment of every gateway in a fault run (the system's and ours). */
export function gatewayFaultEnv(): Record<string, string> {
  const t = FAULT_TIMINGS;
  return {
    GATEWAY_BANK_DEADLINE_MS: String(t.gatewayBankDeadlineMs),
    GATEWAY_PENDING_RECHECK_MS: String(t.pendingRecheckMs),
    GATEWAY_DUPLICATE_WAIT_MS: "3000",
    GATEWAY_REGISTRY_REFRESH_MS: "1000",
    GATEWAY_RESOLVER_INTERVAL_MS: String(t.resolverIntervalMs),
    GATEWAY_RESOLVER_BACKOFF_MAX_MS: String(t.resolverBackoffMaxMs),
    GATEWAY_LEASE_MS: String(t.leaseMs),
    GATEWAY_MANUAL_REVIEW_AFTER_MS: String(t.manualReviewHorizonMs),
  };
}

function bankFaultEnv(): Record<string, string> {
  return { BANK_TIMEOUT_MS: String(FAULT_TIMINGS.bankTimeoutMs), REGISTRY_REFRESH_MS: "1000" };
}

export interface FaultSystem {
  readonly system: RunningSystem;
  readonly label: string;
  readonly stateDir: string;
  readonly logDir: string;
  /** The system's own gateway, as an app sees it. */
  readonly app: AppClient;
  sandbox(bank: SandboxBank): SandboxAdmin;
  /** Starts one more gateway process on the same database; stopped by stop() if still running. */
  spawnGateway(name: string, extraEnv?: Record<string, string>): Promise<GatewayProcess>;
  stop(): Promise<void>;
}

export interface FaultSystemOptions {
  /** Extra environment per component, on top of the fault timings. */
  env?: Partial<Record<ComponentName, Record<string, string>>>;
}

export async function startFaultSystem(label: string, options: FaultSystemOptions = {}): Promise<FaultSystem> {
  const id = `${label}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const stateDir = path.join(repoRoot, ".state/fault", id);
  const logDir = path.join(stateDir, "logs");
  const databaseName = `fault_${id.replace(/-/g, "_")}`;
  const extra = options.env ?? {};
  const bankEnv = (name: ComponentName) => ({ ...bankFaultEnv(), ...extra[name] });
  const system = await startSystem({
    stateDir,
    fixedPorts: false,
    databaseName,
    stdio: "ignore",
    commonEnv: { LOG_LEVEL: "warn" },
    env: {
      ...extra,
      gateway: { ...gatewayFaultEnv(), ...extra.gateway },
      "bank-bni": bankEnv("bank-bni"),
      "bank-bca": bankEnv("bank-bca"),
      "bank-mandiri": bankEnv("bank-mandiri"),
    },
  });
  const extraGateways: GatewayProcess[] = [];
  const sandboxPort: Record<SandboxBank, number> = {
    bni: system.ports.sandboxBni, bca: system.ports.sandboxBca, mandiri: system.ports.sandboxMandiri,
  };
  return {
    system,
    label,
    stateDir,
    logDir,
    app: createAppClient(`http://127.0.0.1:${system.ports.gatewayHttp}`, FAULT_TIMINGS.appTimeoutMs),
    sandbox: (bank) => createSandboxAdmin(`http://127.0.0.1:${sandboxPort[bank]}`),
    spawnGateway: async (name, extraEnv = {}) => {
      const gateway = await startGatewayProcess({
        name,
        logDir,
        env: {
          LOG_LEVEL: "info",
          MONGODB_URI: system.mongodbUri,
          MONGODB_DATABASE: system.databaseName,
          ...gatewayFaultEnv(),
          ...extra.gateway,
          ...extraEnv,
        },
      });
      extraGateways.push(gateway);
      return gateway;
    },
    stop: async () => {
      for (const gateway of extraGateways) await gateway.stop();
      await system.stop();
      // The database files go; the logs stay for the post-mortem of a failed run (`make clean` removes them).
      rmSync(path.join(stateDir, "db"), { recursive: true, force: true });
    },
  };
}
