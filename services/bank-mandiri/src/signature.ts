/**
 * Mandiri's doPayment proposal signs no request body (unlike BNI's in-body JWT and BCA's HMAC
 * header): the credential is the API gateway's JWT, obtained with Basic appKey:appSecret and sent
 * as a Bearer token. What the service needs from that JWT is its lifetime, to refresh it early;
 * the signature is the gateway's to check, so it is not verified here.
 */
export function jwtLifetimeSeconds(jwt: string, nowMs: number): number | undefined {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    // To the millisecond: a token about to expire must not count as a whole second of life.
    return typeof claims.exp === "number" ? claims.exp - nowMs / 1000 : undefined;
  } catch {
    return undefined;
  }
}
