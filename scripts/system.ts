import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_PORTS, freePort, isListening, raceSignal, repoRoot, startEmbeddedDatabase, stopChild, waitForPort, type EmbeddedDatabase } from "@gerbang/shared";
// The settings module alone: the gateway's package would load its whole server into every runner.
import { loadGatewayConfig, shutdownBudgetMs } from "../services/gateway/src/config";

/**
 * Starts the whole system as separate processes on loopback: embedded database, seed, bank
 * sandboxes, bank services, gateway. Used by `make run`, by the whole-system test suites and by
 * the benchmarks, so all three run exactly the same processes.
 */

/** The least time a stopped component is given before it is killed (stopBackstopMs). */
const MIN_STOP_BACKSTOP_MS = 45_000;

/**
 * How long a stopped component may take before it is killed: a backstop only, past every
 * service's own shutdown budget. The gateway's is the one operators lengthen
 * (GATEWAY_SHUTDOWN_DELAY_MS and _GRACE_MS), read from its settings as it reads them; a bank
 * service's (BANK_TIMEOUT_MS + DEADLINE_MARGIN_MS + 1 s) stays below it while the gateway's
 * deadline outlasts the bank service's call, as its settings require. One stopped past it loses
 * nothing: the transfer it was on stays PENDING for the resolver.
 */
export function stopBackstopMs(gatewayEnv: NodeJS.ProcessEnv): number {
  try {
    return Math.max(MIN_STOP_BACKSTOP_MS, shutdownBudgetMs(loadGatewayConfig({}, gatewayEnv)) + 5_000);
  } catch {
    return MIN_STOP_BACKSTOP_MS; // settings the gateway refuses: it never starts
  }
}

export type ComponentName =
  | "sandbox-bni" | "sandbox-bca" | "sandbox-mandiri"
  | "bank-bni" | "bank-bca" | "bank-mandiri"
  | "gateway";

/** A port for every component, named as DEFAULT_PORTS names them. */
export type SystemPorts = Record<keyof typeof DEFAULT_PORTS, number>;

export interface SystemOptions {
  /** Folder for the embedded database's files. */
  stateDir: string;
  /** true: the paper's fixed ports (make run); false: free ports (tests, benchmarks). */
  fixedPorts: boolean;
  /** An existing MongoDB; empty starts the embedded one. */
  mongodbUri?: string;
  /** Database name (tests use a fresh one per run). */
  databaseName?: string;
  /** Extra environment per component (timeouts, fault settings, log level). */
  env?: Partial<Record<ComponentName, Record<string, string>>>;
  /** Components to leave out (e.g. a bench that needs only a sandbox). */
  skip?: ComponentName[];
  /** Where children's output goes: "inherit" (make run) or "ignore". */
  stdio?: "inherit" | "ignore";
  /** Extra environment for every process. */
  commonEnv?: Record<string, string>;
  /**
   * Run each service from a JavaScript bundle (buildBundles below: esbuild, built at start into
   * .state/build) instead of through tsx's loader: about 30 MB less per process and a faster
   * start. The benchmarks use it; tests keep tsx so they need no build step.
   */
  compiled?: boolean;
  /** Extra node flags per component (e.g. --cpu-prof for the benchmarks' profiles). */
  nodeArgs?: Partial<Record<ComponentName, string[]>>;
  /**
   * Sandboxes keep their books in `<stateDir>/sandbox-<bank>.jsonl` and remember them across
   * restarts, as banks do (make run). Otherwise in memory: the fault suite and the benchmarks
   * start from empty banks.
   */
  persistentBanks?: boolean;
  /**
   * Called when a component exits without being asked to (kill, restart and stop ask), from the
   * moment startSystem has returned until stop() is called: a failure while starting rejects
   * startSystem instead.
   */
  onUnexpectedExit?: (name: ComponentName | "database", code: number | null, signal: NodeJS.Signals | null) => void;
  /** Aborted while starting (make run's Ctrl-C or SIGTERM): what has started is stopped, and startSystem rejects. */
  signal?: AbortSignal;
  /**
   * Each component and the embedded database in a process group of its own, so that a terminal's
   * Ctrl-C reaches only the caller, which stops them in order with stop(): the gateway hands its
   * leases back and records the answers in flight while the database still runs (make run). Off
   * for tests and benchmarks, whose runner may end them all with one signal to its group.
   */
  ownProcessGroups?: boolean;
}

