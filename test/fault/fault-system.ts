import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import { startSystem, type ComponentName, type RunningSystem } from "../../scripts/system";
import { createAppClient, type AppClient } from "./app-client";
import { startGatewayProcess, startServiceProcess, type GatewayProcess, type ServiceProcess } from "./service-process";
import { waitUntil } from "./waits";
import { createSandboxAdmin, type SandboxAdmin } from "@gerbang/shared/src/bank/testing";
import { MAX_RESENDS, sendMayLandWithinMs } from "../../services/gateway/src/resolver-decision";

/**
 * The whole mesh as real processes (scripts/system.ts) with the short timings a fault run needs,
 * in a state folder and database of its own, plus what scenarios need around it: the sandboxes'
 * admin endpoints, extra gateway processes on the same database, and one stop for everything.
 * The main gateway is started here rather than by startSystem (same entry point, same
 * environment): startSystem discards its children's output, and a failing fault run needs the
 * gateway's log (manual-review alerts, breaker changes, errors) to say what went wrong.
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
  /** The default: each round of each instance scans the ledger on the embedded database (FINDINGS.md). */
  resolverIntervalMs: 1_000,
  pendingRecheckMs: 300,
  resolverBackoffMs: [300, 500, 1_000, 2_000],
  /**
   * More than the bank deadline plus 1 s (the gateway refuses to start otherwise), and 2 s more for
   * the writes before a call (jti claim, insert): a cold gateway among others starting on 2 cores
   * must still make its first call, not refuse it for a lease too short (bank-policy.ts).
   */
  leaseMs: 5_500,
  /**
   * A left attempt the bank does not know is re-sent after this (more than the deadline, less than
   * the horizon), and well after a `book-late` booking lands (1.5 s after it reaches the sandbox,
   * which can be a second or more after the send on a busy machine).
   */
  resendAfterMs: 4_500,
  /**
   * Past it, an attempt that may have left is no longer re-sent on "not found" (manual review
   * instead). A gateway killed under load leaves such attempts behind; its restart (a cold start
   * of tsx on 2 cores) and a lease must fit well inside, or they would wait for a person.
   */
  manualReviewHorizonMs: 25_000,
  breakerResetMs: 1_000,
} as const;

/**
 * The longest the resolver needs to finish a transfer here, the longer of two paths: a lease to run
 * out, then the first send and up to MAX_RESENDS re-sends of the same attempt, each after
 * GATEWAY_RESEND_AFTER_MS and taking up to the bank deadline, then the wait for the last to be past
 * landing (the lease plus its token's clock tolerance plus the re-send wait,
 * resolver-decision.ts sendMayLandWithinMs), a backoff step and a round before a "not found" sends
 * it to manual review; or the horizon, then that wait for a send made just before it, a backoff
 * step and a round. Plus a margin for a busy machine. Waits for the resolver are bounded by it.
 */
const LAST_SEND_SETTLES_MS = sendMayLandWithinMs(FAULT_TIMINGS, FAULT_TIMINGS.leaseMs) + Math.max(...FAULT_TIMINGS.resolverBackoffMs) + FAULT_TIMINGS.resolverIntervalMs;
const RESENDS_PATH_MS = FAULT_TIMINGS.leaseMs + MAX_RESENDS * (FAULT_TIMINGS.resendAfterMs + FAULT_TIMINGS.gatewayBankDeadlineMs)
  + FAULT_TIMINGS.gatewayBankDeadlineMs + LAST_SEND_SETTLES_MS;
const HORIZON_PATH_MS = FAULT_TIMINGS.manualReviewHorizonMs + LAST_SEND_SETTLES_MS;
export const RESOLVER_SETTLES_MS = Math.max(RESENDS_PATH_MS, HORIZON_PATH_MS) + 10_000;

