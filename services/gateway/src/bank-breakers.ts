import CircuitBreaker from "opossum";
import type { Logger } from "@gerbang/shared";

/**
 * One circuit breaker (opossum) per bank service. A bank service that keeps failing (unreachable,
 * no answer within the deadline) is cut off: calls fail at once as "not sent" instead of piling
 * up for a full deadline each, and after `resetMs` one probe call is let through (half-open); its
 * success closes the breaker again. A bank's decline or PENDING is an answer, so it counts as a
 * success here: only the service's absence counts against it.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerSettings {
  errorPercent: number;
  volumeThreshold: number;
  resetMs: number;
  windowMs: number;
}

/** A call the breaker may run: start() begins it, cancel() abandons it (opossum's timeout fired). */
export interface GuardedCall<T> {
  start(): Promise<T>;
  cancel(): void;
  /** True for results that count against the bank service (unreachable, no answer). */
  failed(result: T): boolean;
  /** The result to give when the call was not made (breaker open) or abandoned (timeout). */
  notMade(reason: "breaker-open" | "timeout"): T;
}

export interface BankBreakers {
  /** Runs the call through the bank's breaker; never throws. `timeoutMs`: opossum's backstop, above the call's own deadline. */
  run<T>(bankCode: string, timeoutMs: number, call: GuardedCall<T>): Promise<T>;
  states(): Record<string, BreakerState>;
  close(): void;
}

/** Carries a result that counts as a failure through opossum (which counts rejections). */
class CountedFailure<T> extends Error {
  constructor(readonly result: T) {
    super("bank service call failed");
  }
}

type Run = () => Promise<unknown>;

export function createBankBreakers(settings: BreakerSettings, logger: Logger, onState?: (bankCode: string, state: BreakerState) => void): BankBreakers {
  const breakers = new Map<string, CircuitBreaker<[Run]>>();
  const breakerFor = (bankCode: string, timeoutMs: number) => {
    let breaker = breakers.get(bankCode);
    if (breaker === undefined) {
      breaker = new CircuitBreaker<[Run]>((run) => run(), {
        timeout: timeoutMs,
        errorThresholdPercentage: settings.errorPercent,
        volumeThreshold: settings.volumeThreshold,
        resetTimeout: settings.resetMs,
        rollingCountTimeout: settings.windowMs,
        rollingCountBuckets: 10,
      });
      const report = (state: BreakerState, log: "warn" | "info") => () => {
        logger[log]({ bankCode, breaker: state }, `bank ${bankCode} circuit breaker ${state}`);
        onState?.(bankCode, state);
      };
      breaker.on("open", report("open", "warn"));
      breaker.on("halfOpen", report("half-open", "info"));
      breaker.on("close", report("closed", "info"));
      breakers.set(bankCode, breaker);
      onState?.(bankCode, "closed");
    }
    return breaker;
  };
  const stateOf = (breaker: CircuitBreaker<[Run]>): BreakerState => {
    if (breaker.opened) return "open";
    return breaker.halfOpen ? "half-open" : "closed";
  };

  return {
    run: async <T>(bankCode: string, timeoutMs: number, call: GuardedCall<T>): Promise<T> => {
      const breaker = breakerFor(bankCode, timeoutMs);
      try {
        return (await breaker.fire(async () => {
          const result = await call.start();
          if (call.failed(result)) throw new CountedFailure(result);
          return result;
        })) as T;
      } catch (error) {
        if (error instanceof CountedFailure) return error.result as T;
        const code = (error as { code?: unknown }).code;
        if (code === "EOPENBREAKER") return call.notMade("breaker-open");
        // opossum's timeout: abandon the call (abort on timeout), its late answer is ignored.
        call.cancel();
        return call.notMade("timeout");
      }
    },
    states: () => Object.fromEntries([...breakers].map(([bankCode, breaker]) => [bankCode, stateOf(breaker)])),
    close: () => {
      for (const breaker of breakers.values()) breaker.shutdown();
      breakers.clear();
    },
  };
}