interface Component {
  name: ComponentName;
  script: string;
  args: string[];
  port: number;
  env: Record<string, string>;
}

export interface RunningSystem {
  readonly ports: SystemPorts;
  readonly mongodbUri: string;
  readonly databaseName: string;
  /** Components that were started (their main.ts exists). */
  readonly started: ComponentName[];
  /** SIGKILLs one component (crash simulation). */
  kill(name: ComponentName): Promise<void>;
  /** Starts a component again on the same port, after kill or stop. */
  restart(name: ComponentName): Promise<void>;
  /** SIGTERMs one component and waits for it to exit. */
  stopComponent(name: ComponentName): Promise<void>;
  /** Stops the embedded database (only when this system started it) and starts it again on the same port and files. */
  restartDatabase(downMs?: number): Promise<void>;
  /** Pid of a running component, for measuring memory. */
  pid(name: ComponentName | "database"): number | undefined;
  /** Stops everything in reverse order. */
  stop(): Promise<void>;
}

/**
 * Node flags every process gets. A young generation of at most 3 x 4 MB instead of 3 x 16 MB:
 * under load V8 otherwise grows it to the maximum, which was ~40 MB of each service's peak RSS
 * (bench/README.md: gateway 198 -> 150 MB at the full path's load); scavenges stay cheap because
 * almost nothing a request allocates survives it.
 */
const SERVICE_NODE_FLAGS = ["--max-semi-space-size=4"];

/**
 * The heap budget of the gateway and the bank services. Without one, V8 sizes the old space by
 * allocation rate and let each grow to 160-190 MB RSS at the full path's maximum load with ~55 MB
 * live (heap snapshot); a 128 MB budget keeps them near 100-130 MB for ~5% throughput (bench
 * README, "Memory"). A deployment sets it to its container's memory. Sandboxes get none: they are
 * banks, and hold every booking of a run in memory.
 */
const SERVICE_HEAP_FLAGS = ["--max-old-space-size=128"];

/**
 * The gateway's old generation may grow to 1.6 times what survived the last full collection
 * before the next one. Under the budget above V8 chose ~1.2, so at the full path's load the
 * gateway ran a mark-compact every ~0.5 s, and every request in flight waited through it (bench
 * README, "Open-loop tails"): about half as many now, for ~8 MB of peak RSS. 2.0 cut them to a
 * third but took the gateway to 153 MB at its in-flight limit (256), over the 150 MB target.
 */
const GATEWAY_GC_FLAGS = ["--heap-growing-percent=60"];

/**
 * Runs a TypeScript entry point in one plain node process with tsx's loader. Not the `tsx` CLI:
 * it forks a second node process, so a SIGKILL (crash tests) or a pid (memory figures) would hit
 * the wrapper instead of the service.
 */
function spawnTs(script: string, args: string[], env: Record<string, string>, stdio: "inherit" | "ignore", nodeArgs: string[] = [], detached = false): ChildProcess & { stderrTail: () => string } {
  // A bundle (.js) runs on plain node; TypeScript goes through tsx's loader.
  const loader = script.endsWith(".js") ? [] : ["--import", "tsx"];
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...nodeArgs, ...loader, script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", stdio, stdio === "ignore" ? "pipe" : "inherit"],
    detached,
  });
  // Quiet mode keeps the last few KiB of stderr, so a component that dies can say why.
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000); });
  return Object.assign(child, { stderrTail: () => tail });
}

/**
 * Bundles entry points with esbuild (tsx's own compiler, so the same TypeScript semantics) into
 * .state/build/<pid>/, keeping our workspace packages inside and every third-party package
 * external (loaded from node_modules as usual). Takes about a second for all services.
 */
