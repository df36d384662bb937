import { sharedCheck } from "./readiness";

describe("sharedCheck (readiness probes without a token)", () => {
  it("runs one check for every caller within maxAgeMs, and for every caller while it runs", async () => {
    let now = 0;
    let checks = 0;
    let answer = true;
    const ready = sharedCheck(() => { checks++; return Promise.resolve(answer); }, 1000, () => now);
    expect(await Promise.all([ready(), ready(), ready()])).toEqual([true, true, true]);
    expect(checks).toBe(1);
    now = 999;
    answer = false;
    expect(await ready()).toBe(true); // still the answer of 999 ms ago
    expect(checks).toBe(1);
    now = 1000;
    expect(await ready()).toBe(false); // stale: checked again
    expect(checks).toBe(2);
  });

  it("counts a check that gives no answer within two periods as not ready, and the next probe checks again", async () => {
    let checks = 0;
    const ready = sharedCheck(() => { checks++; return checks === 1 ? new Promise<boolean>(() => {}) : Promise.resolve(true); }, 20);
    expect(await ready()).toBe(false); // the stalled first check, given up after 40 ms
    await new Promise((resolve) => setTimeout(resolve, 25)); // that answer dates from when it started
    expect(await ready()).toBe(true);
    expect(checks).toBe(2);
  });

  it("counts a check that throws as not ready, and checks again once that answer is stale", async () => {
    let now = 0;
    let fail = true;
    const ready = sharedCheck(() => (fail ? Promise.reject(new Error("database gone")) : Promise.resolve(true)), 500, () => now);
    expect(await ready()).toBe(false);
    fail = false;
    now = 500;
    expect(await ready()).toBe(true);
  });
});
