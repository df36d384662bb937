import { raceSignal } from "@gerbang/shared";

/**
 * One check shared by every caller for `maxAgeMs` after it started, and by every caller that comes
 * while it runs.
 *
 * Readiness needs no token (balancers probe /readyz and gRPC health; a Watch stream re-checks
 * every second), so without this each probe was a database ping: a stranger opening thousands of
 * Watch streams, or hammering /readyz, queued thousands of pings a second on the pool the
 * transfers' writes use. Now they cost at most one ping per `maxAgeMs` together. A check that
 * throws, or gives no answer within two periods (a ping stalled on a database that still accepts
 * connections), counts as not ready, and the next probe checks again.
 */
export function sharedCheck(check: () => Promise<boolean>, maxAgeMs: number, clock: () => number = Date.now): () => Promise<boolean> {
  let last: { at: number; ok: boolean } | undefined;
  let running: Promise<boolean> | undefined;
  return () => {
    if (last !== undefined && clock() - last.at < maxAgeMs) return Promise.resolve(last.ok);
    if (running === undefined) {
      const at = clock();
      running = raceSignal(check(), AbortSignal.timeout(2 * maxAgeMs), "readiness check gave no answer")
        .catch(() => false)
        .then((ok) => {
          last = { at, ok };
          running = undefined;
          return ok;
        });
    }
    return running;
  };
}
