import { spawn } from "node:child_process";
import path from "node:path";
import { connectDatabase, freePort, repoRoot } from "@gerbang/shared";
import { startSystem, type RunningSystem } from "../scripts/system";
import { bankServiceSender, bniSandboxRequest, gatewayGrpcSender, httpSender, restTransfer, type AppClient } from "./clients";
import { sampleMemory } from "./memory";
import { ledgerCounters, ledgerShare } from "./ledger-share";
import { machineFacts, writeReport, type BenchReport } from "./report";
import { runScenario, type RunPlan, type Scenario, type ScenarioResult } from "./scenarios";

/**
 * `make bench`: starts the system on loopback (embedded database, sandboxes, bank services,
 * gateway) plus a bare node:http server, drives each scenario closed-loop and open-loop, and
 * writes bench/results/<time>.json and .md. Not part of the tests. Knobs (env):
 * BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONCURRENCY ("1,16,64"),
 * BENCH_OPEN_SHARE (0.7 of the best closed-loop throughput), BENCH_ONLY (comma list of scenarios).
 */
const plan: RunPlan = {
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3),
  concurrency: (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number),
  openLoopShare: Number(process.env.BENCH_OPEN_SHARE ?? 0.7),
};
const only = process.env.BENCH_ONLY?.split(",");
const AUDIENCE = "gerbang";
const LOCAL_CLIENT_ID = "3";

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const ceilingPort = await freePort();
  const ceiling = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "bench/ceiling-server.ts"), String(ceilingPort)], { cwd: repoRoot, stdio: "ignore" });
  const system = await startSystem({
    stateDir: path.join(repoRoot, ".state/bench"),
    fixedPorts: false,
    databaseName: `bench_${Date.now()}`,
    stdio: "ignore",
    commonEnv: { LOG_LEVEL: "warn" },
  });
  try {
    const client = await localClient(system);
    const bniKey = await partnerKey(system, "009");
    const pids: Record<string, number | undefined> = {
      gateway: system.pid("gateway"), "bank-bni": system.pid("bank-bni"), "sandbox-bni": system.pid("sandbox-bni"),
      database: system.pid("database"), ceiling: ceiling.pid, "load-generator": process.pid,
    };
    const measureMemory = (names: string[]) => sampleMemory(Object.fromEntries(names.map((n) => [n, pids[n]])));
    const scenarios = await buildScenarios(system, client, bniKey, ceilingPort);
    const results: ScenarioResult[] = [];
    const ledger: BenchReport["ledger"] = {};
    for (const scenario of scenarios.filter((s) => only === undefined || only.includes(s.name))) {
      console.log(`> ${scenario.name}: ${scenario.description}`);
      const before = scenario.name.startsWith("gateway") ? await ledgerCounters(system) : undefined;
      const runs = await runScenario(scenario, plan, measureMemory);
      if (before !== undefined) ledger[scenario.name] = ledgerShare(before, await ledgerCounters(system));
      for (const r of runs) {
        const load = r.mode === "closed" ? `concurrency ${r.concurrency}` : `${r.rate} req/s offered`;
        console.log(`  ${r.mode} ${load}: ${r.result.throughput} req/s, p50 ${r.result.p50} ms, p99 ${r.result.p99} ms, errors ${r.result.errors}`);
      }
      results.push(...runs);
    }
    const report: BenchReport = { startedAt, machine: machineFacts(), plan: { ...plan }, results, ledger, ratios: ratios(results, ledger) };
    const file = writeReport(report);
    console.log(`\n${JSON.stringify(report.ratios, null, 2)}\nWritten: ${path.relative(repoRoot, file)} (and .json)`);
  } finally {
    ceiling.kill("SIGTERM");
    await system.stop();
  }
}

