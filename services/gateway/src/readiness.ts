/**
 * One check shared by every caller for `maxAgeMs`, and by every caller that comes while it runs.
 *
 * Readiness needs no token (balancers probe /readyz and gRPC health; a Watch stream re-checks
 * every second), so without this each probe was a database ping: a stranger opening thousands of
 * Watch streams, or hammering /readyz, queued thousands of pings a second on the pool the
 * transfers' writes use. Now they cost at most one ping per `maxAgeMs` together. A check that
 * throws counts as not ready.
 */
export function sharedCheck(check: () => Promise<boolean>, maxAgeMs: number, clock: () => number = Date.now): () => Promise<boolean> {
  let last: { at: number; ok: boolean } | undefined;
  let running: Promise<boolean> | undefined;
  return () => {
    if (last !== undefined && clock() - last.at < maxAgeMs) return Promise.resolve(last.ok);
    running ??= check().catch(() => false).then((ok) => {
      last = { at: clock(), ok };
      running = undefined;
      return ok;
    });
    return running;
  };
}
