/**
 * `work`, or a rejection with `message` once `signal` aborts, whichever comes first. The work itself
 * goes on; its late result is dropped. For waits that must end on time even when what they wait for
 * never settles (a stalled query).
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => { reject(new Error(message)); };
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => { signal.removeEventListener("abort", onAbort); });
  });
}
