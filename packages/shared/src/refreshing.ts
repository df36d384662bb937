/**
 * A value loaded from the database, held in memory and reloaded every `intervalMs`, so a change
 * in the database takes effect within seconds without a restart and the hot path never waits on
 * the database. A failed reload keeps the last good value (and reports it through onError).
 */
export interface Refreshing<T> {
  /** The last loaded value. */
  current(): T;
  /** Reloads now (tests, admin). */
  refresh(): Promise<T>;
  /** Stops the timer. */
  close(): void;
}

export async function createRefreshing<T>(load: () => Promise<T>, intervalMs: number, onError: (error: unknown) => void): Promise<Refreshing<T>> {
  let value: T = await load();
  let inFlight: Promise<T> | undefined;
  // One reload at a time: a slow database must not pile up concurrent loads.
  const refresh = (): Promise<T> => {
    inFlight ??= load()
      .then((next: T) => { value = next; return next; })
      .finally(() => { inFlight = undefined; });
    return inFlight;
  };
  const timer = setInterval(() => { refresh().catch(onError); }, intervalMs);
  timer.unref();
  return { current: () => value, refresh, close: () => { clearInterval(timer); } };
}
