import { execSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import type { ScenarioResult } from "./scenarios";

export interface LedgerShare {
  transfers: number;
  roundTripsPerTransfer: number;
  dbMsPerTransfer: number;
}

export interface BenchReport {
  startedAt: string;
  machine: { cpuModel: string; cores: number; memoryGb: number; node: string; platform: string; commit: string };
  plan: Record<string, unknown>;
  results: ScenarioResult[];
  ledger: Record<string, LedgerShare>;
  ratios: Record<string, number | string>;
}

export function machineFacts(): BenchReport["machine"] {
  let commit = "unknown";
  // eslint-disable-next-line sonarjs/no-os-command-from-path -- the developer's own git, only to label the results
  try { commit = execSync("git rev-parse --short HEAD", { cwd: repoRoot }).toString().trim(); } catch { /* not a checkout */ }
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    commit,
  };
}

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# Benchmark ${report.startedAt}`,
    "",
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GiB, Node ${m.node}, ${m.platform}, commit ${m.commit}. Load generator on the same machine.`,
    "",
    "| scenario | mode | load | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | peak RSS MB |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of report.results) {
    const load = r.mode === "closed" ? `${r.concurrency} conc.` : `${r.rate} req/s`;
    const rss = Object.entries(r.peakRssMb).map(([name, mb]) => `${name} ${mb}`).join(", ");
    const x = r.result;
    lines.push(`| ${r.name} | ${r.mode} | ${load} | ${x.throughput} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.errors} | ${rss} |`);
  }
  lines.push("", "| ledger (per successful transfer) | transfers | DB round trips | DB ms |", "|---|---:|---:|---:|");
  for (const [name, l] of Object.entries(report.ledger)) lines.push(`| ${name} | ${l.transfers} | ${l.roundTripsPerTransfer} | ${l.dbMsPerTransfer} |`);
  lines.push("", "| ratio | value |", "|---|---:|");
  for (const [name, value] of Object.entries(report.ratios)) lines.push(`| ${name} | ${value} |`);
  return lines.join("\n") + "\n";
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
