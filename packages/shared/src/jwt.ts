import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";

/** Why a token was refused; callers map these to UNAUTHENTICATED with a clear message. */
export class TokenError extends Error {
  override readonly name: string = "TokenError";
}

/**
 * The token is not signed with the key it was checked against (malformed, another algorithm,
 * another signature): nothing in it can be believed, so nothing about it should be told apart.
 */
export class SignatureError extends TokenError {
  override readonly name = "SignatureError";
}

/**
 * The shortest key token accepted, for an app's key and a partner's alike. Both sign HS256 tokens
 * that travel where others may see them, and one captured token lets anyone test guesses of its
 * key offline: a short key is no key. The seeded keys are 32-39 characters (UUIDs among them);
 * production keys are generated.
 */
export const MIN_KEY_TOKEN_LENGTH = 32;

/** Clock difference accepted between a token's issuer and its verifier, for iat and exp, by default. */
export const CLOCK_TOLERANCE_SECONDS = 5;

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

/** A token's claims, unverified: for what a verifier or a test must read before or beside verifying. */
export function peekClaims(token: string): (jwt.JwtPayload & Record<string, unknown>) | undefined {
  return decodeSegment(token.split(".")[1]);
}

/** Reads `sub` without verifying, to know whose key to verify with. Never trust anything else from it. */
export function peekSubject(token: string): string | undefined {
  const sub = peekClaims(token)?.sub;
  return typeof sub === "string" ? sub : undefined;
}

/**
 * Verifies an HS256 token: signature, algorithm (HS256 only, so `alg: none` and RS256 key
 * confusion are refused), audience, exp, nbf, iat not in the future, and a bounded lifetime.
 *
 * jsonwebtoken decides whether a token is accepted. A cheap check of shape, algorithm and
 * signature runs first only to refuse forgeries: on a forged token jsonwebtoken decodes twice and
 * builds an error with a stack trace, ~70 µs, a quarter of the gateway's CPU on the rejection
 * path. The signature is compared as its canonical base64url text in constant time, as jws does.
 */
export function verifyHs256(token: string, key: string, options: VerifyOptions): Claims {
  const tolerance = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  refuseForgery(token, key);
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secretKey(key), { algorithms: ["HS256"], audience: options.audience, clockTolerance: tolerance, clockTimestamp: now });
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

/** Throws unless the token is three segments, says HS256, and carries this key's signature. */
function refuseForgery(token: string, key: string): void {
  const parts = token.split(".");
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) throw new SignatureError("invalid token: jwt malformed");
  const header = decodeSegment(headerPart);
  if (header === undefined) throw new SignatureError("invalid token: invalid token header");
  if (header.alg !== "HS256") throw new SignatureError("invalid token: invalid algorithm (only HS256 is accepted)");
  const expected = Buffer.from(createHmac("sha256", secretKey(key)).update(`${headerPart}.${payloadPart}`).digest("base64url"));
  const given = Buffer.from(signaturePart);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignatureError("invalid token: invalid signature");
  if (decodeSegment(payloadPart) === undefined) throw new TokenError("token payload is not a JSON object");
}

function describe(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return "token expired";
  if (error instanceof jwt.JsonWebTokenError) return `invalid token: ${error.message}`;
  return "invalid token";
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
