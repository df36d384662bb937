import os from "node:os";
import type { BenchReport } from "./report";
import { bestClosedRun, type ScenarioResult } from "./scenarios";

/**
 * The ratios the issue asks for, computed from one report's runs. Latency comparisons use the
 * concurrency-1 runs (no queueing anywhere), and the database share of that same run, so the
 * "without the database" figure subtracts time measured under the same load.
 */
export function ratios(results: ScenarioResult[], dbCeiling: BenchReport["dbCeiling"]): BenchReport["ratios"] {
  const closed = (name: string) => results.filter((r) => r.name === name && r.mode === "closed");
  const best = (name: string) => bestClosedRun(results, name)?.result.throughput ?? 0;
  // A latency over some of the answers (or over none: 0) is no figure of the path: a c=1 run with
  // errors gives no latency ratio, and the ratios name the runs left out.
  const faulty = results.filter((r) => r.mode === "closed" && r.concurrency === 1 && (r.result.errors > 0 || r.result.requests === 0));
  const c1 = (name: string) => closed(name).find((r) => r.concurrency === 1 && !faulty.includes(r));
  const open = (name: string) => results.find((r) => r.name === name && r.mode === "open");
  const out: BenchReport["ratios"] = {};
  if (faulty.length > 0) out["latency ratios left out: c=1 runs with errors"] = faulty.map((r) => `${r.name} (${r.result.errors} of ${r.result.requests})`).join(", ");
  const sandboxRun = c1("sandbox-direct");
  Object.assign(out, hopRatios(sandboxRun?.result.p50, c1("bank-service-grpc")?.result.p50, c1("grpc-ceiling")?.result.p50, c1("connect-grpc-ceiling")?.result.p50));
  for (const transport of ["grpc", "rest"] as const) {
    const run = c1(`gateway-${transport}`);
    if (sandboxRun !== undefined && run !== undefined) Object.assign(out, fullPathRatios(transport === "grpc" ? "gRPC" : "REST", run, sandboxRun));
  }
  const restMax = best("gateway-rest");
  if (restMax > 0) out["gRPC / REST max throughput"] = round(best("gateway-grpc") / restMax);
  const rest1 = c1("gateway-rest")?.result;
  const grpc1 = c1("gateway-grpc")?.result;
  if (rest1 && grpc1 && rest1.p50 > 0) out["gRPC / REST p50 latency (c=1)"] = round(grpc1.p50 / rest1.p50);
  const ceiling = best("node-http-ceiling");
  if (ceiling > 0) out["rejection path / node:http ceiling, max throughput"] = round(best("rejection-rest") / ceiling);
  out["rejection path max req/s"] = best("rejection-rest");
  out["full path gRPC max transfers/s"] = best("gateway-grpc");
  out["full path REST max transfers/s"] = best("gateway-rest");
  const grpcOpen = open("gateway-grpc");
  if (grpcOpen?.rate !== undefined) out[`full path gRPC open loop at ${grpcOpen.rate}/s: p99 ms`] = grpcOpen.result.p99;
  const dbBest = Math.max(0, ...dbCeiling.filter((d) => d.concurrency !== undefined).map((d) => d.transfersPerSecond));
  if (dbBest > 0) {
    out["database alone: ledger write sets/s (best)"] = dbBest;
    out["full path gRPC / database alone, max throughput"] = round(best("gateway-grpc") / dbBest);
  }
  const targetRuns = results.filter((r) => r.name === "gateway-grpc" && r.mode === "open" && r !== grpcOpen);
  return { ...out, ...targetRatios(targetRuns, bestClosedRun(results, "gateway-grpc"), dbCeiling) };
}

/**
 * The throughput target (500 transfers/s over gRPC, p99 under 50 ms) judged where it is stated:
 * that rate offered to the full path, what was delivered and its p99. Then what limits it, each
 * from its own measurement: the latency the database alone gives at that rate (a floor under the
 * full path's), and the CPU the full path needs for that rate at its best run's cost per transfer.
 */
