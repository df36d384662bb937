import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";

/** Why a token was refused; callers map these to UNAUTHENTICATED with a clear message. */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

export interface VerifyOptions {
  /** Expected `aud`. */
  audience: string;
  /** Longest accepted lifetime, exp - iat, in seconds. */
  maxLifetimeSeconds: number;
  /** Accepted clock difference, in seconds, for iat in the future and for exp. */
  clockToleranceSeconds?: number;
  /** Current time in seconds (tests pass a fixed clock). */
  nowSeconds?: number;
}

export type Claims = jwt.JwtPayload & { iat: number; exp: number };

/**
 * Key tokens as KeyObjects, made once per key. Given a string, jsonwebtoken 9 first tries to
 * parse it as a PEM public key and fails, on every call: about 500 µs per sign or verify instead
 * of 15-30 µs, which capped the gateway at ~2,000 token checks per second per core.
 */
const keyObjects = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 10_000;

function secretKey(key: string): KeyObject {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear(); // rotated keys must not pile up
    keyObject = createSecretKey(Buffer.from(key, "utf8"));
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** Signs claims with HS256; the only algorithm Gerbang accepts anywhere. */
export function signHs256(claims: Record<string, unknown>, key: string): string {
  // jsonwebtoken keeps a given iat and adds one (now) when it is missing.
  return jwt.sign(claims, secretKey(key), { algorithm: "HS256" });
}

/** Reads `sub` without verifying, to know whose key to verify with. Never trust anything else from it. */
export function peekSubject(token: string): string | undefined {
  const payload = jwt.decode(token, { json: true });
  return typeof payload?.sub === "string" ? payload.sub : undefined;
}

/**
 * Verifies an HS256 token: signature, algorithm (HS256 only, so `alg: none` and RS256 key
 * confusion are refused), audience, exp, iat not in the future, and a bounded lifetime.
 */
export function verifyHs256(token: string, key: string, options: VerifyOptions): Claims {
  const tolerance = options.clockToleranceSeconds ?? 5;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secretKey(key), {
      algorithms: ["HS256"],
      audience: options.audience,
      clockTolerance: tolerance,
      clockTimestamp: now,
    });
  } catch (error) {
    throw new TokenError(describe(error), { cause: error });
  }
  if (typeof payload === "string") throw new TokenError("token payload is not a JSON object");
  const { iat, exp } = payload;
  if (typeof iat !== "number" || typeof exp !== "number") throw new TokenError("token must carry iat and exp");
  if (iat > now + tolerance) throw new TokenError("token iat is in the future");
  if (exp - iat > options.maxLifetimeSeconds) {
    throw new TokenError(`token lifetime exceeds ${options.maxLifetimeSeconds} seconds`);
  }
  return { ...payload, iat, exp };
}

function describe(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return "token expired";
  if (error instanceof jwt.JsonWebTokenError) return `invalid token: ${error.message}`;
  return "invalid token";
}
