import type { GetTransferRequest, TransferRequest } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { ACCOUNT_NUMBER, BANK_CODE, TRANSFER_AMOUNT } from "@gerbang/shared";
import { GatewayError } from "./errors";

/**
 * The edge's request rules, in one place (run by the validation interceptor before any handler
 * or database work). Each violation names the field; all of them are reported at once.
 */

const PRINTABLE_NO_SPACE = /^[\x21-\x7e]+$/;
const NAME = /^[\p{L}\p{N} .,'&()/-]*$/u;
// No control characters or line separators, no invisible format ones (right-to-left override,
// zero-width space), lone surrogates or U+FFFD (what a decoder puts for bytes that were not text):
// a remark lands on statements, where those make text read other than it is.
const FREE_TEXT = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD]*$/u;

/**
 * Fields of the binary encoding this gateway does not know (a client built from a newer or forked
 * contract): refused as JSON refuses unknown names (gateway.ts), for a payment must not lose a
 * field its sender meant, silently, on one transport and not on the other.
 */
function unknownFields(req: TransferRequest | GetTransferRequest): string[] {
  const numbers = [...new Set((req.$unknown ?? []).map((field) => field.no))];
  return numbers.length === 0 ? [] : [`unknown field number ${numbers.join(", ")}: not in this gateway's contract`];
}

export function transferRequestViolations(req: TransferRequest): string[] {
  const v: string[] = unknownFields(req);
  if (req.clientReferenceNo === "") v.push("clientReferenceNo is required");
  else if (req.clientReferenceNo.length > 64) v.push("clientReferenceNo must be at most 64 characters");
  else if (!PRINTABLE_NO_SPACE.test(req.clientReferenceNo)) v.push("clientReferenceNo must be printable ASCII without spaces");
  if (!BANK_CODE.test(req.beneficiaryBankCode)) v.push("beneficiaryBankCode must be 3 digits");
  if (!ACCOUNT_NUMBER.test(req.beneficiaryAccountNumber)) v.push("beneficiaryAccountNumber must be 5 to 34 digits");
  if (req.beneficiaryAccountName.length > 100) v.push("beneficiaryAccountName must be at most 100 characters");
  else if (!NAME.test(req.beneficiaryAccountName)) v.push("beneficiaryAccountName has characters a bank would refuse");
  if (!TRANSFER_AMOUNT.test(req.amount)) v.push("amount must be whole rupiah as digits, greater than zero, without separators, at most 13 digits");
  if (req.currency !== "" && req.currency !== "IDR") v.push("currency must be IDR");
  if (req.remark.length > 50) v.push("remark must be at most 50 characters");
  else if (!FREE_TEXT.test(req.remark)) v.push("remark must not contain control, line-separator, invisible formatting, unpaired surrogate or replacement (U+FFFD) characters");
  return v;
}

export function getTransferRequestViolations(req: GetTransferRequest): string[] {
  const unknown = unknownFields(req);
  if (unknown.length > 0) return unknown;
  const byOurs = req.referenceNumber !== "";
  const byTheirs = req.clientReferenceNo !== "";
  if (byOurs === byTheirs) return ["give exactly one of referenceNumber and clientReferenceNo"];
  const value = byOurs ? req.referenceNumber : req.clientReferenceNo;
  const name = byOurs ? "referenceNumber" : "clientReferenceNo";
  // No reference holds a space; in a query string a "+" is one, so a reference with a "+" sent unencoded arrives so.
  if (value.includes(" ")) return [`${name} is malformed: it holds a space (in a query string "+" means a space: send a "+" as %2B)`];
  if (value.length > 64 || !PRINTABLE_NO_SPACE.test(value)) return [`${name} is malformed`];
  return [];
}

/** Throws INVALID_REQUEST listing every violation. */
export function assertValid(violations: string[]): void {
  if (violations.length > 0) throw new GatewayError("INVALID_REQUEST", `invalid request: ${violations.join("; ")}`);
}
