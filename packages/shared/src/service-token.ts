import { signHs256, verifyHs256, TokenError } from "./jwt";

/** Lifetime of a gateway -> bank service token: long enough for one call, short enough to be useless later. */
export const SERVICE_TOKEN_LIFETIME_SECONDS = 60;

/** What a service token is bound to: one attempt of one transfer. */
export interface ServiceTokenBinding {
  referenceNumber: string;
  attempt: number;
}

/**
 * Token the gateway puts in `authorization` when calling a bank service: HS256 with the
 * partner's key token, `aud` = bank code, bound to the transfer attempt it carries.
 */
export function signServiceToken(keyToken: string, bankCode: string, binding: ServiceTokenBinding, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return signHs256(
    {
      iss: "gerbang-gateway",
      sub: "gateway",
      aud: bankCode,
      iat: nowSeconds,
      exp: nowSeconds + SERVICE_TOKEN_LIFETIME_SECONDS,
      ref: binding.referenceNumber,
      att: binding.attempt,
    },
    keyToken,
  );
}

/** Checks a service token against the bank's own key and code and the attempt in the request. */
export function verifyServiceToken(token: string, keyToken: string, bankCode: string, binding: ServiceTokenBinding): void {
  const claims = verifyHs256(token, keyToken, { audience: bankCode, maxLifetimeSeconds: SERVICE_TOKEN_LIFETIME_SECONDS });
  if (claims.ref !== binding.referenceNumber || claims.att !== binding.attempt) {
    throw new TokenError("token is bound to another transfer");
  }
}
