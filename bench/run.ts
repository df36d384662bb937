import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { connectDatabase, freePort, repoRoot } from "@gerbang/shared";
import { createSandboxAdmin } from "@gerbang/shared/src/bank/testing";
import { startSystem, type ComponentName, type RunningSystem } from "../scripts/system";
import { bankServiceSender, bniBooked, bniSandboxRequest, gatewayGrpcSender, httpSender, httpStatus, partnerKey, restTransfer, transferSucceeded, type AppClient } from "./clients";
import { dbLoad, measureDbCeiling } from "./db-ceiling";
import { measureDbCommands } from "./db-commands";
import { ledgerProbe } from "./ledger-share";
import { sampleMemory } from "./memory";
import { ratios } from "./ratios";
import { loadAverage, machineFacts, writeReport, type BenchReport } from "./report";
import { runScenario, type RunPlan, type Scenario, type ScenarioResult } from "./scenarios";

/**
 * `make bench`: starts the system on loopback (embedded database, sandboxes, bank services,
 * gateway, from compiled bundles) plus a bare node:http server, measures the database alone,
 * drives each scenario closed-loop and open-loop, and writes bench/results/<time>.json and .md.
 * Not part of the tests. Knobs (env): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (10),
 * BENCH_CONCURRENCY ("1,16,64"), BENCH_OPEN_SHARE (0.5 of the best closed-loop throughput),
 * BENCH_OPEN_MAX (3000 req/s, what the open-loop driver holds), BENCH_ONLY (comma list of
 * scenarios), BENCH_DB_SECONDS (5; 0 skips the database-alone figures), BENCH_TSX=1 (services
 * through tsx's loader instead of bundles), BENCH_PROFILE=<dir> (CPU profiles of the services),
 * BENCH_NODE_ARGS (extra node flags for every service), BENCH_TRACE=<dir> (every open-loop answer's
 * due time and latency, as CSV), BENCH_TARGET_RATE (500: the full path's open loop also runs at this
 * rate, where the throughput target is judged; 0 skips it).
 */
const plan: RunPlan = {
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 10),
  concurrency: (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number),
  openLoopShare: Number(process.env.BENCH_OPEN_SHARE ?? 0.5),
  openLoopMax: Number(process.env.BENCH_OPEN_MAX ?? 3000),
  ...(process.env.BENCH_TRACE === undefined ? {} : { traceDir: path.resolve(process.env.BENCH_TRACE) }),
};
const only = process.env.BENCH_ONLY?.split(",");
const dbSeconds = Number(process.env.BENCH_DB_SECONDS ?? 5);
/** The throughput target (transfers/s over gRPC, p99 < 50 ms), offered as such to the full path. */
const targetRate = Number(process.env.BENCH_TARGET_RATE ?? 500);
/** Commands of each kind in the one-at-a-time database figure (~1-3 ms each). */
const DB_COMMANDS_EACH = 1000;
const compiled = process.env.BENCH_TSX !== "1";
const profileDir = process.env.BENCH_PROFILE;
const AUDIENCE = "gerbang";
const LOCAL_CLIENT_ID = "3";
const PROFILED: ComponentName[] = ["gateway", "bank-bni", "sandbox-bni"];
const SERVICES: ComponentName[] = ["gateway", "bank-bni", "bank-bca", "bank-mandiri", "sandbox-bni", "sandbox-bca", "sandbox-mandiri"];
/** Extra node flags for every service (e.g. "--max-semi-space-size=4"), to try memory settings. */
const extraNodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");

