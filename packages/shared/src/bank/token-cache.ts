import { unavailable } from "./refused-error";

/** An access token as a bank hands it out. */
export interface IssuedToken {
  value: string;
  expiresInSeconds: number;
}

export interface TokenCache {
  /** A token that is not about to expire; fetches one (once, shared by concurrent callers) when needed. */
  get(signal: AbortSignal): Promise<string>;
  /** Forgets a token the bank has just refused, so the next get() fetches a fresh one. */
  invalidate(value: string): void;
}

export interface TokenCacheOptions {
  /** Obtains a token from the bank; throws when it cannot. */
  fetchToken: (signal: AbortSignal) => Promise<IssuedToken>;
  /** Budget for one token request. */
  fetchTimeoutMs: number;
  /** Refresh this long before expiry, capped at a fifth of the lifetime (short-lived tokens). */
  refreshMarginSeconds?: number;
  now?: () => number;
}

/** A token this close to its expiry is not handed out for a call (capped at a tenth of its life). */
const EXPIRY_SAFETY_SECONDS = 5;
/** After a failed background renewal, payments keep the current token this long before the next try. */
const RENEWAL_RETRY_MS = 1_000;

/**
 * One access token per bank service process, renewed before it expires and after the bank
 * refuses it. From the refresh point on, the current token is still handed out while a renewal
 * runs in the background: a token endpoint that fails or is slow then must not refuse payments
 * while a valid token is in hand (they would end "not sent": FAILED or rerouted). Only a token at
 * its expiry is waited for. A token that cannot be obtained means the transfer was never sent:
 * UNAVAILABLE.
 */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginSeconds ?? 60;
  let current: { value: string; refreshAtMs: number; usableUntilMs: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let lastFailureMs = Number.NEGATIVE_INFINITY;

  const fetchFresh = (): Promise<string> => {
    inFlight ??= options
      .fetchToken(AbortSignal.timeout(options.fetchTimeoutMs))
      .then((issued) => {
        const lifetime = Math.max(0, issued.expiresInSeconds);
        const at = now();
        const early = Math.min(margin, lifetime / 5);
        const safety = Math.min(EXPIRY_SAFETY_SECONDS, lifetime / 10);
        current = { value: issued.value, refreshAtMs: at + (lifetime - early) * 1000, usableUntilMs: at + (lifetime - safety) * 1000 };
        return issued.value;
      }, (error: unknown) => {
        lastFailureMs = now();
        throw error;
      })
      .finally(() => { inFlight = undefined; });
    return inFlight;
  };

  return {
    async get(signal) {
      const at = now();
      if (current !== undefined && at < current.refreshAtMs) return current.value;
      if (current !== undefined && at < current.usableUntilMs) {
        if (at - lastFailureMs >= RENEWAL_RETRY_MS) fetchFresh().catch(() => undefined); // renewed in the background; a failure is retried later
        return current.value;
      }
      try {
        return await untilAborted(fetchFresh(), signal);
      } catch (error) {
        throw unavailable(`could not obtain an access token: ${error instanceof Error ? error.message : String(error)}`, error);
      }
    },
    invalidate(value) {
      if (current?.value === value) current = undefined;
    },
  };
}

/** Waits for a shared promise, but lets this caller give up when its own signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("time budget spent before the token arrived"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => { reject(new Error("time budget spent before the token arrived")); };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => { signal.removeEventListener("abort", onAbort); });
  });
}