function buildBundles(scripts: string[]): { dir: string; scripts: Map<string, string> } {
  const dir = path.join(repoRoot, ".state/build", String(process.pid));
  const external = thirdPartyDependencies();
  const nested = notHoisted(external);
  if (nested.length > 0) {
    throw new Error(`${nested.join(", ")} not installed in the root node_modules, where the bundles in .state/build load them from ` +
      "(npm nested them under a workspace: the lockfile must hoist them)");
  }
  const esbuild = path.join(repoRoot, "node_modules/esbuild/bin/esbuild");
  const built = spawnSync(esbuild, [
    ...scripts, "--bundle", "--platform=node", "--format=cjs", "--target=node20", `--outbase=${repoRoot}`, `--outdir=${dir}`, "--log-level=error",
    ...[...external].flatMap((name) => [`--external:${name}`, `--external:${name}/*`]),
  ], { cwd: repoRoot, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`esbuild failed (${built.status ?? built.signal}): ${built.stderr}`);
  return { dir, scripts: new Map(scripts.map((s) => [s, path.join(dir, s.replace(/\.ts$/, ".js"))])) };
}

/** Every third-party package a workspace depends on (the bundles keep them external). */
export function thirdPartyDependencies(): Set<string> {
  const workspaces = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] }).workspaces;
  const names = new Set<string>();
  for (const w of workspaces) {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, w, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies ?? {})) if (!name.startsWith("@gerbang/")) names.add(name);
  }
  return names;
}

/** The packages of `names` missing from the root node_modules (a bundle outside the workspaces cannot load those). */
export function notHoisted(names: Iterable<string>): string[] {
  return [...names].filter((name) => !existsSync(path.join(repoRoot, "node_modules", name, "package.json")));
}

async function choosePorts(fixed: boolean): Promise<SystemPorts> {
  if (fixed) return { ...DEFAULT_PORTS };
  const names = Object.keys(DEFAULT_PORTS) as (keyof SystemPorts)[];
  const ports: Partial<SystemPorts> = {};
  await Promise.all(names.map(async (name) => { ports[name] = await freePort(); }));
  return ports as SystemPorts;
}