/** The ceiling server's listeners: node:http, grpc-js, and Connect on h2c (bench/ceiling-server.ts). */
type CeilingPorts = Record<"http" | "grpc" | "connect", number>;

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = machineFacts();
  const ceilingPorts: CeilingPorts = { http: await freePort(), grpc: await freePort(), connect: await freePort() };
  const ceiling = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "bench/ceiling-server.ts"), String(ceilingPorts.http), String(ceilingPorts.grpc), String(ceilingPorts.connect)], { cwd: repoRoot, stdio: "ignore" });
  // Set from callbacks (signals, exits) while main awaits: read through the object, as of now.
  const lifecycle = { stopping: false, aborting: false };
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  // Each run starts from an empty database: the figures must not depend on earlier runs' ledgers
  // (the resolver's scans grow with them), and old runs must not pile up on disk.
  const stateDir = path.join(repoRoot, ".state/bench");
  rmSync(stateDir, { recursive: true, force: true });
  const system = await startSystem({
    stateDir,
    fixedPorts: false,
    databaseName: "bench",
    stdio: "ignore",
    commonEnv: { LOG_LEVEL: "warn" },
    compiled,
    nodeArgs: Object.fromEntries(SERVICES.map((name) => [name, [
      ...extraNodeArgs,
      ...(name === "sandbox-bni" ? ["--expose-gc"] : []), // its reset before each scenario hands the emptied books' heap back (sandbox/src/core/admin.ts)
      ...(profileDir !== undefined && PROFILED.includes(name) ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
    ]])),
    // A service that dies mid-run (its heap budget, a crash) would turn every later figure into
    // errors against half a system: stop, and say which one.
    onUnexpectedExit: (name, code, signal) => { abort(`${name} exited unexpectedly (${code ?? signal ?? "?"}) during the benchmark`); },
  }).catch((error: unknown) => {
    ceiling.kill("SIGTERM"); // startSystem has stopped what it started
    throw error;
  });
  // Interrupted (Ctrl-C, or a SIGTERM to this process alone), stop the system rather than leave it running.
  const abort = (why: string) => {
    if (lifecycle.aborting) return; // a Ctrl-C reaches every process of the terminal: their exits follow it
    lifecycle.aborting = true;
    console.error(`${why}: stopping the system, no results written`);
    ceiling.kill("SIGTERM");
    void system.stop().finally(() => process.exit(1));
  };
  process.once("SIGINT", () => { abort("SIGINT"); });
  process.once("SIGTERM", () => { abort("SIGTERM"); });
  // The ceiling server is measured too: dead, its floors would read as errors or nothing.
  ceiling.once("exit", (code, signal) => { if (!lifecycle.stopping) abort(`the ceiling server exited unexpectedly (${code ?? signal ?? "?"})`); });
  try {
    const client = await localClient(system);
    const bniKey = await partnerKey(system, "009");
    const pids: Record<string, number | undefined> = {
      gateway: system.pid("gateway"), "bank-bni": system.pid("bank-bni"), "sandbox-bni": system.pid("sandbox-bni"),
      "bank-bca": system.pid("bank-bca"), "sandbox-bca": system.pid("sandbox-bca"),
      "bank-mandiri": system.pid("bank-mandiri"), "sandbox-mandiri": system.pid("sandbox-mandiri"),
      database: system.pid("database"), ceiling: ceiling.pid, "load-generator": process.pid,
    };
    const measureMemory = () => sampleMemory(pids);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let start-up garbage settle
    const idleRssMb = measureMemory().finish().peakRssMb;
    console.log(`idle RSS (MB): ${JSON.stringify(idleRssMb)}`);
    const dbCeiling = dbSeconds > 0 ? await measureDbCeiling(system.mongodbUri, `${system.databaseName}_alone`, { concurrencies: [1, 16], targetRate }, dbSeconds, system.pid("database")) : [];
    for (const d of dbCeiling) console.log(`> database alone, ${dbLoad(d)}: ${d.transfersPerSecond} ledger write sets/s, p50 ${d.latency.p50} ms, p99 ${d.latency.p99} ms, errors ${d.latency.errors}, database CPU ${d.dbCpuMicrosPerSet ?? "?"} µs per set`);
    const dbCommands = dbSeconds > 0 ? await measureDbCommands(system.mongodbUri, `${system.databaseName}_commands`, DB_COMMANDS_EACH, system.pid("database")) : [];
    for (const c of dbCommands) console.log(`> database, one command at a time: ${c.command}: database CPU ${c.dbCpuMicros ?? "?"} µs, p50 ${c.p50Ms} ms`);
    const scenarios = await buildScenarios(system, client, bniKey, ceilingPorts);
    const bniSandbox = createSandboxAdmin(`http://127.0.0.1:${system.ports.sandboxBni}`);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios.filter((s) => only === undefined || only.includes(s.name))) {
      console.log(`> ${scenario.name}: ${scenario.description}`);
      // Every scenario starts against an empty test bank. The sandbox keeps every booking in memory,
      // and sandbox-direct alone books ~300,000: carried into the full-path scenarios, that heap
      // (~450 MB) doubled the sandbox's CPU per transfer on the 2 cores they measure.
      await bniSandbox.reset();
      const runs = await runScenario(scenario, plan, measureMemory);
      for (const r of runs) console.log(describeRun(r));
      results.push(...runs);
    }
    // A component that died meanwhile has begun stopping the system: its figures would measure half of it.
    if (lifecycle.aborting) return;
    machine.loadAverage.end = loadAverage();
    const report: BenchReport = {
      startedAt, machine, plan: { ...plan }, runtime: compiled ? "compiled bundles on plain node" : "tsx loader",
      idleRssMb, dbCeiling, dbCommands, results, ratios: ratios(results, dbCeiling),
    };
    const file = writeReport(report);
    console.log(`\n${JSON.stringify(report.ratios, null, 2)}\nWritten: ${path.relative(repoRoot, file)} (and .json)`);
  } finally {
    lifecycle.stopping = true;
    ceiling.kill("SIGTERM");
    if (!lifecycle.aborting) await system.stop();
  }
}

/** One console line per run: load, throughput, latency, errors, and the ledger's figures. */
function describeRun(r: ScenarioResult): string {
  const load = r.mode === "closed" ? `concurrency ${r.concurrency}` : `${r.rate} req/s offered`;
  const wrong = r.result.unexpected === undefined ? "" : ` ${JSON.stringify(r.result.unexpected)}`;
  const db = r.ledger === undefined ? "" : `, DB ${r.ledger.roundTripsPerTransfer} trips ${r.ledger.dbMsPerTransfer} ms, bank call ${r.ledger.bankCallMsPerTransfer} ms per transfer`;
  return `  ${r.mode} ${load}: ${r.result.throughput} req/s, p50 ${r.result.p50} ms, p99 ${r.result.p99} ms, errors ${r.result.errors}${wrong}${db}`;
}