async function buildScenarios(system: RunningSystem, client: AppClient, bniKey: string, ceilingPort: number): Promise<Scenario[]> {
  const p = system.ports;
  const gatewayOrigin = `http://127.0.0.1:${p.gatewayHttp}`;
  const sandboxOrigin = `http://127.0.0.1:${p.sandboxBni}`;
  const bni = await bniSandboxRequest(sandboxOrigin);
  const rest = () => restTransfer(client, AUDIENCE);
  const forged = { authorization: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzIn0.forged-signature", "content-type": "application/json" };
  const rejectBody = JSON.stringify({ clientReferenceNo: "rejected", beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", amount: "10000" });
  const bank = bankServiceSender(`127.0.0.1:${p.bankBni}`, bniKey);
  const gatewayGrpc = gatewayGrpcSender(`127.0.0.1:${p.gatewayGrpc}`, client, AUDIENCE);
  return [
    {
      name: "node-http-ceiling", description: "bare node:http answering a fixed JSON (the ceiling of any Node server here)",
      closed: { kind: "http", target: { url: `http://127.0.0.1:${ceilingPort}/`, method: "GET", expectStatus: 200 } },
      open: httpSender(`http://127.0.0.1:${ceilingPort}/`, "GET", () => ({}), 200).send, processes: ["ceiling", "load-generator"],
    },
    {
      name: "sandbox-direct", description: "BNI sandbox over HTTP, p2pl transfer with token and JWT signature (the floor of any bank call)",
      closed: { kind: "http", target: { url: `${sandboxOrigin}/p2pl/payment/transfer`, method: "POST", request: bni, expectStatus: 200 } },
      open: httpSender(sandboxOrigin, "POST", bni, 200).send, processes: ["sandbox-bni", "load-generator"],
    },
    {
      name: "bank-service-grpc", description: "BNI bank service over gRPC (service JWT, registry, p2pl call to the sandbox)",
      closed: { kind: "grpc", send: bank.send }, open: bank.send, processes: ["bank-bni", "sandbox-bni", "database", "load-generator"],
    },
    {
      name: "gateway-rest", description: "gateway over REST, full path: app JWT, IP, routing, ledger, bank service, sandbox",
      closed: { kind: "http", target: { url: `${gatewayOrigin}/api/v1/transfers`, method: "POST", request: rest, expectStatus: 200 } },
      open: httpSender(gatewayOrigin, "POST", () => ({ path: "/api/v1/transfers", ...rest() }), 200).send,
      processes: ["gateway", "bank-bni", "sandbox-bni", "database", "load-generator"],
    },
    {
      name: "gateway-grpc", description: "gateway over gRPC (h2c), same full path",
      closed: { kind: "grpc", send: gatewayGrpc.send }, open: gatewayGrpc.send,
      processes: ["gateway", "bank-bni", "sandbox-bni", "database", "load-generator"],
    },
    {
      name: "rejection-rest", description: "gateway over REST with a forged token: refused 401 before anything is recorded",
      closed: { kind: "http", target: { url: `${gatewayOrigin}/api/v1/transfers`, method: "POST", request: () => ({ headers: forged, body: rejectBody }), expectStatus: 401 } },
      open: httpSender(gatewayOrigin, "POST", () => ({ path: "/api/v1/transfers", headers: forged, body: rejectBody }), 401).send,
      processes: ["gateway", "load-generator"],
    },
  ];
}

function ratios(results: ScenarioResult[], ledger: BenchReport["ledger"]): BenchReport["ratios"] {
  const open = (name: string) => results.find((r) => r.name === name && r.mode === "open")?.result;
  const bestThroughput = (name: string) => Math.max(0, ...results.filter((r) => r.name === name && r.mode === "closed").map((r) => r.result.throughput));
  const c1 = (name: string) => results.find((r) => r.name === name && r.concurrency === 1)?.result;
  const out: BenchReport["ratios"] = {};
  const sandbox1 = c1("sandbox-direct");
  const rest1 = c1("gateway-rest");
  const grpc1 = c1("gateway-grpc");
  const bank1 = c1("bank-service-grpc");
  if (sandbox1 && bank1) out["bank service adds, p50 ms at concurrency 1"] = round(bank1.p50 - sandbox1.p50);
  if (sandbox1 && grpc1) {
    out["full path (gRPC) adds over direct sandbox, p50 ms at concurrency 1"] = round(grpc1.p50 - sandbox1.p50);
    const db = ledger["gateway-grpc"]?.dbMsPerTransfer;
    if (db !== undefined) out["mesh adds without the database (gRPC), p50 ms at concurrency 1"] = round(grpc1.p50 - sandbox1.p50 - db);
  }
  if (sandbox1 && rest1) out["full path (REST) adds over direct sandbox, p50 ms at concurrency 1"] = round(rest1.p50 - sandbox1.p50);
  const restMax = bestThroughput("gateway-rest");
  if (restMax > 0) out["gRPC / REST max throughput"] = round(bestThroughput("gateway-grpc") / restMax);
  out["rejection path max req/s"] = bestThroughput("rejection-rest");
  out["full path gRPC max transfers/s"] = bestThroughput("gateway-grpc");
  const grpcOpen = open("gateway-grpc");
  if (grpcOpen) out["full path gRPC open-loop p99 ms"] = grpcOpen.p99;
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;

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

async function partnerKey(system: RunningSystem, bankCode: string): Promise<string> {
  const connection = await connectDatabase({ uri: system.mongodbUri, dbName: system.databaseName });
  try {
    const doc = await connection.collection("partners").findOne({ bankCode });
    if (doc === null || typeof doc.keyToken !== "string") throw new Error(`the seed did not create partner ${bankCode}`);
    return doc.keyToken;
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