/** Environment of every gateway in a fault run (the system's and ours); names from services/gateway/src/config.ts. */
export function gatewayFaultEnv(): Record<string, string> {
  const t = FAULT_TIMINGS;
  return {
    GATEWAY_BANK_DEADLINE_MS: String(t.gatewayBankDeadlineMs),
    GATEWAY_PENDING_RECHECK_MS: String(t.pendingRecheckMs),
    GATEWAY_DUPLICATE_WAIT_MS: "3000",
    GATEWAY_REGISTRY_REFRESH_MS: "1000",
    GATEWAY_RESOLVER_INTERVAL_MS: String(t.resolverIntervalMs),
    GATEWAY_RESOLVER_BACKOFF_MS: t.resolverBackoffMs.join(","),
    GATEWAY_RESOLVER_BACKOFF_MAX_MS: String(Math.max(...t.resolverBackoffMs)),
    GATEWAY_LEASE_MS: String(t.leaseMs),
    GATEWAY_RESEND_AFTER_MS: String(t.resendAfterMs),
    GATEWAY_MANUAL_REVIEW_AFTER_MS: String(t.manualReviewHorizonMs),
    // Compressed like the rest: a transfer in review is asked every 2 s, so one the bank books late
    // is resolved before the books are compared.
    GATEWAY_REVIEW_CHECK_MAX_MS: String(Math.max(...t.resolverBackoffMs)),
    GATEWAY_BREAKER_RESET_MS: String(t.breakerResetMs),
    GATEWAY_SHUTDOWN_GRACE_MS: "3000",
  };
}

function bankFaultEnv(): Record<string, string> {
  return { BANK_TIMEOUT_MS: String(FAULT_TIMINGS.bankTimeoutMs), REGISTRY_REFRESH_MS: "1000" };
}

/** The main gateway instance: fixed ports, so apps reach it again after a restart. */
export interface MainGateway {
  readonly origin: string;
  /** SIGKILL (crash). */
  kill(): Promise<void>;
  /** SIGTERM, waiting for a graceful exit. */
  stop(): Promise<void>;
  /** Starts it again on the same ports, after kill or stop. */
  restart(): Promise<void>;
}

export interface FaultSystem {
  /** Database, sandboxes and bank services (scripts/system.ts). */
  readonly system: RunningSystem;
  readonly gateway: MainGateway;
  readonly label: string;
  readonly stateDir: string;
  readonly logDir: string;
  /** The main gateway, as an app sees it. */
  readonly app: AppClient;
  sandbox(bank: SandboxBank): SandboxAdmin;
  /** Starts one more gateway process on the same database; stopped by stop() if still running. */
  spawnGateway(name: string, extraEnv?: Record<string, string>): Promise<GatewayProcess>;
  /**
   * Resolves once every gateway still running serves from a registry read at `since` or later (ops
   * /healthz): a change the database took before `since` is then in effect everywhere.
   */
  registryReloaded(since: Date): Promise<void>;
  /**
   * Starts a bank service of our own on the port of the system's one (kill that first): the
   * partners' serviceUrl keeps pointing there, so the gateway calls ours (e.g. with BANK_FAILPOINT).
   */
  spawnBankService(bank: SandboxBank, extraEnv: Record<string, string>): Promise<ServiceProcess>;
  /** The system's components and main gateway that exited without a scenario asking them to. */
  unexpectedExits(): readonly string[];
  stop(): Promise<void>;
}

/** A reload is due every second in a fault run; this bound only stops a run whose gateways never reload. */
const REGISTRY_RELOAD_BOUND_MS = 30_000;

