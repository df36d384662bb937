import type { LoadResult } from "./load/stats";
import { autocannonLoad, type HttpTarget } from "./load/autocannon";
import { closedLoop, openLoop, type Send } from "./load/drivers";

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
  /** Processes whose peak RSS matters for this scenario. */
  processes: string[];
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
  peakRssMb: Record<string, number>;
}

export interface RunPlan {
  warmupSeconds: number;
  seconds: number;
  concurrency: number[];
  /** Open-loop rate as a share of the best closed-loop throughput. */
  openLoopShare: number;
}

export async function runScenario(
  scenario: Scenario,
  plan: RunPlan,
  measureMemory: (names: string[]) => { stop(): Record<string, number> },
): Promise<ScenarioResult[]> {
  const closed = (concurrency: number, seconds: number) =>
    scenario.closed.kind === "http"
      ? autocannonLoad(scenario.closed.target, concurrency, seconds)
      : closedLoop(scenario.closed.send, concurrency, seconds);
  await closed(Math.max(...plan.concurrency), plan.warmupSeconds); // JIT, pools, token caches
  const results: ScenarioResult[] = [];
  for (const concurrency of plan.concurrency) {
    const memory = measureMemory(scenario.processes);
    const result = await closed(concurrency, plan.seconds);
    results.push({ name: scenario.name, description: scenario.description, mode: "closed", concurrency, result, peakRssMb: memory.stop() });
  }
  const best = Math.max(...results.map((r) => r.result.throughput));
  const rate = Math.max(1, Math.floor(best * plan.openLoopShare));
  const memory = measureMemory(scenario.processes);
  const result = await openLoop(scenario.open, rate, plan.seconds);
  results.push({ name: scenario.name, description: scenario.description, mode: "open", rate, result, peakRssMb: memory.stop() });
  return results;
}
