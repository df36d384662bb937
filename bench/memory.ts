import { readFileSync } from "node:fs";

/**
 * Samples resident memory (VmRSS from /proc) of named processes every `intervalMs` and keeps the
 * peak of each, in MB, while a scenario runs.
 */
export function sampleMemory(pids: Record<string, number | undefined>, intervalMs = 200) {
  const peaks: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === undefined) continue;
      const mb = rssMegabytes(pid);
      if (mb !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, mb);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

function rssMegabytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined; // the process is gone
  }
}
