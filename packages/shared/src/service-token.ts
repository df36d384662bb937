import { MIN_KEY_TOKEN_LENGTH, signHs256, verifyHs256, TokenError } from "./jwt";
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
 * The fields of a GetTransferStatus that say which record is this attempt's: BCA's service
 * allocates a TransactionID under the day (an inquiry of an attempt that never got one), and
 * checks amount and accounts against the record it finds.
 */
type InquiryFields = Pick<MoneyFields, "amount" | "sourceAccountNumber" | "beneficiaryAccountNumber" | "usage" | "transactionDate">;

/**
 * What a service token is bound to: one RPC on one attempt of one transfer, and the fields it
 * carries that decide money (Transfer) or which record answers (GetTransferStatus). A token seen on
 * the wire (the mesh may be cleartext) cannot be replayed for another RPC: an inquiry's token does
 * not authorise a Transfer, nor a Transfer token another amount or beneficiary under our request
 * id, nor an inquiry's token the same inquiry about another day.
 */
export type ServiceTokenBinding =
  | ({ rpc: "Transfer"; referenceNumber: string; attempt: number } & MoneyFields)
  | ({ rpc: "GetTransferStatus"; referenceNumber: string; attempt: number } & InquiryFields);

export const transferBinding = (r: { referenceNumber: string; attempt: number } & MoneyFields): ServiceTokenBinding => ({
  rpc: "Transfer", referenceNumber: r.referenceNumber, attempt: r.attempt,
  amount: r.amount, currency: r.currency, sourceAccountNumber: r.sourceAccountNumber, beneficiaryBankCode: r.beneficiaryBankCode,
  beneficiaryAccountNumber: r.beneficiaryAccountNumber, usage: r.usage, transactionDate: r.transactionDate,
});

export const statusBinding = (r: { referenceNumber: string; attempt: number } & InquiryFields): ServiceTokenBinding => ({
  rpc: "GetTransferStatus", referenceNumber: r.referenceNumber, attempt: r.attempt,
  amount: r.amount, sourceAccountNumber: r.sourceAccountNumber, beneficiaryAccountNumber: r.beneficiaryAccountNumber, usage: r.usage, transactionDate: r.transactionDate,
});

/** Lowercase hex SHA-256 of the call's bound fields, `|`-joined in the order the proto comment gives. */
function requestClaim(binding: ServiceTokenBinding): string {
  const { amount, sourceAccountNumber, beneficiaryAccountNumber, usage, transactionDate } = binding;
  if (binding.rpc === "GetTransferStatus") return claimHash([amount, sourceAccountNumber, beneficiaryAccountNumber, String(usage), transactionDate]);
  const { currency, beneficiaryBankCode } = binding;
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
      req: requestClaim(binding),
    },
    keyToken,
  );
}

/**
 * Checks a service token against the bank's own key and code and the call it arrived with. Under a
 * key shorter than MIN_KEY_TOKEN_LENGTH no token is accepted, whoever signed it: anyone who saw
 * one on the mesh could have recovered the key, and could mint a Transfer with it.
 */
export function verifyServiceToken(token: string, keyToken: string, bankCode: string, binding: ServiceTokenBinding): void {
  if (keyToken.length < MIN_KEY_TOKEN_LENGTH) {
    // Its length is the gateway's log's to tell (registry.ts): this message reaches whoever called.
    throw new TokenError(`bank ${bankCode}'s partner key token is under ${MIN_KEY_TOKEN_LENGTH} characters; every call is refused until it is rotated`);
  }
  const claims = verifyHs256(token, keyToken, { audience: bankCode, maxLifetimeSeconds: SERVICE_TOKEN_LIFETIME_SECONDS });
  if (claims.ref !== binding.referenceNumber || claims.att !== binding.attempt) {
    throw new TokenError("token is bound to another transfer");
  }
  if (claims.rpc !== binding.rpc) throw new TokenError(`token is bound to another call than ${binding.rpc}`);
  if (claims.req !== requestClaim(binding)) {
    throw new TokenError(binding.rpc === "Transfer"
      ? "token is bound to another amount, currency, source, beneficiary, usage or date"
      : "token is bound to another amount, source, beneficiary, usage or date");
  }
}
