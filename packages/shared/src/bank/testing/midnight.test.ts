import { pastJakartaMidnightIfWithin } from "./midnight";

// The guard that keeps tests from running across Jakarta midnight (17:00Z), on a fake clock.
afterEach(() => { jest.useRealTimers(); });

it("waits until a second past Jakarta midnight when it is within reach, and not at all otherwise", async () => {
  jest.useFakeTimers({ now: Date.parse("2026-11-27T16:59:50Z") });
  const waited = pastJakartaMidnightIfWithin(30_000);
  await jest.advanceTimersByTimeAsync(11_000);
  expect(await waited).toBe(11_000);
  expect(new Date(Date.now()).toISOString()).toBe("2026-11-27T17:00:01.000Z");

  jest.setSystemTime(Date.parse("2026-11-27T16:59:00Z")); // 60 s away: out of a 30 s guard's reach
  expect(await pastJakartaMidnightIfWithin(30_000)).toBe(0);
});
