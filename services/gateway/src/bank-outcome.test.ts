import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { BankTransferStatus } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { answerFromError, answerFromResponse, outcomeOfStatus, statusFromError, statusFromResponse } from "./bank-outcome";

const grpcError = (code: status, details: string): ServiceError =>
  Object.assign(new Error(details), { code, details, metadata: new Metadata() });

describe("bank outcome mapping", () => {
  it("is final only for explicit SUCCESS and FAILED", () => {
    expect(outcomeOfStatus(BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS)).toBe("SUCCESS");
    expect(outcomeOfStatus(BankTransferStatus.BANK_TRANSFER_STATUS_FAILED)).toBe("FAILED");
    expect(outcomeOfStatus(BankTransferStatus.BANK_TRANSFER_STATUS_PENDING)).toBe("PENDING");
    expect(outcomeOfStatus(BankTransferStatus.BANK_TRANSFER_STATUS_UNSPECIFIED)).toBe("PENDING");
    expect(outcomeOfStatus(BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND)).toBe("PENDING");
    expect(outcomeOfStatus(BankTransferStatus.UNRECOGNIZED)).toBe("PENDING");
  });

  it("keeps the bank's codes and request id from an answer", () => {
    const answer = answerFromResponse({
      status: BankTransferStatus.BANK_TRANSFER_STATUS_FAILED, bankReference: "", bankCode: "ESB-82-019",
      bankMessage: "insufficient fund", bankRequestId: "12345678",
    });
    expect(answer).toEqual({ outcome: "FAILED", bankRequestId: "12345678", bankCode: "ESB-82-019", bankMessage: "insufficient fund", bankReference: "" });
  });

  it.each([
    [status.UNAUTHENTICATED, "bad token", "NOT_SENT"],
    [status.INVALID_ARGUMENT, "remark too long", "NOT_SENT"],
    [status.FAILED_PRECONDITION, "no route", "NOT_SENT"],
    [status.UNAVAILABLE, "bank token endpoint down: not sent", "NOT_SENT"],
    [status.UNAVAILABLE, "connection reset", "NO_ANSWER"],
    [status.DEADLINE_EXCEEDED, "deadline", "NO_ANSWER"],
    [status.INTERNAL, "boom", "NO_ANSWER"],
    [status.UNKNOWN, "?", "NO_ANSWER"],
  ])("maps gRPC %s (%s) to %s", (code, details, outcome) => {
    const answer = answerFromError(grpcError(code, details));
    expect(answer.outcome).toBe(outcome);
    expect(answer.error).toContain(details);
  });

  it.each([
    [status.UNAUTHENTICATED, "no partner row for bank 009, so no key to verify with", "the bank service refused the gateway's credentials: not sent"],
    [status.FAILED_PRECONDITION, "route is misconfigured: http://10.0.0.5/api", "the bank service refused to send this transfer (its setup, or a rule of the bank, forbids it): not sent"],
    [status.UNAVAILABLE, "token endpoint http://10.0.0.5/oauth answered 500: not sent", "the bank could not be reached: not sent"],
  ])("tells the app a fixed reason for gRPC %s, never the service's own text (%s)", (code, details, told) => {
    const answer = answerFromError(grpcError(code, details));
    expect(answer.bankMessage).toBe(told);
    expect(answer.error).toContain(details); // kept for the ledger and the logs
  });

  it("passes on a refusal of the request's content: it is about what the app sent", () => {
    expect(answerFromError(grpcError(status.INVALID_ARGUMENT, "remark: at most 36 characters")).bankMessage).toBe("remark: at most 36 characters");
  });

  // The inquiry's answer decides whether the resolver re-sends: only an explicit NOT_FOUND may
  // lead to a re-send, so a default or unknown status must read as "the bank has it" (PENDING).
  it.each([
    [BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS, "SUCCESS"],
    [BankTransferStatus.BANK_TRANSFER_STATUS_FAILED, "FAILED"],
    [BankTransferStatus.BANK_TRANSFER_STATUS_PENDING, "PENDING"],
    [BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND, "NOT_FOUND"],
    [BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN, "UNKNOWN"],
    [BankTransferStatus.BANK_TRANSFER_STATUS_UNSPECIFIED, "PENDING"],
    [BankTransferStatus.UNRECOGNIZED, "PENDING"],
  ])("reads inquiry status %s as %s", (bankStatus, read) => {
    const answer = statusFromResponse({ status: bankStatus, bankReference: "R1", bankCode: "00", bankMessage: "m", bankRequestId: "q1" });
    expect(answer).toEqual({ status: read, bankReference: "R1", bankCode: "00", bankMessage: "m", bankRequestId: "q1" });
  });

  it.each([
    [status.UNAVAILABLE, "bank token endpoint down: not sent", { status: "NOT_SENT", unreachable: true }],
    [status.UNAUTHENTICATED, "bad token", { status: "NOT_SENT" }],
    [status.UNAVAILABLE, "connection reset", { status: "NO_ANSWER" }],
    [status.DEADLINE_EXCEEDED, "deadline", { status: "NO_ANSWER" }],
  ])("reads an inquiry that failed with gRPC %s (%s) as %o", (code, details, read) => {
    const answer = statusFromError(grpcError(code, details));
    expect(answer).toEqual({ ...read, error: expect.stringContaining(details) as unknown });
  });
});
