import { signHs256, verifyHs256, TokenError } from "./jwt";
import { claimHash } from "./transfer-claim";

/** Lifetime of a gateway -> bank service token: long enough for one call, short enough to be useless later. */
export const SERVICE_TOKEN_LIFETIME_SECONDS = 60;

/**
 * The fields of a Transfer that decide what money moves, where, by which route and on which day;
 * a Transfer token carries their hash. The day matters: BCA keeps TransactionIDs unique per day
 * only, so the same call replayed after midnight with the next date would book again.
 */
interface MoneyFields {
  amount: string;
  currency: string;
  sourceAccountNumber: string;
  beneficiaryBankCode: string;
  beneficiaryAccountNumber: string;
  /** TransferUsage as its proto number. */
  usage: number;
  transactionDate: string;
}

/**
 * What a service token is bound to: one RPC on one attempt of one transfer and, for Transfer, the
 * money fields it carries. A token seen on the wire (the mesh may be cleartext) cannot be replayed
 * for another RPC: an inquiry's token does not authorise a Transfer, nor a Transfer token another
 * amount or beneficiary under our request id.
 */
export type ServiceTokenBinding =
  | ({ rpc: "Transfer"; referenceNumber: string; attempt: number } & MoneyFields)
  | { rpc: "GetTransferStatus"; referenceNumber: string; attempt: number };

export const transferBinding = (r: { referenceNumber: string; attempt: number } & MoneyFields): ServiceTokenBinding => ({
  rpc: "Transfer", referenceNumber: r.referenceNumber, attempt: r.attempt,
  amount: r.amount, currency: r.currency, sourceAccountNumber: r.sourceAccountNumber, beneficiaryBankCode: r.beneficiaryBankCode,
  beneficiaryAccountNumber: r.beneficiaryAccountNumber, usage: r.usage, transactionDate: r.transactionDate,
});

export const statusBinding = (r: { referenceNumber: string; attempt: number }): ServiceTokenBinding => ({
  rpc: "GetTransferStatus", referenceNumber: r.referenceNumber, attempt: r.attempt,
});

/** Lowercase hex SHA-256 of the money fields, `|`-joined in the order the proto comment gives; "" for an inquiry. */
function moneyClaim(binding: ServiceTokenBinding): string {
  if (binding.rpc !== "Transfer") return "";
  const { amount, currency, sourceAccountNumber, beneficiaryBankCode, beneficiaryAccountNumber, usage, transactionDate } = binding;
  return claimHash([amount, currency, sourceAccountNumber, beneficiaryBankCode, beneficiaryAccountNumber, String(usage), transactionDate]);
}

/**
 * Token the gateway puts in `authorization` when calling a bank service: HS256 with the
 * partner's key token, `aud` = bank code, bound to the call it authorises (ServiceTokenBinding).
 * `notAfterSeconds` ends it sooner: a Transfer's token ends with the sender's lease on the
 * transfer, so a send that stalls past the lease (a paused process, a frozen VM), when another
 * instance may have taken the transfer over, is refused by the bank service instead of sent late.
 */
export function signServiceToken(
  keyToken: string, bankCode: string, binding: ServiceTokenBinding,
  at: { nowSeconds?: number; notAfterSeconds?: number } = {},
): string {
  const { nowSeconds = Math.floor(Date.now() / 1000), notAfterSeconds = Number.POSITIVE_INFINITY } = at;
  return signHs256(
    {
      iss: "gerbang-gateway",
      sub: "gateway",
      aud: bankCode,
      iat: nowSeconds,
      exp: Math.min(nowSeconds + SERVICE_TOKEN_LIFETIME_SECONDS, notAfterSeconds),
      ref: binding.referenceNumber,
      att: binding.attempt,
      rpc: binding.rpc,
      ...(binding.rpc === "Transfer" ? { req: moneyClaim(binding) } : {}),
    },
    keyToken,
  );
}

/** Checks a service token against the bank's own key and code and the call it arrived with. */
export function verifyServiceToken(token: string, keyToken: string, bankCode: string, binding: ServiceTokenBinding): void {
  const claims = verifyHs256(token, keyToken, { audience: bankCode, maxLifetimeSeconds: SERVICE_TOKEN_LIFETIME_SECONDS });
  if (claims.ref !== binding.referenceNumber || claims.att !== binding.attempt) {
    throw new TokenError("token is bound to another transfer");
  }
  if (claims.rpc !== binding.rpc) throw new TokenError(`token is bound to another call than ${binding.rpc}`);
  if (binding.rpc === "Transfer" && claims.req !== moneyClaim(binding)) {
    throw new TokenError("token is bound to another amount, currency, source, beneficiary, usage or date");
  }
}
