/** Latency figures of one scenario run, in milliseconds. */
export interface LoadResult {
  requests: number;
  errors: number;
  durationSeconds: number;
  throughput: number;
  /** Mean of the expected answers' latencies (means add up where medians do not: bench/ratios.ts). */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers other than the expected one, by HTTP status (HTTP scenarios). */
  unexpected?: Record<string, number>;
}

/** Summarises latencies (ms) measured over `durationSeconds`. */
export function summarise(latencies: number[], errors: number, durationSeconds: number): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0));
  return {
    requests: latencies.length + errors,
    errors,
    durationSeconds: round(durationSeconds),
    throughput: round(latencies.length / durationSeconds),
    mean: round(sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: round(sorted.length === 0 ? 0 : sorted[sorted.length - 1] ?? 0),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Judges an HTTP answer by its status and body: true when it is the expected one, otherwise what
 * it was instead ("HTTP 502", "statusCode 003"). A status alone is not enough: the gateway answers
 * HTTP 200 for every final transfer, a declined one included, and a bank sandbox 200 for a refusal.
 */
export type HttpJudge = (status: number, body: string) => true | string;

/**
 * Counts an answer that was not the expected one under what it was ("HTTP 502", "gRPC
 * UNAVAILABLE", "statusCode 001"); true when it was the expected one.
 */
export function tally(unexpected: Record<string, number>, answer: true | string): boolean {
  if (answer === true) return true;
  unexpected[answer] = (unexpected[answer] ?? 0) + 1;
  return false;
}

/** How many answers were not the expected one, all kinds together. */
export function unexpectedCount(unexpected: Record<string, number>): number {
  return Object.values(unexpected).reduce((a, b) => a + b, 0);
}

/** The summary, with the unexpected answers by kind when there were any. */
export function withUnexpected(result: LoadResult, unexpected: Record<string, number>): LoadResult {
  return Object.keys(unexpected).length === 0 ? result : { ...result, unexpected };
}
