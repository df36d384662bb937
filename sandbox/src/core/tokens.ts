import { randomBytes } from "node:crypto";
import type { SandboxContext } from "./context";
import { fail, type Reply } from "./http";

/**
 * Refuses a call for its access token with the bank's `reply`, counted for GET /_sandbox/stats:
 * a test can then tell a token refused and the call re-sent from a token never sent stale.
 */
export function refuseToken(ctx: Pick<SandboxContext, "stats">, reply: Reply): never {
  ctx.stats.refusedTokens += 1;
  fail(reply);
}

/** Opaque OAuth access tokens (BNI, BCA), valid for a fixed lifetime; in memory, lost on restart. */
export interface TokenStore {
  issue(): { accessToken: string; expiresIn: number };
  isValid(token: string): boolean;
}

/** Expired tokens are dropped when the store grows; past the cap the oldest go first, bounding memory. */
const PRUNE_AT = 1_000;
const MAX_TOKENS = 100_000;

export function createTokenStore(ttlSeconds: number, now: () => number): TokenStore {
  const expiries = new Map<string, number>();
  const prune = () => {
    const t = now();
    for (const [token, expiresAt] of expiries) if (expiresAt <= t) expiries.delete(token);
    for (const token of expiries.keys()) {
      if (expiries.size < MAX_TOKENS) break;
      expiries.delete(token);
    }
  };
  return {
    issue() {
      if (expiries.size >= PRUNE_AT) prune();
      const accessToken = randomBytes(32).toString("base64url");
      expiries.set(accessToken, now() + ttlSeconds * 1000);
      return { accessToken, expiresIn: ttlSeconds };
    },
    isValid(token) {
      const expiresAt = expiries.get(token);
      return expiresAt !== undefined && expiresAt > now();
    },
  };
}
