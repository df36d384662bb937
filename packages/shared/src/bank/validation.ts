import { TransferUsage, type BankTransferServiceTransferRequest, type GetTransferStatusRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import type { StatusInput, TransferInput, TransferRouteUsage } from "./bank-adapter";
import { invalidArgument } from "./refused-error";

/**
 * The one place a bank service checks the standard request, so handlers and adapters see only
 * valid input. Every problem is listed in one INVALID_ARGUMENT; nothing is sent to the bank.
 */

const REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;
/** An account number as every partner takes it: 5 to 34 digits (the gateway's edge checks the same). */
export const ACCOUNT_NUMBER = /^\d{5,34}$/;
/** A bank's 3-digit code. */
export const BANK_CODE = /^\d{3}$/;
/**
 * A new transfer's amount: whole rupiah, no sign, no leading zero, no separators, 13 digits at
 * most, what every partner carries (BCA's Numeric(13.2) is the narrowest). The gateway's edge and
 * the bank services check this one rule: a longer amount would be recorded, then refused by the
 * bank as malformed, its clientReferenceNo used up by input no bank can take.
 */
export const TRANSFER_AMOUNT = /^[1-9]\d{0,12}$/;
// An inquiry is about a transfer already sent, perhaps under the earlier bound of 15 digits: it must
// still be asked about, never refused for a limit that came after it.
const SENT_AMOUNT = /^[1-9]\d{0,14}$/;
const MAX_ATTEMPT = 1000;

function usageName(usage: TransferUsage): TransferRouteUsage | undefined {
  switch (usage) {
    case TransferUsage.TRANSFER_USAGE_TRANSFER: return "TRANSFER";
    case TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK: return "TRANSFER_INTERBANK";
    case TransferUsage.TRANSFER_USAGE_UNSPECIFIED:
    case TransferUsage.UNRECOGNIZED:
    default: return undefined;
  }
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function checkAttempt(attempt: number, problems: string[]): void {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPT) problems.push(`attempt must be 1..${MAX_ATTEMPT}`);
}

function checkBeneficiaryBank(code: string, usage: TransferRouteUsage | undefined, ownCodes: readonly string[], problems: string[]): void {
  if (!BANK_CODE.test(code)) problems.push("beneficiary_bank_code must be 3 digits");
  else if (usage === "TRANSFER" && !ownCodes.includes(code)) {
    problems.push(`beneficiary_bank_code ${code} is not this bank (${ownCodes.join("/")}), so it is not a TRANSFER`);
  } else if (usage === "TRANSFER_INTERBANK" && ownCodes.includes(code)) {
    problems.push("beneficiary_bank_code is this bank itself: use TRANSFER, not TRANSFER_INTERBANK");
  }
}

/** The longest beneficiary bank name the contract carries (BNI p2pl and SNAP: 50). */
export const MAX_BANK_NAME_LENGTH = 50;

function checkNames(request: BankTransferServiceTransferRequest, problems: string[]): void {
  if (request.beneficiaryAccountName.length > 100) problems.push("beneficiary_account_name must be at most 100 characters");
  if (request.beneficiaryBankName.length > MAX_BANK_NAME_LENGTH) problems.push(`beneficiary_bank_name must be at most ${MAX_BANK_NAME_LENGTH} characters`);
  if (request.sourceAccountName.length > 100) problems.push("source_account_name must be at most 100 characters");
}

/** The fields that name one attempt, common to Transfer and GetTransferStatus; returns the usage when valid. */
function checkAttemptIdentity(
  request: Pick<BankTransferServiceTransferRequest, "referenceNumber" | "attempt" | "transactionDate" | "usage">, problems: string[],
): TransferRouteUsage | undefined {
  const usage = usageName(request.usage);
  if (!REFERENCE.test(request.referenceNumber)) problems.push("reference_number must be 1-64 characters [A-Za-z0-9_-]");
  checkAttempt(request.attempt, problems);
  if (!isCalendarDate(request.transactionDate)) problems.push("transaction_date must be a date YYYY-MM-DD");
  if (usage === undefined) problems.push("usage must be TRANSFER or TRANSFER_INTERBANK");
  return usage;
}

/** Validates a transfer; `ownCodes` are this partner's code and aliases (the only valid codes for TRANSFER). */
export function validateTransfer(request: BankTransferServiceTransferRequest, ownCodes: readonly string[]): TransferInput {
  const problems: string[] = [];
  const usage = checkAttemptIdentity(request, problems);
  if (!ACCOUNT_NUMBER.test(request.sourceAccountNumber)) problems.push("source_account_number must be 5-34 digits");
  checkBeneficiaryBank(request.beneficiaryBankCode, usage, ownCodes, problems);
  if (!ACCOUNT_NUMBER.test(request.beneficiaryAccountNumber)) problems.push("beneficiary_account_number must be 5-34 digits");
  if (usage === "TRANSFER_INTERBANK" && request.beneficiaryAccountName.trim() === "") problems.push("beneficiary_account_name is required for TRANSFER_INTERBANK");
  checkNames(request, problems);
  if (!TRANSFER_AMOUNT.test(request.amount)) problems.push("amount must be whole rupiah, digits only, greater than zero, at most 13 digits");
  if (request.currency !== "" && request.currency !== "IDR") problems.push("currency must be IDR");
  if (request.remark.length > 50) problems.push("remark must be at most 50 characters");
  if (problems.length > 0 || usage === undefined) throw invalidArgument(problems.join("; "));
  return {
    referenceNumber: request.referenceNumber,
    attempt: request.attempt,
    transactionDate: request.transactionDate,
    usage,
    sourceAccountNumber: request.sourceAccountNumber,
    sourceAccountName: request.sourceAccountName,
    beneficiaryBankCode: request.beneficiaryBankCode,
    beneficiaryBankName: request.beneficiaryBankName,
    beneficiaryAccountNumber: request.beneficiaryAccountNumber,
    beneficiaryAccountName: request.beneficiaryAccountName,
    amount: request.amount,
    currency: "IDR",
    remark: request.remark,
  };
}

export function validateStatus(request: GetTransferStatusRequest): StatusInput {
  const problems: string[] = [];
  const usage = checkAttemptIdentity(request, problems);
  if (!SENT_AMOUNT.test(request.amount)) problems.push("amount must be whole rupiah, digits only, greater than zero, at most 15 digits");
  if (!ACCOUNT_NUMBER.test(request.sourceAccountNumber)) problems.push("source_account_number must be 5-34 digits");
  if (!ACCOUNT_NUMBER.test(request.beneficiaryAccountNumber)) problems.push("beneficiary_account_number must be 5-34 digits");
  if (problems.length > 0 || usage === undefined) throw invalidArgument(problems.join("; "));
  return {
    referenceNumber: request.referenceNumber, attempt: request.attempt, transactionDate: request.transactionDate, usage,
    amount: request.amount, sourceAccountNumber: request.sourceAccountNumber, beneficiaryAccountNumber: request.beneficiaryAccountNumber,
  };
}
