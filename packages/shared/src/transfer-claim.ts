import { createHash } from "node:crypto";

/** The critical fields of a transfer that an app's token is bound to. */
export interface TransferCriticalFields {
  clientReferenceNo: string;
  beneficiaryBankCode: string;
  beneficiaryAccountNumber: string;
  amount: string;
}

/**
 * The `req` claim an app puts in its token for Transfer: lowercase hex SHA-256 of
 * `clientReferenceNo|beneficiaryBankCode|beneficiaryAccountNumber|amount`. A token made for one
 * transfer is refused for any transfer whose critical fields differ.
 */
export function transferRequestClaim(fields: TransferCriticalFields): string {
  return claimHash([fields.clientReferenceNo, fields.beneficiaryBankCode, fields.beneficiaryAccountNumber, fields.amount]);
}

/** How every token is bound to the fields of its call (app tokens here, service tokens' `req`): lowercase hex SHA-256 of the fields, `|`-joined. */
export function claimHash(fields: readonly string[]): string {
  return createHash("sha256").update(fields.join("|")).digest("hex");
}
