import type { Metadata } from "@grpc/grpc-js";
import { TokenError } from "../jwt";
import type { Partner } from "../registry-store";
import { verifyServiceToken, type ServiceTokenBinding } from "../service-token";
import { unauthenticated } from "./refused-error";

/**
 * Admits a call only with `authorization: Bearer <jwt>` made by the gateway with this partner's
 * key token, aud = this bank's code, bound to this RPC, the (reference, attempt) in the request
 * and, for Transfer, its amount and accounts. Anything
 * else is UNAUTHENTICATED and nothing is sent to the bank.
 */
export function authenticateCall(metadata: Metadata, partner: Partner | undefined, bankCode: string, binding: ServiceTokenBinding): void {
  const values = metadata.get("authorization");
  if (values.length !== 1) throw unauthenticated("exactly one authorization header with a Bearer token is required");
  const header = values[0];
  const match = typeof header === "string" ? /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header) : null;
  if (match?.[1] === undefined) throw unauthenticated("authorization must be `Bearer <jwt>`");
  // Without our partner row there is no key to check against: refuse rather than trust.
  if (partner === undefined) throw unauthenticated(`no partner row for bank ${bankCode}, so no key to verify with`);
  try {
    verifyServiceToken(match[1], partner.keyToken, bankCode, binding);
  } catch (error) {
    if (error instanceof TokenError) throw unauthenticated(error.message, error);
    throw error;
  }
}
