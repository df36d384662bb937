/**
 * Places held at once, in total and per key (an app, a bank, a source address), for the gateway's
 * load shedding. take() gives a place and its release, or says which limit refused; a release
 * may be called any number of times (several events can end one request) and counts once.
 */
export type Taken = { refused: "total" | "key" } | { refused?: undefined; release: () => void };

export interface Shares {
  take(key: string | undefined): Taken;
}

/** `perKey` applies to defined keys only; an undefined key counts towards the total alone. */
export function createShares(limits: { total: number; perKey: number }): Shares {
  let held = 0;
  const byKey = new Map<string, number>();
  return {
    take: (key) => {
      if (held >= limits.total) return { refused: "total" };
      const mine = key === undefined ? 0 : byKey.get(key) ?? 0;
      if (key !== undefined && mine >= limits.perKey) return { refused: "key" };
      held += 1;
      if (key !== undefined) byKey.set(key, mine + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held -= 1;
        if (key === undefined) return;
        const left = (byKey.get(key) ?? 1) - 1;
        if (left === 0) byKey.delete(key);
        else byKey.set(key, left);
      };
      return { release };
    },
  };
}
