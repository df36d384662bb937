import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { BankTransferStatus, type BankTransferServiceTransferResponse, type GetTransferStatusResponse } from "@gerbang/gen/ts-proto/payment/v1/bank";
import type { Attempt, AttemptOutcome } from "./transfer-store";

/** What a bank service's answer (or the failure to get one) says, for a transfer or an inquiry alike. */
interface BankReply {
  bankRequestId?: string;
  bankCode?: string;
  bankMessage?: string;
  bankReference?: string;
  /** The gRPC error, when the call did not return an answer. */
  error?: string;
  /**
   * NOT_SENT because the bank service, or its bank, could not be reached (refused connection,
   * breaker open, UNAVAILABLE "not sent"): the cases that count against the breaker and allow
   * fallback routing. A refusal of the request itself (token, validation, route) is not this.
   */
  unreachable?: boolean;
}

/** One attempt's result as the ledger records it. */
export interface BankAnswer extends BankReply {
  outcome: AttemptOutcome;
}

/** The attempt fields an answer fills in (what the ledger keeps of it). */
export function attemptFields(answer: BankAnswer): Pick<Attempt, "outcome" | "bankRequestId" | "bankCode" | "bankMessage" | "bankReference" | "error"> {
  const { outcome, bankRequestId, bankCode, bankMessage, bankReference, error } = answer;
  return {
    outcome,
    ...(bankRequestId === undefined ? {} : { bankRequestId }),
    ...(bankCode === undefined ? {} : { bankCode }),
    ...(bankMessage === undefined ? {} : { bankMessage }),
    ...(bankReference === undefined ? {} : { bankReference }),
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * What a status inquiry learnt. PENDING: the bank knows the attempt, its outcome is not final.
 * UNKNOWN: the bank service asked, the bank gave no usable answer. NO_ANSWER/NOT_SENT: the bank
 * service itself did not answer. The last three say nothing about the transfer.
 */
export interface StatusAnswer extends BankReply {
  status: "SUCCESS" | "FAILED" | "PENDING" | "NOT_FOUND" | "UNKNOWN" | "NO_ANSWER" | "NOT_SENT";
}

export function statusFromResponse(response: GetTransferStatusResponse): StatusAnswer {
  const kept = { bankRequestId: response.bankRequestId, bankCode: response.bankCode, bankMessage: response.bankMessage, bankReference: response.bankReference };
  switch (response.status) {
    case BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS: return { status: "SUCCESS", ...kept };
    case BankTransferStatus.BANK_TRANSFER_STATUS_FAILED: return { status: "FAILED", ...kept };
    case BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND: return { status: "NOT_FOUND", ...kept };
    case BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN: return { status: "UNKNOWN", ...kept };
    case BankTransferStatus.BANK_TRANSFER_STATUS_PENDING:
    case BankTransferStatus.BANK_TRANSFER_STATUS_UNSPECIFIED:
    case BankTransferStatus.UNRECOGNIZED:
      return { status: "PENDING", ...kept };
  }
}

export function statusFromError(error: ServiceError): StatusAnswer {
  const answer = answerFromError(error);
  return { status: answer.outcome === "NOT_SENT" ? "NOT_SENT" : "NO_ANSWER", ...(answer.error === undefined ? {} : { error: answer.error }), ...(answer.unreachable === true ? { unreachable: true } : {}) };
}

/**
 * BCA's TransactionID has 8 digits, so two of our transfers can hash to the same id on one day.
 * The BCA service then answers PENDING with ESB-82-003 and says the id holds another transfer:
 * this transfer was not executed under that id, and a new attempt could book it twice if the
 * first one is in fact somewhere. Only a person can settle that: MANUAL_REVIEW, never a resend.
 */
export function isIdCollision(answer: { bankCode?: string | undefined; bankMessage?: string | undefined }): boolean {
  return answer.bankCode === "ESB-82-003" && /another transfer/i.test(answer.bankMessage ?? "");
}

/** An inquiry that learnt nothing: the bank service could not be asked, or the bank gave no usable answer. */
export function unanswered(inquiry: StatusAnswer): boolean {
  return inquiry.status === "UNKNOWN" || inquiry.status === "NO_ANSWER" || inquiry.status === "NOT_SENT";
}

/** An inquiry's PENDING says the bank has this attempt, except a BCA id collision's, which is about another transfer under our id. */
export function bankKnowsAttempt(inquiry: StatusAnswer): boolean {
  return inquiry.status === "PENDING" && !isIdCollision(inquiry);
}

/**
 * Only an explicit SUCCESS or FAILED from the bank service is final. PENDING, UNSPECIFIED,
 * NOT_FOUND and UNKNOWN (never valid from Transfer) and anything unknown stay PENDING: the money may be
 * moving, and only a status inquiry can tell.
 */
export function outcomeOfStatus(status: BankTransferStatus): AttemptOutcome {
  switch (status) {
    case BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS: return "SUCCESS";
    case BankTransferStatus.BANK_TRANSFER_STATUS_FAILED: return "FAILED";
    case BankTransferStatus.BANK_TRANSFER_STATUS_PENDING:
    case BankTransferStatus.BANK_TRANSFER_STATUS_UNSPECIFIED:
    case BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND:
    case BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN:
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
export function answerFromError(error: Pick<ServiceError, "code" | "details">): BankAnswer {
  // A code outside the enum (a newer gRPC) has no name; show its number.
  const described = `${error.code in GrpcStatus ? GrpcStatus[error.code] : String(error.code)}: ${error.details}`;
  // bankMessage reaches the app (bankResponseMessage); the service's own text, which can name our
  // registry rows, keys or resolved URLs, stays in `error` (ledger and logs). Only a refusal of
  // the request's content is about what the app sent, so only that one is passed on.
  switch (error.code) {
    case GrpcStatus.INVALID_ARGUMENT:
      return { outcome: "NOT_SENT", error: described, bankMessage: error.details };
    case GrpcStatus.UNAUTHENTICATED:
      return { outcome: "NOT_SENT", error: described, bankMessage: "the bank service refused the gateway's credentials: not sent" };
    case GrpcStatus.FAILED_PRECONDITION:
      return { outcome: "NOT_SENT", error: described, bankMessage: "the bank service refused to send this transfer (its setup, or a rule of the bank, forbids it): not sent" };
    case GrpcStatus.UNAVAILABLE:
      if (/not sent/i.test(error.details)) return { outcome: "NOT_SENT", error: described, bankMessage: "the bank could not be reached: not sent", unreachable: true };
      // grpc-js' picker fails a call with "No connection established" when the channel has no
      // connected subchannel (connection refused): the call was never put on any connection.
      if (/^(?:\w+: )?No connection established/.test(error.details)) {
        return { outcome: "NOT_SENT", error: described, bankMessage: "bank service unreachable (connection refused): not sent", unreachable: true };
      }
      return { outcome: "NO_ANSWER", error: described };
    default:
      return { outcome: "NO_ANSWER", error: described };
  }
}
