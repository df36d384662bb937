import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { BankTransferStatus, type BankTransferServiceTransferResponse } from "@gerbang/gen/ts-proto/payment/v1/bank";
import type { AttemptOutcome } from "./transfer-store";

/** One attempt's result as the ledger records it. */
export interface BankAnswer {
  outcome: AttemptOutcome;
  bankRequestId?: string;
  bankCode?: string;
  bankMessage?: string;
  bankReference?: string;
  /** The gRPC error, when the call did not return an answer. */
  error?: string;
}

/**
 * Only an explicit SUCCESS or FAILED from the bank service is final. PENDING, UNSPECIFIED,
 * NOT_FOUND (never valid from Transfer) and anything unknown stay PENDING: the money may be
 * moving, and only a status inquiry can tell.
 */
export function outcomeOfStatus(status: BankTransferStatus): AttemptOutcome {
  switch (status) {
    case BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS: return "SUCCESS";
    case BankTransferStatus.BANK_TRANSFER_STATUS_FAILED: return "FAILED";
    case BankTransferStatus.BANK_TRANSFER_STATUS_PENDING:
    case BankTransferStatus.BANK_TRANSFER_STATUS_UNSPECIFIED:
    case BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND:
    case BankTransferStatus.UNRECOGNIZED:
      return "PENDING";
  }
}

export function answerFromResponse(response: BankTransferServiceTransferResponse): BankAnswer {
  return {
    outcome: outcomeOfStatus(response.status),
    bankRequestId: response.bankRequestId,
    bankCode: response.bankCode,
    bankMessage: response.bankMessage,
    bankReference: response.bankReference,
  };
}

/**
 * A gRPC error means no answer, so PENDING (recorded as NO_ANSWER), except the errors with which
 * the bank service promises nothing reached the bank: it refused our token (UNAUTHENTICATED),
 * the request (INVALID_ARGUMENT, FAILED_PRECONDITION), or could not send it (UNAVAILABLE whose
 * message says "not sent"). A plain UNAVAILABLE or a deadline may have reached the bank.
 */
export function answerFromError(error: ServiceError): BankAnswer {
  // A code outside the enum (a newer gRPC) has no name; show its number.
  const described = `${error.code in GrpcStatus ? GrpcStatus[error.code] : String(error.code)}: ${error.details}`;
  switch (error.code) {
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.FAILED_PRECONDITION:
      return { outcome: "NOT_SENT", error: described, bankMessage: error.details };
    case GrpcStatus.UNAVAILABLE:
      return /not sent/i.test(error.details) ? { outcome: "NOT_SENT", error: described, bankMessage: error.details } : { outcome: "NO_ANSWER", error: described };
    default:
      return { outcome: "NO_ANSWER", error: described };
  }
}
