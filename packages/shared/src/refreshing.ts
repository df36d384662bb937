import { raceSignal } from "./race-signal";

/**
 * A value loaded from the database, held in memory and reloaded every `intervalMs`, so a change
 * in the database takes effect within seconds without a restart and the hot path never waits on
 * the database. A failed reload keeps the last good value (and reports it through onError).
 */
export interface Refreshing<T> {
  /** The last loaded value. */
  current(): T;
  /**
   * When the load that gave current() started: every change the database had taken by then is in
   * it (operators read it to see a stale registry; tests wait on it instead of guessing).
   */
  asOf(): Date;
  /** Reloads now (tests, admin). */
  refresh(): Promise<T>;
  /** Stops the timer. */
  close(): void;
}

export async function createRefreshing<T>(load: () => Promise<T>, intervalMs: number, onError: (error: unknown) => void): Promise<Refreshing<T>> {
  let asOf = new Date();
  let value: T = await load();
  let inFlight: Promise<T> | undefined;
  // One reload at a time: a slow database must not pile up concurrent loads. But a load that never
  // settles (a query stalled on a database that still answers heartbeats) must not stop every later
  // reload for good, silently: after two intervals it is given up (its late result is dropped).
  const giveUpMs = 2 * intervalMs;
  const refresh = (): Promise<T> => {
    if (inFlight === undefined) {
      const started = new Date();
      inFlight = raceSignal(load(), AbortSignal.timeout(giveUpMs), `reload gave no answer within ${giveUpMs} ms; given up`)
        .then((next: T) => { value = next; asOf = started; return next; })
        .finally(() => { inFlight = undefined; });
    }
    return inFlight;
  };
  // A tick that finds a reload still running leaves it be: its failure is reported once, by the tick that started it.
  const timer = setInterval(() => { if (inFlight === undefined) refresh().catch(onError); }, intervalMs);
  timer.unref();
  return { current: () => value, asOf: () => asOf, refresh, close: () => { clearInterval(timer); } };
}
