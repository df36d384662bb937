import { createRefreshing } from "./refreshing";

// Registry reloads (partners, routes, clients) against a loader the test controls.

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a value reloaded every interval", () => {
  it("keeps the last good value when a reload fails, and reports the failure", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const held = await createRefreshing(() => (++calls === 2 ? Promise.reject(new Error("database down")) : Promise.resolve(calls)), 60_000, (e) => errors.push(e));
    const firstAsOf = held.asOf();
    await settle(5);
    await expect(held.refresh()).rejects.toThrow("database down");
    expect([held.current(), errors, held.asOf()]).toEqual([1, [], firstAsOf]); // refresh() rejects to its caller; only the timer reports
    const beforeThird = Date.now();
    expect(await held.refresh()).toBe(3);
    // As of when the good load started: after the failed one, not after its own end.
    expect(held.asOf().getTime()).toBeGreaterThanOrEqual(beforeThird);
    expect(held.asOf().getTime()).toBeLessThanOrEqual(Date.now());
    held.close();
  });

  it("gives up a reload that never settles, so later reloads still happen", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    // The second load hangs for ever (a stalled query); every other one answers at once.
    const load = () => (++calls === 2 ? new Promise<number>(() => undefined) : Promise.resolve(calls));
    const held = await createRefreshing(load, 20, (e) => errors.push(e));
    while (held.current() < 3) await settle(20); // before the fix: stuck at 1 for good
    expect(held.current()).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/gave no answer within 40 ms/) as string })]);
    held.close();
  });
});