/** When the registry a gateway serves from was read (ops /healthz); undefined while it does not answer (within a second, as JSON). */
async function registryAsOf(gateway: GatewayProcess): Promise<number | undefined> {
  const answer = await fetch(`${gateway.opsOrigin}/healthz`, { signal: AbortSignal.timeout(1_000) })
    .then((r) => r.json() as Promise<{ registryAsOf?: string }>)
    .catch(() => undefined);
  return answer?.registryAsOf === undefined ? undefined : Date.parse(answer.registryAsOf);
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
  // A component that dies without being asked to is a bug of its own, whatever the transfers show.
  const unexpectedExits: string[] = [];
  const exitedOnItsOwn = (name: string, how: string | number | null) => { unexpectedExits.push(`${name} exited without being asked to (${String(how)})`); };
  const system = await startSystem({
    onUnexpectedExit: (name, code, signal) => { exitedOnItsOwn(name, signal ?? code); },
    stateDir,
    fixedPorts: false,
    databaseName,
    stdio: "ignore",
    commonEnv: { LOG_LEVEL: "warn" },
    skip: ["gateway"],
    env: {
      ...extra,
      "bank-bni": bankEnv("bank-bni"),
      "bank-bca": bankEnv("bank-bca"),
      "bank-mandiri": bankEnv("bank-mandiri"),
    },
  });
  const extraProcesses: ServiceProcess[] = [];
  const gatewayEnv = (more: Record<string, string> = {}) => ({
    LOG_LEVEL: "info", MONGODB_URI: system.mongodbUri, MONGODB_DATABASE: system.databaseName, ...gatewayFaultEnv(), ...extra.gateway, ...more,
  });
  const mainPorts = { http: system.ports.gatewayHttp, grpc: system.ports.gatewayGrpc };
  const runningGateways = new Set<GatewayProcess>();
  const started = (gateway: GatewayProcess) => {
    runningGateways.add(gateway);
    void gateway.exited.then(() => runningGateways.delete(gateway));
    return gateway;
  };
  /** `p`, whose exit is reported unless a scenario asked for it (its kill or stop) or it is its purpose (a failpoint). */
  const watched = <P extends ServiceProcess>(p: P, diesByDesign: boolean): P => {
    let asked = diesByDesign;
    void p.exited.then((signal) => { if (!asked) exitedOnItsOwn(p.name, signal ?? "no signal: it exited by itself"); });
    return { ...p, kill: () => { asked = true; return p.kill(); }, stop: () => { asked = true; return p.stop(); } };
  };
  let main: GatewayProcess;
  const startMain = async () => watched(started(await startGatewayProcess({ name: "gateway", logDir, env: gatewayEnv(), ports: mainPorts })), false);
  try {
    main = await startMain();
  } catch (error) {
    await system.stop();
    throw error;
  }
  const sandboxPort: Record<SandboxBank, number> = {
    bni: system.ports.sandboxBni, bca: system.ports.sandboxBca, mandiri: system.ports.sandboxMandiri,
  };
  return {
    system,
    gateway: {
      origin: main.origin,
      kill: () => main.kill(),
      stop: () => main.stop(),
      restart: async () => {
        await main.stop();
        main = await startMain();
      },
    },
    label,
    stateDir,
    logDir,
    app: createAppClient(`http://127.0.0.1:${system.ports.gatewayHttp}`, FAULT_TIMINGS.appTimeoutMs),
    sandbox: (bank) => createSandboxAdmin(`http://127.0.0.1:${sandboxPort[bank]}`),
    spawnGateway: async (name, extraEnv = {}) => {
      const gateway = watched(started(await startGatewayProcess({ name, logDir, env: gatewayEnv(extraEnv) })), extraEnv.GATEWAY_FAILPOINT !== undefined);
      extraProcesses.push(gateway);
      return gateway;
    },
    registryReloaded: (since) => waitUntil(async () => {
      const asOf = await Promise.all([...runningGateways].map(registryAsOf));
      return asOf.every((at) => at !== undefined && at >= since.getTime());
    }, REGISTRY_RELOAD_BOUND_MS, `every gateway to serve from a registry read after ${since.toISOString()}`),
    spawnBankService: async (bank, extraEnv) => {
      const port = { bni: system.ports.bankBni, bca: system.ports.bankBca, mandiri: system.ports.bankMandiri }[bank];
      const service = watched(await startServiceProcess({
        name: `bank-${bank}-own-${extraProcesses.length}`,
        script: `services/bank-${bank}/src/main.ts`,
        ports: [port],
        logDir,
        env: {
          LOG_LEVEL: "info",
          MONGODB_URI: system.mongodbUri,
          MONGODB_DATABASE: system.databaseName,
          PORT: String(port),
          [`HOST_${bank.toUpperCase()}`]: `http://127.0.0.1:${sandboxPort[bank]}`,
          ...bankFaultEnv(),
          ...extraEnv,
        },
      }), extraEnv.BANK_FAILPOINT !== undefined);
      extraProcesses.push(service);
      return service;
    },
    unexpectedExits: () => [...unexpectedExits],
    stop: async () => {
      for (const p of extraProcesses) await p.stop();
      await main.stop();
      await system.stop();
      // The database files go; the logs stay for the post-mortem of a failed run (`make clean` removes them).
      rmSync(path.join(stateDir, "db"), { recursive: true, force: true });
    },
  };
}
