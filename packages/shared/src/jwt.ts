import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
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
  const payload = decodeSegment(token.split(".")[1]);
  return typeof payload?.sub === "string" ? payload.sub : undefined;
}

/**
 * Verifies an HS256 token: signature, algorithm (HS256 only, so `alg: none` and RS256 key
 * confusion are refused), audience, exp, nbf, iat not in the future, and a bounded lifetime.
 *
 * Checked here rather than by jsonwebtoken.verify: HS256 is one HMAC and a few comparisons, and
 * jsonwebtoken spent ~70 µs per token on decoding twice and on building an error with a stack
 * trace for every forged one (a quarter of the gateway's CPU on the rejection path). The
 * signature is compared as its canonical base64url text in constant time, like jws does.
 */
export function verifyHs256(token: string, key: string, options: VerifyOptions): Claims {
  const tolerance = options.clockToleranceSeconds ?? 5;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const parts = token.split(".");
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) throw new TokenError("invalid token: jwt malformed");
  const header = decodeSegment(headerPart);
  if (header === undefined) throw new TokenError("invalid token: invalid token header");
  if (header.alg !== "HS256") throw new TokenError("invalid token: invalid algorithm (only HS256 is accepted)");
  const expected = Buffer.from(createHmac("sha256", secretKey(key)).update(`${headerPart}.${payloadPart}`).digest("base64url"));
  const given = Buffer.from(signaturePart);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError("invalid token: invalid signature");
  const payload = decodeSegment(payloadPart);
  if (payload === undefined) throw new TokenError("token payload is not a JSON object");
  const { iat, exp, nbf, aud } = payload;
  if (typeof iat !== "number" || typeof exp !== "number") throw new TokenError("token must carry iat and exp");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now + tolerance)) throw new TokenError("invalid token: jwt not active");
  if (now >= exp + tolerance) throw new TokenError("token expired");
  const audiences: unknown[] = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.audience)) throw new TokenError(`invalid token: jwt audience invalid. expected: ${options.audience}`);
  if (iat > now + tolerance) throw new TokenError("token iat is in the future");
  if (exp - iat > options.maxLifetimeSeconds) {
    throw new TokenError(`token lifetime exceeds ${options.maxLifetimeSeconds} seconds`);
  }
  return { ...payload, iat, exp };
}

/** A base64url JSON object segment of a JWT; undefined when it is anything else. */
function decodeSegment(segment: string | undefined): (jwt.JwtPayload & Record<string, unknown>) | undefined {
  if (segment === undefined || !/^[\w-]*$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value as jwt.JwtPayload & Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
