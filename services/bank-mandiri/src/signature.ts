import { peekClaims } from "@gerbang/shared";

/**
 * Mandiri's doPayment proposal signs no request body (unlike BNI's in-body JWT and BCA's HMAC
 * header): the credential is the API gateway's JWT, obtained with Basic appKey:appSecret and sent
 * as a Bearer token. What the service needs from that JWT is its lifetime, to refresh it early;
 * the signature is the gateway's to check, so it is not verified here.
 */
export function jwtLifetimeSeconds(jwt: string, nowMs: number): number | undefined {
  const exp = peekClaims(jwt)?.exp;
  // To the millisecond: a token about to expire must not count as a whole second of life.
  return typeof exp === "number" ? exp - nowMs / 1000 : undefined;
}
