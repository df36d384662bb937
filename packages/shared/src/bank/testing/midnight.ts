import { JAKARTA_OFFSET_MS } from "../../jakarta-date";

const DAY_MS = 86_400_000;

/**
 * Waits until just after Jakarta midnight (17:00Z) when it is less than `withinMs` away. A bank
 * files a transfer under the day it was sent in Jakarta, and BCA's sandbox refuses any
 * TransactionDate but its own today (ESB-82-004): tests that would run across midnight start
 * after it instead, so that their outcomes never depend on the hour CI happens to run them.
 * Returns how long it waited.
 */
export async function pastJakartaMidnightIfWithin(withinMs: number): Promise<number> {
  const untilMidnight = DAY_MS - ((Date.now() + JAKARTA_OFFSET_MS) % DAY_MS);
  if (untilMidnight > withinMs) return 0;
  await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1_000));
  return untilMidnight + 1_000;
}

/** The jest test timeout (jest.config.js): no test runs longer. */
const TEST_TIMEOUT_MS = 30_000;

/**
 * Registers, in the calling test file, a wait before each test that would start in the last 30 s
 * before Jakarta midnight, until just after it: for tests whose outcome depends on the day a
 * transfer is dated in (a bank that takes today's date only, a resolver that dates a new attempt
 * the new day).
 */
export function keepClearOfJakartaMidnight(): void {
  beforeEach(() => pastJakartaMidnightIfWithin(TEST_TIMEOUT_MS), TEST_TIMEOUT_MS + 10_000);
}
