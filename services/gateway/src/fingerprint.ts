import { createHash } from "node:crypto";
import type { TransferRequest } from "@gerbang/gen/es/payment/v1/gateway_pb";

/**
 * SHA-256 over every field of a transfer request that changes what the bank is asked to do.
 * Same clientReferenceNo with another fingerprint is an idempotency conflict (422). Empty
 * currency means IDR, so both spellings of the same request match.
 */
export function requestFingerprint(req: TransferRequest): string {
  const fields = [
    req.clientReferenceNo, req.beneficiaryBankCode, req.beneficiaryAccountNumber, req.beneficiaryAccountName,
    req.amount, req.currency === "" ? "IDR" : req.currency, req.remark,
  ];
  // JSON of an array of strings is unambiguous, unlike a join with a separator the fields may contain.
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}
