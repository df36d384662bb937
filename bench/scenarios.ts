import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LoadResult } from "./load/stats";
import { autocannonLoad, type HttpTarget } from "./load/autocannon";
import { closedLoop, openLoop, type AnswerSample, type Send } from "./load/drivers";
import type { ProcessUsage } from "./memory";
import type { LedgerShare } from "./report";

/**
 * A scenario is one path through the system, driven closed-loop at several concurrency levels
 * (maximum throughput) and then open-loop at a fixed arrival rate (honest latency under load).
 */
export interface Scenario {
  name: string;
  description: string;
  /** Closed-loop HTTP scenarios run through autocannon; gRPC ones through the closed-loop driver. */
  closed: { kind: "http"; target: HttpTarget } | { kind: "grpc"; send: Send };
  /** The open-loop sender (HTTP on a keep-alive agent, or the gRPC client). */
  open: Send;
  /** Processes on this scenario's path (the report shows every process; these are the ones that work). */
  processes: string[];
  /** Starts counting the gateway's database round trips; the returned function reads the share of the run. */
  ledger?: () => Promise<() => Promise<LedgerShare>>;
  /** Also run the open loop at this fixed rate (the full path: the throughput target, judged at its rate, p99 included). */
  targetRate?: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  mode: "closed" | "open";
  /** Connections or workers (closed loop). */
  concurrency?: number;
  /** Requests per second offered (open loop). */
  rate?: number;
  result: LoadResult;
  /** Processes on the scenario's path. */
  processes: string[];
  /** Peak RSS of every process during this run, MB. */
  peakRssMb: Record<string, number>;
  /** CPU time of every process per request answered during this run, µs (robust to other load on the machine). */
  cpuMicrosPerRequest: Record<string, number>;
  /** Database round trips and time per successful transfer during this run (gateway scenarios). */
  ledger?: LedgerShare;
}

/** A scenario's highest-throughput closed-loop run: the one the CPU table shows, and the maximum the ratios quote. */
export function bestClosedRun(results: readonly ScenarioResult[], name: string): ScenarioResult | undefined {
  return results.filter((r) => r.name === name && r.mode === "closed").sort((a, b) => b.result.throughput - a.result.throughput)[0];
}

export interface RunPlan {
  warmupSeconds: number;
  seconds: number;
  concurrency: number[];
  /** Open-loop rate as a share of the best closed-loop throughput. */
  openLoopShare: number;
  /** Highest rate the open-loop driver is asked to offer (what one driver process holds on this machine). */
  openLoopMax: number;
  /** A folder: each open-loop run writes every answer's due time and latency to <scenario>-open.csv there. */
  traceDir?: string;
}

const SETTLE_MS = 2000;

export async function runScenario(
  scenario: Scenario,
  plan: RunPlan,
  measureMemory: () => { finish(): ProcessUsage },
): Promise<ScenarioResult[]> {
  const closed = (concurrency: number, seconds: number) =>
    scenario.closed.kind === "http"
      ? autocannonLoad(scenario.closed.target, concurrency, seconds)
      : closedLoop(scenario.closed.send, concurrency, seconds);
  const measured = async (mode: ScenarioResult["mode"], load: () => Promise<LoadResult>, extra: Pick<ScenarioResult, "concurrency" | "rate">): Promise<ScenarioResult> => {
    // autocannon stops at its deadline without waiting for the answers in flight (up to 64
    // transfers): they must land before this run's counters and clocks start, not in them.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    // The ledger counters are read before CPU sampling starts: a scrape of the gateway's /metrics
    // counts unresolved transfers, which on FerretDB is a scan of the whole ledger.
    const ledgerOf = await scenario.ledger?.();
    const memory = measureMemory();
    const result = await load();
    const { peakRssMb, cpuMs } = memory.finish();
    const ledger = await ledgerOf?.();
    const answered = Math.max(1, result.requests);
    const cpuMicrosPerRequest = Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, Math.round((ms * 1000) / answered)]));
    return { name: scenario.name, description: scenario.description, mode, ...extra, result, processes: scenario.processes, peakRssMb, cpuMicrosPerRequest, ...(ledger === undefined ? {} : { ledger }) };
  };
  // JIT, pools, token caches; the settle before each measured run also lets the database finish
  // what the warm-up queued (WAL checkpoints).
  await closed(Math.max(...plan.concurrency), plan.warmupSeconds);
  const results: ScenarioResult[] = [];
  for (const concurrency of plan.concurrency) {
    results.push(await measured("closed", () => closed(concurrency, plan.seconds), { concurrency }));
  }
  const best = Math.max(...results.map((r) => r.result.throughput));
  const rate = Math.max(1, Math.min(plan.openLoopMax, Math.floor(best * plan.openLoopShare)));
  const samples: AnswerSample[] = [];
  const onAnswer = plan.traceDir === undefined ? undefined : (sample: AnswerSample) => { samples.push(sample); };
  results.push(await measured("open", () => openLoop(scenario.open, rate, plan.seconds, { onAnswer }), { rate }));
  if (plan.traceDir !== undefined) writeTrace(path.join(plan.traceDir, `${scenario.name}-open.csv`), samples);
  if (scenario.targetRate !== undefined && scenario.targetRate !== rate) {
    const target = scenario.targetRate;
    results.push(await measured("open", () => openLoop(scenario.open, target, plan.seconds), { rate: target }));
  }
  return results;
}

/** One line per answer, in the order they were due: wall-clock ms (the clock of bench/gc-log.mjs), latency ms, expected answer. */
function writeTrace(file: string, samples: AnswerSample[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = samples.toSorted((a, b) => a.dueAt - b.dueAt).map((s) => `${s.dueAt.toFixed(1)},${s.latencyMs.toFixed(2)},${s.ok ? 1 : 0}`);
  writeFileSync(file, `due_epoch_ms,latency_ms,ok\n${lines.join("\n")}\n`);
}