function components(ports: SystemPorts, base: Record<string, string>, booksDir: string | undefined): Component[] {
  const hosts = {
    HOST_BNI: `http://127.0.0.1:${ports.sandboxBni}`,
    HOST_BCA: `http://127.0.0.1:${ports.sandboxBca}`,
    HOST_MANDIRI: `http://127.0.0.1:${ports.sandboxMandiri}`,
  };
  const sandbox = (bank: string, port: number): Component => ({
    name: `sandbox-${bank}` as ComponentName, script: "sandbox/src/main.ts", args: [bank], port,
    env: { ...base, PORT: String(port), ...(booksDir === undefined ? {} : { SANDBOX_JOURNAL_FILE: path.join(booksDir, `sandbox-${bank}.jsonl`) }) },
  });
  const bankService = (bank: string, port: number): Component => ({
    name: `bank-${bank}` as ComponentName, script: `services/bank-${bank}/src/main.ts`, args: [], port, env: { ...base, ...hosts, PORT: String(port) },
  });
  return [
    sandbox("bni", ports.sandboxBni), sandbox("bca", ports.sandboxBca), sandbox("mandiri", ports.sandboxMandiri),
    bankService("bni", ports.bankBni), bankService("bca", ports.bankBca), bankService("mandiri", ports.bankMandiri),
    {
      name: "gateway", script: "services/gateway/src/main.ts", args: [], port: ports.gatewayHttp,
      env: { ...base, GATEWAY_HTTP_PORT: String(ports.gatewayHttp), GATEWAY_GRPC_PORT: String(ports.gatewayGrpc), GATEWAY_OPS_PORT: String(ports.gatewayOps) },
    },
  ];
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const ports = await choosePorts(options.fixedPorts);
  // A fixed port something else already holds would pass for the component's own (waitForPort
  // only sees that the port answers): "up" would be printed over a gateway that died on EADDRINUSE.
  const external = options.mongodbUri !== undefined && options.mongodbUri !== "";
  const busy = await busyPorts(Object.values(ports).filter((port) => !(external && port === ports.database)));
  if (busy.length > 0) {
    // The gateway first and the database last, as a stop goes: the gateway hands its leases back through it.
    const left = stillRunning(options.stateDir).reverse();
    const listed = left.map(({ name, pid }) => `${name} (pid ${pid})`).join(", ");
    const pids = (which: typeof left) => which.map(({ pid }) => pid).join(" ");
    const services = left.filter(({ name }) => name !== "database");
    const store = left.filter(({ name }) => name === "database");
    const stopThem = [services, store].filter((group) => group.length > 0).map((group) => `kill ${pids(group)}`).join(", then ");
    const named = left.length === 0 ? "another make run?" : `an earlier run, stopped without stopping them, left ${listed}: ${stopThem}`;
    throw new Error(`port ${busy.join(", ")} already in use on 127.0.0.1 (${named}); nothing was started`);
  }
  let watching = false; // onUnexpectedExit applies between a successful start and stop()
  // A component (or the database) that dies after it came up but before the whole system has:
  // the start fails with it, rather than "up" being printed over half a system.
  let diedWhileStarting: string | undefined;
  /** An exit nobody asked for, of a component (or the database) that was up: reported once running, fails the start before. */
  const exited = (name: ComponentName | "database", code: number | null, signal: NodeJS.Signals | null) => {
    if (watching) options.onUnexpectedExit?.(name, code, signal);
    else diedWhileStarting ??= `${name} exited (${code ?? signal ?? "?"}) while the system was starting`;
  };
  let database: EmbeddedDatabase | undefined;
  let mongodbUri = options.mongodbUri ?? "";
  const dataDir = path.join(options.stateDir, "db");
  const startDatabase = () => startEmbeddedDatabase({
    dataDir, port: ports.database, detached: options.ownProcessGroups === true,
    onCrash: (code, signal) => { exited("database", code, signal); },
  });
  if (mongodbUri === "") {
    database = await startDatabase();
    mongodbUri = database.uri;
  }

  const databaseName = options.databaseName ?? "gerbang";
  const base = { ...options.commonEnv, MONGODB_URI: mongodbUri, MONGODB_DATABASE: databaseName, PORTS_JSON: JSON.stringify(ports) };
  const stdio = options.stdio ?? "ignore";
  if (options.persistentBanks === true) mkdirSync(options.stateDir, { recursive: true }); // with MONGODB_URI nothing else makes it
  const all = components(ports, base, options.persistentBanks === true ? path.resolve(options.stateDir) : undefined).filter((c) => !(options.skip ?? []).includes(c.name) && existsSync(path.join(repoRoot, c.script)));
  for (const c of all) Object.assign(c.env, options.env?.[c.name] ?? {});
  const backstopMs = stopBackstopMs({ ...process.env, ...all.find((c) => c.name === "gateway")?.env });
  const children = new Map<ComponentName, ChildProcess>();
  const asked = new WeakSet<ChildProcess>(); // children told to stop: their exit is expected
  let bundles: ReturnType<typeof buildBundles> | undefined;
  const stopNamed = async (name: ComponentName, signal: NodeJS.Signals) => {
    const child = children.get(name);
    if (child === undefined) return;
    asked.add(child);
    // Each service ends by itself within its own shutdown budget, handing its leases back; killed sooner, it could not.
    await stopChild(child, signal, backstopMs);
  };
  // Which processes run, in stateDir: a run killed too hard to stop them leaves them listed (stillRunning).
  const listPids = () => {
    const pids: Record<string, number> = {};
    if (database?.pid !== undefined) pids.database = database.pid;
    for (const [name, child] of children) if (child.pid !== undefined) pids[name] = child.pid;
    mkdirSync(options.stateDir, { recursive: true });
    writeFileSync(pidsFile(options.stateDir), `${JSON.stringify(pids)}\n`);
  };
  const stopAll = async () => {
    watching = false;
    for (const c of [...all].reverse()) await stopNamed(c.name, "SIGTERM");
    await database?.stop();
    rmSync(pidsFile(options.stateDir), { force: true });
    if (bundles !== undefined) rmSync(bundles.dir, { recursive: true, force: true });
  };
  const launch = async (c: Component) => {
    const script = bundles?.scripts.get(c.script) ?? path.join(repoRoot, c.script);
    const heap = c.name.startsWith("sandbox-") ? [] : SERVICE_HEAP_FLAGS;
    const gc = c.name === "gateway" ? GATEWAY_GC_FLAGS : [];
    const child = spawnTs(script, c.args, c.env, stdio, [...heap, ...gc, ...(options.nodeArgs?.[c.name] ?? [])], options.ownProcessGroups === true);
    children.set(c.name, child);
    listPids();
    let listening = false;
    // While the system starts, one that never listened is waitForPort's to report.
    child.once("exit", (code, signal) => { if (!asked.has(child) && (watching || listening)) exited(c.name, code, signal); });
    const up = waitForPort(c.port, child, c.name, child.stderrTail);
    // A stop asked for while it starts (make run's Ctrl-C, which no longer reaches a component in a
    // group of its own) acts at once, not once a component that hangs has run out its start time.
    await (options.signal === undefined ? up : raceSignal(up, options.signal, `stopped while ${c.name} was starting`));
    listening = true;
  };
  try {
    listPids();
    options.signal?.throwIfAborted();
    await runToEnd(path.join(repoRoot, "scripts/seed.ts"), ["--if-empty"], base, stdio);
    bundles = options.compiled === true ? buildBundles(all.map((c) => c.script)) : undefined;
    // Sandboxes first, then bank services, then the gateway: each layer needs the one below.
    for (const layer of ["sandbox-", "bank-", "gateway"]) {
      options.signal?.throwIfAborted();
      const launched = await Promise.allSettled(all.filter((c) => c.name.startsWith(layer)).map(launch));
      // A component that came up and died first: what failed after it may have failed for it.
      if (diedWhileStarting !== undefined) throw new Error(diedWhileStarting);
      throwFirstFailure(launched);
    }
    options.signal?.throwIfAborted();
  } catch (error) {
    // A component that cannot start must not leave the others (and the database) running behind it.
    await stopAll();
    throw error;
  }
  const byName = (name: ComponentName) => {
    const c = all.find((x) => x.name === name);
    if (c === undefined) throw new Error(`${name} is not part of this system`);
    return c;
  };
  watching = true;
  return {
    ports, mongodbUri, databaseName,
    started: all.map((c) => c.name),
    kill: (name) => stopNamed(name, "SIGKILL"),
    stopComponent: (name) => stopNamed(name, "SIGTERM"),
    restart: async (name) => { await stopNamed(name, "SIGTERM"); await launch(byName(name)); },
    restartDatabase: async (downMs = 0) => {
      if (database === undefined) throw new Error("the database is external (MONGODB_URI); it cannot be restarted from here");
      await database.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      database = await startDatabase();
      listPids();
    },
    pid: (name) => (name === "database" ? database?.pid : children.get(name)?.pid),
    stop: stopAll,
  };
}

