import type { Logger, ServerClockReading } from "@gerbang/shared";
import { LEASE_MARGIN_MS } from "./bank-policy";

/**
 * Instances read each other's lease times on their own clocks and allow LEASE_MARGIN_MS (1 s)
 * between them; nothing else checks that their clocks agree. Each one measures its clock against
 * the database server's, which they all share: within half the margin each, any two are within
 * the margin. Past it the instance says so (an error line and `gerbang_gateway_clock_offset_seconds`)
 * and goes on: the database host's own clock may be the one that is off, and a gateway that
 * refused to start over it would stop every payment.
 */
export const CLOCK_OFFSET_LIMIT_MS = LEASE_MARGIN_MS / 2;
/** Readings per check; the one with the shortest round trip is kept (the least queueing in it). */
const READINGS = 3;
/** How often a running gateway measures again. */
const CLOCK_CHECK_INTERVAL_MS = 60_000;

export interface ClockOffset {
  /** This host's clock minus the database server's, ms. */
  offsetMs: number;
  /** How far that may be from the truth: half the round trip, plus the server's 1 ms resolution. */
  uncertaintyMs: number;
}

export function clockOffset(readings: readonly ServerClockReading[]): ClockOffset {
  const best = readings.toSorted((a, b) => (a.receivedAt - a.sentAt) - (b.receivedAt - b.sentAt))[0];
  if (best === undefined) throw new Error("no clock reading");
  const halfTrip = (best.receivedAt - best.sentAt) / 2;
  return { offsetMs: Math.round(best.sentAt + halfTrip - best.serverTime), uncertaintyMs: Math.ceil(halfTrip) + 1 };
}

/** What to tell a person when the offset is beyond the limit even at its most favourable reading; undefined otherwise. */
export function clockProblem({ offsetMs, uncertaintyMs }: ClockOffset): string | undefined {
  if (Math.abs(offsetMs) - uncertaintyMs <= CLOCK_OFFSET_LIMIT_MS) return undefined;
  return `this host's clock is ${offsetMs} ms (±${uncertaintyMs}) off the database server's, more than the ${CLOCK_OFFSET_LIMIT_MS} ms `
    + "leases allow: another instance could take over a transfer whose bank call this one still has on its way; synchronise the clocks (NTP)";
}

export interface ClockWatch {
  /** Measures now: sets the gauge and logs an error past the limit (a failed reading is a warning). */
  check(): Promise<void>;
  stop(): void;
}

export function watchClock(deps: { read: () => Promise<ServerClockReading>; logger: Logger; report: (offsetSeconds: number) => void }): ClockWatch {
  const check = async () => {
    try {
      const readings: ServerClockReading[] = [];
      for (let i = 0; i < READINGS; i++) readings.push(await deps.read());
      const offset = clockOffset(readings);
      deps.report(offset.offsetMs / 1000);
      const problem = clockProblem(offset);
      if (problem !== undefined) deps.logger.error({ alert: "clock-offset", ...offset }, problem);
    } catch (error) {
      deps.report(Number.NaN); // not the last good value: an alert on the gauge must not read "in sync"
      deps.logger.warn({ err: error }, "could not compare this host's clock with the database server's");
    }
  };
  const timer = setInterval(() => { void check(); }, CLOCK_CHECK_INTERVAL_MS);
  timer.unref();
  return { check, stop: () => { clearInterval(timer); } };
}
