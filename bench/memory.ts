import { readFileSync, writeFileSync } from "node:fs";

/** What one run cost each process: peak resident memory and CPU time. */
export interface ProcessUsage {
  /** Peak VmRSS, MB. */
  peakRssMb: Record<string, number>;
  /** CPU time (user + system) spent during the run, ms. */
  cpuMs: Record<string, number>;
}

/**
 * Keeps the peak resident memory of named processes, in MB, while a scenario runs, and reads each
 * one's CPU time at the start and the end. The peak is the kernel's own high-water mark (VmHWM),
 * reset at the start (`5` to /proc/<pid>/clear_refs), so a spike between two samples is not
 * missed; VmRSS sampled every `intervalMs` stands in where the reset is not allowed. CPU time per
 * request is the figure that other load on the machine does not distort: a busy machine makes
 * requests wait longer, not cost more.
 */
export function sampleMemory(pids: Record<string, number | undefined>, intervalMs = 200) {
  const peaks: Record<string, number> = {};
  const cpuAtStart = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuMilliseconds(pid)]));
  const markReset = new Set(Object.values(pids).filter((pid): pid is number => pid !== undefined && resetHighWaterMark(pid)));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === undefined) continue;
      const mb = memoryMegabytes(pid, markReset.has(pid) ? "VmHWM" : "VmRSS");
      if (mb !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, mb);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    finish(): ProcessUsage {
      clearInterval(timer);
      sample();
      const cpuMs: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const start = cpuAtStart[name];
        const end = pid === undefined ? undefined : cpuMilliseconds(pid);
        if (start !== undefined && end !== undefined) cpuMs[name] = end - start;
      }
      return { peakRssMb: peaks, cpuMs };
    },
  };
}

function memoryMegabytes(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined; // the process is gone
  }
}

/** Sets a process's VmHWM back to its current RSS (Linux 4.0+, our own processes); false when refused. */
function resetHighWaterMark(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** utime + stime of a process from /proc/<pid>/stat, in ms (Linux clock ticks are 10 ms). */
function cpuMilliseconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
