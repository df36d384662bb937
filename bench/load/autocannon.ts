import autocannon from "autocannon";
import type { LoadResult } from "./stats";

export interface HttpTarget {
  url: string;
  method: "GET" | "POST";
  /** Builds headers and body per request (unique references and tokens for transfers). */
  request?: () => { path?: string; headers?: Record<string, string>; body?: string };
  /** Status code that counts as the expected answer. */
  expectStatus: number;
}

/** Closed-loop HTTP/1.1 load with autocannon: `connections` keep-alive connections, no pipelining. */
export async function autocannonLoad(target: HttpTarget, connections: number, seconds: number): Promise<LoadResult> {
  const build = target.request;
  const result = await autocannon({
    url: target.url,
    method: target.method,
    connections,
    duration: seconds,
    requests: [{
      method: target.method,
      ...(build === undefined ? {} : {
        setupRequest: (req: autocannon.Request) => {
          const made = build();
          return {
            ...req,
            headers: { ...req.headers, ...made.headers },
            ...(made.path === undefined ? {} : { path: made.path }),
            ...(made.body === undefined ? {} : { body: made.body }),
          };
        },
      }),
    }],
  });
  const byStatus = (result.statusCodeStats ?? {}) as Record<string, { count: number } | undefined>;
  const ok = byStatus[String(target.expectStatus)]?.count ?? 0;
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts + (result.requests.total - ok),
    durationSeconds: result.duration,
    throughput: Math.round((ok / result.duration) * 100) / 100,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}
