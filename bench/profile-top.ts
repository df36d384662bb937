import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Reads the V8 CPU profiles that `BENCH_PROFILE=<dir> npx tsx bench/run.ts` makes the services
 * write (node --cpu-prof, written when a process exits) and prints, per profile, the functions and
 * the packages with the most self time. Run: `npx tsx bench/profile-top.ts <dir> [top]`.
 */
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export function topFunctions(profile: CpuProfile, top: number): { byFunction: [string, number][]; byPackage: [string, number][]; inclusive: [string, number][] } {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => { selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)); });
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0) || 1;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, "");
    const name = `${functionName || "(anonymous)"} ${path.basename(file)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byPackage.set(packageOf(file, functionName), (byPackage.get(packageOf(file, functionName)) ?? 0) + micros);
  }
  // Inclusive time: a node's self time plus its subtree's, summed per function (outermost frame only).
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (id: number, open: Set<string>): number => {
    const node = byId.get(id);
    if (node === undefined) return 0;
    const name = `${node.callFrame.functionName || "(anonymous)"} ${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    const inner = new Set(open).add(name);
    const micros = (selfMicros.get(id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + walk(child, inner), 0);
    if (!open.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    return micros;
  };
  const root = profile.nodes[0];
  if (root !== undefined) walk(root.id, new Set());
  const share = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top).map(([k, v]) => [k, Math.round((v / total) * 1000) / 10] as [string, number]);
  return { byFunction: share(byFunction), byPackage: share(byPackage), inclusive: share(inclusive) };
}

function packageOf(file: string, functionName: string): string {
  if (file === "") return functionName.startsWith("(") ? functionName : "(native)";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (modules?.[1] !== undefined) return modules[1];
  if (file.startsWith("node:")) return file;
  const repo = /\/(services\/[^/]+|packages\/[^/]+|sandbox|gen)\//.exec(file);
  return repo?.[1] ?? file;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error("usage: npx tsx bench/profile-top.ts <dir> [top]");
  const top = Number(process.argv[3] ?? 25);
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort((a, b) => a.localeCompare(b))) {
    const { byFunction, byPackage, inclusive } = topFunctions(JSON.parse(readFileSync(path.join(dir, name), "utf8")) as CpuProfile, top);
    console.log(`\n== ${name}\n-- self time by package (%)`);
    for (const [k, v] of byPackage) console.log(`${String(v).padStart(6)}  ${k}`);
    console.log("-- self time by function (%)");
    for (const [k, v] of byFunction) console.log(`${String(v).padStart(6)}  ${k}`);
    console.log("-- total time (self and callees) by function (%)");
    for (const [k, v] of inclusive) console.log(`${String(v).padStart(6)}  ${k}`);
  }
}
