import autocannon from "autocannon";
import { summarise, tally, unexpectedCount, withUnexpected, type LoadResult } from "./stats";

export interface HttpTarget {
  url: string;
  method: "GET" | "POST";
  /** Builds headers and body per request (unique references and tokens for transfers). */
  request?: () => { path?: string; headers?: Record<string, string>; body?: string };
  /** Status code that counts as the expected answer. */
  expectStatus: number;
}

/**
 * Closed-loop HTTP/1.1 load with autocannon: `connections` keep-alive connections, no pipelining.
 * Latencies are taken from autocannon's per-response event (sub-millisecond, every status), not
 * from its histogram, which keeps whole milliseconds and only 2xx answers: a 0.4 ms answer and a
 * 401 would both vanish from it.
 */
export function autocannonLoad(target: HttpTarget, connections: number, seconds: number): Promise<LoadResult> {
  const build = target.request;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon({
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
    }, (error, result) => {
      if (error !== null && error !== undefined) { reject(error instanceof Error ? error : new Error(String(error))); return; }
      // Timeouts and socket errors never produce a response event; count them as errors too.
      resolve(withUnexpected(summarise(latencies, unexpectedCount(unexpected) + result.errors + result.timeouts, result.duration), unexpected));
    });
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (tally(unexpected, statusCode === target.expectStatus || `HTTP ${statusCode}`)) latencies.push(responseTime);
    });
  });
}
