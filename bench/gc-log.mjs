// Preload for the services under bench: BENCH_NODE_ARGS="--import ./bench/gc-log.mjs". Appends
// every garbage-collection pause of 2 ms or more to $BENCH_GC_LOG (default /tmp/gerbang-gc.log),
// one line per pause: wall-clock ms, pause ms, kind, process. With BENCH_TRACE's answers (same
// clock) it shows whether slow answers line up with a collection. (The services' output is
// discarded under bench, so --trace-gc cannot be read there.)
import { appendFileSync } from "node:fs";
import { PerformanceObserver, constants, performance } from "node:perf_hooks";

const file = process.env.BENCH_GC_LOG ?? "/tmp/gerbang-gc.log";
const who = `${process.argv.slice(1).map((a) => a.split("/").slice(-3).join("/")).join(" ")} pid=${process.pid}`;
const kinds = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-compact",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental-marking",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak-callbacks",
};

new PerformanceObserver((list) => {
  const lines = list.getEntries()
    .filter((e) => e.duration >= 2)
    .map((e) => `${(performance.timeOrigin + e.startTime).toFixed(1)} ${e.duration.toFixed(1)} ${kinds[e.detail?.kind] ?? e.detail?.kind} ${who}\n`);
  if (lines.length > 0) appendFileSync(file, lines.join(""));
}).observe({ entryTypes: ["gc"] });
