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