function targetRatios(targetRuns: ScenarioResult[], grpcBest: ScenarioResult | undefined, dbCeiling: BenchReport["dbCeiling"]): BenchReport["ratios"] {
  const out: BenchReport["ratios"] = {};
  for (const run of targetRuns) {
    if (run.rate === undefined) continue;
    out[`full path gRPC offered ${run.rate}/s (the target): delivered/s, p99 ms, errors`] = `${run.result.throughput}, ${run.result.p99}, ${run.result.errors}`;
    if (grpcBest !== undefined) out[`full path gRPC at ${run.rate}/s needs CPU cores, of ${os.cpus().length} (every process, load generator included)`] = cpuCores(grpcBest, run.rate);
  }
  for (const d of dbCeiling.filter((r) => r.rate !== undefined)) {
    out[`database alone offered ${d.rate}/s (the target's rate): delivered/s, p99 ms, errors`] = `${d.transfersPerSecond}, ${d.latency.p99}, ${d.latency.errors}`;
  }
  return out;
}

/** Cores the run's CPU per request would take at `rate` requests per second, summed over every process. */
function cpuCores(run: ScenarioResult, rate: number): number {
  const micros = Object.values(run.cpuMicrosPerRequest).reduce((sum, us) => sum + us, 0);
  return round((micros * rate) / 1e6);
}

/**
 * What the bank service hop adds over the sandbox, and the floors with no work behind them: one
 * grpc-js hop (under every gRPC hop of the mesh) and one Connect gRPC call (under the gRPC edge).
 */
function hopRatios(sandboxP50: number | undefined, bankP50: number | undefined, grpcFloorP50: number | undefined, edgeFloorP50: number | undefined): BenchReport["ratios"] {
  const out: BenchReport["ratios"] = {};
  if (sandboxP50 !== undefined && bankP50 !== undefined) out["bank service adds over direct sandbox, p50 ms (c=1)"] = round(bankP50 - sandboxP50);
  if (grpcFloorP50 !== undefined) out["one grpc-js hop, nothing behind it, p50 ms (c=1)"] = grpcFloorP50;
  if (edgeFloorP50 !== undefined) out["one Connect gRPC call (the edge's transport), nothing behind it, p50 ms (c=1)"] = edgeFloorP50;
  return out;
}

/**
 * Latency the full path adds over the sandbox at concurrency 1, and the ledger's share of it. The
 * database time is a mean (the gateway's /metrics sums it), so "mesh adds without the database"
 * is given twice: from the medians, the target's own terms, where subtracting a mean that fsync
 * outliers pull above the median flatters the mesh; and from the means, which subtract exactly.
 */
function fullPathRatios(label: string, run: ScenarioResult, sandbox: ScenarioResult): BenchReport["ratios"] {
  const out: BenchReport["ratios"] = { [`full path (${label}) adds over direct sandbox, p50 ms (c=1)`]: round(run.result.p50 - sandbox.result.p50) };
  if (run.ledger === undefined) return out;
  out[`ledger share (${label}, c=1): DB round trips per transfer`] = run.ledger.roundTripsPerTransfer;
  out[`ledger share (${label}, c=1): DB ms per transfer`] = run.ledger.dbMsPerTransfer;
  out[`ledger share (${label}, c=1): DB share of p50 latency %`] = run.result.p50 > 0 ? Math.round((run.ledger.dbMsPerTransfer / run.result.p50) * 100) : 0;
  out[`mesh adds without the database (${label}), p50 ms (c=1)`] = round(run.result.p50 - sandbox.result.p50 - run.ledger.dbMsPerTransfer);
  out[`mesh adds without the database (${label}), from means, ms (c=1)`] = round(run.result.mean - sandbox.result.mean - run.ledger.dbMsPerTransfer);
  out[`gateway's own time without DB and bank call (${label}), p50 ms (c=1)`] = round(run.result.p50 - run.ledger.dbMsPerTransfer - run.ledger.bankCallMsPerTransfer);
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;
