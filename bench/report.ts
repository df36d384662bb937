import { execSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import { dbLoad, type DbCeiling } from "./db-ceiling";
import type { DbCommandCost } from "./db-commands";
import { bestClosedRun, type ScenarioResult } from "./scenarios";

/** The gateway's database work during one run, from its /metrics (bench/ledger-share.ts). */
export interface LedgerShare {
  /** Transfers answered "000" during the run. */
  transfers: number;
  /** Request-path round trips (jti insert, transfer insert, conditional update) per transfer. */
  roundTripsPerTransfer: number;
  /** Time in those round trips per transfer, ms (as the driver sees it: queueing included). */
  dbMsPerTransfer: number;
  /** Time the gateway waited for the bank service per transfer, ms (gerbang_gateway_bank_call_seconds). */
  bankCallMsPerTransfer: number;
  /** Other commands during the run: resolver scans, registry reloads, purge, metrics counts. */
  backgroundRoundTrips: number;
  /** Time in those per second of the run, ms. */
  backgroundDbMsPerSecond: number;
}

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  commit: string;
  /** 1-minute load average when the run started and when it ended (other work on the machine). */
  loadAverage: { start: number; end?: number };
}

export interface BenchReport {
  startedAt: string;
  machine: MachineFacts;
  plan: Record<string, unknown>;
  /** How the services ran: compiled bundles or tsx's loader. */
  runtime: string;
  /** RSS of every process right after start, before any load, MB. */
  idleRssMb: Record<string, number>;
  /** The embedded database on its own: the ledger's writes per transfer, no service involved. */
  dbCeiling: DbCeiling[];
  dbCommands: DbCommandCost[];
  results: ScenarioResult[];
  ratios: Record<string, number | string>;
}

function git(args: string): string {
  // The developer's own git from PATH: it only labels the results.
  return execSync(`git ${args}`, { cwd: repoRoot }).toString().trim();
}

export function machineFacts(): MachineFacts {
  let commit = "unknown";
  try {
    commit = git("rev-parse --short HEAD");
    // A run of a changed tree must not pass for a run of the commit (results are not code).
    if (git("status --porcelain -- . ':(exclude)bench/results'") !== "") commit += " with uncommitted changes";
  } catch { /* not a checkout */ }
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    commit,
    loadAverage: { start: loadAverage() },
  };
}

export const loadAverage = () => Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# Benchmark ${report.startedAt}`,
    "",
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GiB, Node ${m.node}, ${m.platform}, commit ${m.commit}. ` +
      `Load generator on the same machine. Load average ${m.loadAverage.start} at start, ${m.loadAverage.end ?? "?"} at end. Services: ${report.runtime}.`,
    "",
    `Plan: ${JSON.stringify(report.plan)}`,
    "",
    "## Scenarios",
    "",
    "| scenario | mode | load | req/s | mean ms | p50 ms | p90 ms | p99 ms | max ms | errors | DB trips/transfer | DB ms/transfer | bank call ms/transfer | background DB ms/s |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of report.results) {
    const load = r.mode === "closed" ? `${r.concurrency} conc.` : `${r.rate} req/s`;
    const x = r.result;
    lines.push(`| ${r.name} | ${r.mode} | ${load} | ${x.throughput} | ${x.mean} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.errors} | ${r.ledger?.roundTripsPerTransfer ?? ""} | ${r.ledger?.dbMsPerTransfer ?? ""} | ${r.ledger?.bankCallMsPerTransfer ?? ""} | ${r.ledger?.backgroundDbMsPerSecond ?? ""} |`);
  }
  lines.push("", "## Database alone (embedded FerretDB: jti insert + transfer insert + conditional update per set)", "",
    "| load | sets/s | writes/s | p50 ms | p99 ms | errors | database CPU µs per set |", "|---|---:|---:|---:|---:|---:|---:|");
  for (const d of report.dbCeiling) lines.push(`| ${dbLoad(d)} | ${d.transfersPerSecond} | ${d.writesPerSecond} | ${d.latency.p50} | ${d.latency.p99} | ${d.latency.errors} | ${d.dbCpuMicrosPerSet ?? ""} |`);
  if (report.dbCommands.length > 0) {
    const first = report.dbCommands[0];
    lines.push("", `## Database, one command at a time (the gateway's stores, transfer-shaped documents, ${first?.count ?? 0} of each; idle database CPU of ${first?.idleCpuMsPerSecond ?? 0} ms/s subtracted)`, "",
      "| command | database CPU µs | p50 ms | p99 ms |", "|---|---:|---:|---:|");
    for (const c of report.dbCommands) lines.push(`| ${c.command} | ${c.dbCpuMicros ?? ""} | ${c.p50Ms} | ${c.p99Ms} |`);
  }
  lines.push(...memoryTable(report), ...cpuTable(report), "", "## Ratios", "", "| ratio | value |", "|---|---:|");
  for (const [name, value] of Object.entries(report.ratios)) lines.push(`| ${name} | ${value} |`);
  return lines.join("\n") + "\n";
}

/** Peak RSS per process and scenario (highest over the scenario's runs), plus the idle figure. */
function memoryTable(report: BenchReport): string[] {
  const names = Object.keys(report.idleRssMb);
  const lines = ["", "## Peak RSS, MB (every process; * = on the scenario's path)", "", `| scenario | ${names.join(" | ")} |`, `|---|${names.map(() => "---:").join("|")}|`];
  lines.push(`| idle, after start | ${names.map((n) => report.idleRssMb[n] ?? "").join(" | ")} |`);
  for (const scenario of [...new Set(report.results.map((r) => r.name))]) {
    const runs = report.results.filter((r) => r.name === scenario);
    const cells = names.map((n) => {
      const peak = Math.max(0, ...runs.map((r) => r.peakRssMb[n] ?? 0));
      if (peak === 0) return "";
      return runs[0]?.processes.includes(n) === true ? `${peak}*` : String(peak);
    });
    lines.push(`| ${scenario} | ${cells.join(" | ")} |`);
  }
  return lines;
}

/** CPU µs per request of each process, in each scenario's highest-throughput closed-loop run. */
function cpuTable(report: BenchReport): string[] {
  const names = Object.keys(report.idleRssMb);
  const lines = ["", "## CPU per request, µs (each scenario's best closed-loop run; where the time goes, unaffected by other load)", "",
    `| scenario | run | ${names.join(" | ")} |`, `|---|---|${names.map(() => "---:").join("|")}|`];
  for (const scenario of [...new Set(report.results.map((r) => r.name))]) {
    const best = bestClosedRun(report.results, scenario);
    if (best === undefined) continue;
    lines.push(`| ${scenario} | ${best.concurrency ?? ""} conc. | ${names.map((n) => best.cpuMicrosPerRequest[n] ?? "").join(" | ")} |`);
  }
  return lines;
}

/** Writes bench/results/<timestamp>.json and .md; returns the markdown path. */
export function writeReport(report: BenchReport): string {
  const dir = path.join(repoRoot, "bench/results");
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify(report, null, 2) + "\n");
  const md = path.join(dir, `${stamp}.md`);
  writeFileSync(md, toMarkdown(report));
  return md;
}