async function buildScenarios(system: RunningSystem, client: AppClient, bniKey: string, ceilingPorts: CeilingPorts): Promise<Scenario[]> {
  const p = system.ports;
  const gatewayOrigin = `http://127.0.0.1:${p.gatewayHttp}`;
  const sandboxOrigin = `http://127.0.0.1:${p.sandboxBni}`;
  const bni = await bniSandboxRequest(sandboxOrigin);
  const rest = () => restTransfer(client, AUDIENCE);
  const forged = { authorization: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzIn0.forged-signature", "content-type": "application/json" };
  const rejectBody = JSON.stringify({ clientReferenceNo: "rejected", beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", amount: "10000" });
  const bank = bankServiceSender(`127.0.0.1:${p.bankBni}`, bniKey);
  const grpcEcho = bankServiceSender(`127.0.0.1:${ceilingPorts.grpc}`, bniKey); // the same request as the bank service gets
  const gatewayGrpc = gatewayGrpcSender(`127.0.0.1:${p.gatewayGrpc}`, client, AUDIENCE);
  const connectEcho = gatewayGrpcSender(`127.0.0.1:${ceilingPorts.connect}`, client, AUDIENCE); // the same request as the gateway gets
  const ledger = ledgerProbe(system);
  const fullPath = ["gateway", "bank-bni", "sandbox-bni", "database", "load-generator"];
  const target = targetRate > 0 ? { targetRate } : {};
  return [
    {
      name: "node-http-ceiling", description: "bare node:http answering a fixed JSON (the ceiling of any Node server here)",
      closed: { kind: "http", target: { url: `http://127.0.0.1:${ceilingPorts.http}/`, method: "GET", judge: httpStatus(200) } },
      open: httpSender(`http://127.0.0.1:${ceilingPorts.http}/`, "GET", () => ({}), httpStatus(200)).send, processes: ["ceiling", "load-generator"],
    },
    {
      name: "grpc-ceiling", description: "bare grpc-js server of the bank contract answering SUCCESS at once (the floor of one gRPC hop)",
      closed: { kind: "grpc", send: grpcEcho.send }, open: grpcEcho.send, processes: ["ceiling", "load-generator"],
    },
    {
      name: "connect-grpc-ceiling", description: "bare Connect server on HTTP/2 answering the gateway's Transfer at once, called like the gateway (the floor of the gRPC edge)",
      closed: { kind: "grpc", send: connectEcho.send }, open: connectEcho.send, processes: ["ceiling", "load-generator"],
    },
    {
      name: "sandbox-direct", description: "BNI sandbox over HTTP, p2pl transfer with token and JWT signature (the floor of any bank call)",
      closed: { kind: "http", target: { url: `${sandboxOrigin}/p2pl/payment/transfer`, method: "POST", request: bni, judge: bniBooked } },
      open: httpSender(sandboxOrigin, "POST", bni, bniBooked).send, processes: ["sandbox-bni", "load-generator"],
    },
    {
      name: "bank-service-grpc", description: "BNI bank service over gRPC (service JWT, registry, p2pl call to the sandbox)",
      closed: { kind: "grpc", send: bank.send }, open: bank.send, processes: ["bank-bni", "sandbox-bni", "load-generator"],
    },
    {
      name: "gateway-rest", description: "gateway over REST, full path: app JWT, IP, routing, ledger, bank service, sandbox",
      closed: { kind: "http", target: { url: `${gatewayOrigin}/api/v1/transfers`, method: "POST", request: rest, judge: transferSucceeded } },
      open: httpSender(gatewayOrigin, "POST", () => ({ path: "/api/v1/transfers", ...rest() }), transferSucceeded).send, processes: fullPath, ledger, ...target,
    },
    {
      name: "gateway-grpc", description: "gateway over gRPC (h2c), same full path",
      closed: { kind: "grpc", send: gatewayGrpc.send }, open: gatewayGrpc.send, processes: fullPath, ledger, ...target,
    },
    {
      name: "rejection-rest", description: "gateway over REST with a forged token: refused 401 before anything is recorded",
      closed: { kind: "http", target: { url: `${gatewayOrigin}/api/v1/transfers`, method: "POST", request: () => ({ headers: forged, body: rejectBody }), judge: httpStatus(401) } },
      open: httpSender(gatewayOrigin, "POST", () => ({ path: "/api/v1/transfers", headers: forged, body: rejectBody }), httpStatus(401)).send,
      processes: ["gateway", "load-generator"],
    },
  ];
}

async function localClient(system: RunningSystem): Promise<AppClient> {
  const connection = await connectDatabase({ uri: system.mongodbUri, dbName: system.databaseName });
  try {
    const doc = await connection.collection("clients").findOne({ clientId: LOCAL_CLIENT_ID });
    if (doc === null || typeof doc.keyToken !== "string") throw new Error("the seed did not create the local client");
    return { id: LOCAL_CLIENT_ID, keyToken: doc.keyToken };
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
