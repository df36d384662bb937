import { summarise, tally, unexpectedCount, withUnexpected, type LoadResult } from "./stats";

/**
 * One request: resolves true when the answer is the expected one, otherwise what came back
 * instead ("HTTP 502", "gRPC UNAVAILABLE", "statusCode 001"), which the result counts by kind.
 * A sender that builds its request first (a token signed per request) calls `onWire` as it hands
 * the request to the transport: the closed loop's clock starts there, as autocannon's starts after
 * its request is built, so that building is the load generator's cost in both, not the server's.
 */
export type Send = (onWire?: () => void) => Promise<true | string>;

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
      let t0 = performance.now();
      const answer = await send(() => { t0 = performance.now(); }).catch(failed);
      if (tally(unexpected, answer)) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return withUnexpected(summarise(latencies, unexpectedCount(unexpected), (performance.now() - start) / 1000), unexpected);
}

/** One answer of the open loop: when it was due (wall clock, ms), how long it took from then, and whether it was the expected one. */
export interface AnswerSample { dueAt: number; latencyMs: number; ok: boolean }

/**
 * Open loop at a fixed arrival rate: request i is due at start + i/rate whatever happened to the
 * earlier ones, and its latency counts from when it was due, so queueing is not hidden
 * (no coordinated omission); building the request counts too, on every edge alike. In-flight requests are capped; a request that cannot start counts
 * as an error, and so does one still unanswered 10 s after the last send (each under its kind).
 * `onAnswer` sees every answer with its due time on the wall clock (BENCH_TRACE: is the tail
 * periodic?).
 */
export async function openLoop(send: Send, rate: number, seconds: number, options: { maxInFlight?: number; onAnswer?: ((sample: AnswerSample) => void) | undefined } = {}): Promise<LoadResult> {
  const { maxInFlight = 2000, onAnswer } = options;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  let inFlight = 0;
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const dueAt = start + (sent / rate) * 1000;
      if (inFlight >= maxInFlight) { tally(unexpected, "not started: in-flight cap"); continue; }
      inFlight++;
      pending.push(send().catch(failed).then((answer) => {
        inFlight--;
        const ok = tally(unexpected, answer);
        const latencyMs = performance.now() - dueAt;
        if (ok) latencies.push(latencyMs);
        onAnswer?.({ dueAt: performance.timeOrigin + dueAt, latencyMs, ok });
      }));
    }
    // Sleep until the next request is due. This driver used to wake 2 ms early and yield turn by
    // turn until then: at ~250 req/s that spun half of every gap, half a core of the two it
    // measures (the load generator's CPU per request in the full path's open loops was ~2.2 ms,
    // against 0.15-0.5 in the closed loops). Before that it spun all the way. A timer fires up to
    // ~1 ms late; the latency counts from the due time, so that lateness is charged to the answer.
    // Behind schedule, it still yields a turn, or the answers would never be read.
    const wait = start + (sent / rate) * 1000 - performance.now();
    await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  const straggle = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([Promise.all(pending), straggle]);
  for (let left = inFlight; left > 0; left--) tally(unexpected, "no answer 10 s after the last send");
  // A copy: an answer arriving after this must not change the result.
  const counted = { ...unexpected };
  return withUnexpected(summarise(latencies, unexpectedCount(counted), (performance.now() - start) / 1000), counted);
}
