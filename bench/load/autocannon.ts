import autocannon from "autocannon";
import { summarise, tally, unexpectedCount, withUnexpected, type HttpJudge, type LoadResult } from "./stats";

export interface HttpTarget {
  url: string;
  method: "GET" | "POST";
  /** Builds headers and body per request (unique references and tokens for transfers). */
  request?: () => { path?: string; headers?: Record<string, string>; body?: string };
  /** Which answers count as the expected one. */
  judge: HttpJudge;
}

/**
 * Closed-loop HTTP/1.1 load with autocannon: `connections` keep-alive connections, no pipelining.
 * Latencies are taken from autocannon's per-response event (sub-millisecond, every status), not
 * from its histogram, which keeps whole milliseconds and only 2xx answers: a 0.4 ms answer and a
 * 401 would both vanish from it. The body is judged in the request's `onResponse`, which autocannon
 * calls just before it emits that response's event, in the same turn.
 */
export function autocannonLoad(target: HttpTarget, connections: number, seconds: number): Promise<LoadResult> {
  const build = target.request;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  let verdict: true | string = "no verdict";
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: target.url,
      method: target.method,
      connections,
      duration: seconds,
      requests: [{
        method: target.method,
        onResponse: (status: number, body: string) => { verdict = target.judge(status, body); },
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
      // Socket errors and timeouts (autocannon counts a timeout among its errors too) never produce a response event.
      if (result.errors > 0) unexpected[`socket errors or timeouts (${result.timeouts} timeouts)`] = result.errors;
      resolve(withUnexpected(summarise(latencies, unexpectedCount(unexpected), result.duration), unexpected));
    });
    instance.on("response", (_client, _statusCode, _bytes, responseTime) => {
      if (tally(unexpected, verdict)) latencies.push(responseTime);
      verdict = "no verdict";
    });
  });
}