const pidsFile = (stateDir: string) => path.join(stateDir, "pids.json");

/**
 * The processes a system in `stateDir` listed and never stopped (make run killed with SIGKILL:
 * its components, in process groups of their own, run on) that are still alive. A pid the system
 * reused since may name another process: the list is for a person to check, never killed here.
 */
export function stillRunning(stateDir: string): { name: string; pid: number }[] {
  let listed: Record<string, unknown>;
  try {
    listed = JSON.parse(readFileSync(pidsFile(stateDir), "utf8")) as Record<string, unknown>;
  } catch {
    return []; // none listed (stopped cleanly, or never started here)
  }
  return Object.entries(listed).flatMap(([name, pid]) => (typeof pid === "number" && isAlive(pid) ? [{ name, pid }] : []));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/** The ports of `ports` on which something on loopback already accepts connections. */
export async function busyPorts(ports: number[]): Promise<number[]> {
  const open = await Promise.all(ports.map(isListening));
  return ports.filter((_, i) => open[i]);
}

/** Waits for every launch of a layer (so none is still starting when the others are stopped), then fails with the first failure. */
function throwFirstFailure(results: PromiseSettledResult<void>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

function runToEnd(script: string, args: string[], env: Record<string, string>, stdio: "inherit" | "ignore"): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!existsSync(script)) { resolve(); return; }
    const child = spawnTs(script, args, env, stdio);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(script)} exited with ${code}\n${child.stderrTail()}`));
    });
  });
}
