import { summarise, tally, unexpectedCount, withUnexpected, type LoadResult } from "./stats";

/**
 * One request: resolves true when the answer is the expected one, otherwise what came back
 * instead ("HTTP 502", "gRPC UNAVAILABLE", "statusCode 001"), which the result counts by kind.
 */
export type Send = () => Promise<true | string>;

const failed = (error: unknown) => `thrown: ${error instanceof Error ? error.message : String(error)}`;

/**
 * Closed loop: `concurrency` workers each send, wait for the answer, and send again, for
 * `seconds`. Finds the maximum throughput; hides slow answers (a slow answer delays the next send).
 */
export async function closedLoop(send: Send, concurrency: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      if (tally(unexpected, await send().catch(failed))) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return withUnexpected(summarise(latencies, unexpectedCount(unexpected), (performance.now() - start) / 1000), unexpected);
}

/**
 * Open loop at a fixed arrival rate: request i is due at start + i/rate whatever happened to the
 * earlier ones, and its latency counts from when it was due, so queueing is not hidden
 * (no coordinated omission). In-flight requests are capped; a request that cannot start counts
 * as an error. Waits at most 10 s for stragglers after the last send. `onAnswer` sees every
 * answer with its due time on the wall clock (BENCH_TRACE: is the tail periodic?).
 */
/** How early the open-loop driver wakes before a request is due (timer lateness). */
const TIMER_MARGIN_MS = 2;

/** One answer of the open loop: when it was due (wall clock, ms), how long it took from then, and whether it was the expected one. */
export interface AnswerSample { dueAt: number; latencyMs: number; ok: boolean }

export async function openLoop(send: Send, rate: number, seconds: number, options: { maxInFlight?: number; onAnswer?: ((sample: AnswerSample) => void) | undefined } = {}): Promise<LoadResult> {
  const { maxInFlight = 2000, onAnswer } = options;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  let errors = 0;
  let inFlight = 0;
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const dueAt = start + (sent / rate) * 1000;
      if (inFlight >= maxInFlight) { errors++; continue; }
      inFlight++;
      pending.push(send().catch(failed).then((answer) => {
        inFlight--;
        const ok = tally(unexpected, answer);
        const latencyMs = performance.now() - dueAt;
        if (ok) latencies.push(latencyMs);
        else errors++;
        onAnswer?.({ dueAt: performance.timeOrigin + dueAt, latencyMs, ok });
      }));
    }
    // Sleep until shortly before the next request is due, then yield turn by turn. Spinning all
    // the way, as this driver first did, took a whole core from the system it measured (half of
    // this machine) and made every process on the path wake from idle: a bare sandbox answered
    // in 0.83 ms p50 at 183 req/s against 0.16 ms back to back. Node's timers can fire a
    // millisecond late, hence the margin.
    const wait = start + (sent / rate) * 1000 - performance.now() - TIMER_MARGIN_MS;
    await new Promise((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  const straggle = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([Promise.all(pending), straggle]);
  errors += total - latencies.length - errors > 0 ? total - latencies.length - errors : 0;
  return withUnexpected(summarise(latencies, errors, (performance.now() - start) / 1000), unexpected);
}
