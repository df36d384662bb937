import { randomBytes } from "node:crypto";
import { gatewayRateLimited, type BankErrors } from "../core/context";
import type { Reply } from "../core/http";
import type { Refusal } from "../core/ledger";

/**
 * BNI p2pl answers. Success is `{"response":{"responseCode":"0001",...}}`; every failure uses the
 * envelope clients and mocks see, `{"Response":{"parameters":{...}}}`. BNI publishes no error
 * catalogue, so the codes are ours (README table).
 */
export const BNI_SUCCESS = { responseCode: "0001", responseMessage: "Request has been processed successfully" } as const;

export function bniError(status: number, responseCode: string, responseMessage: string, errorMessage = responseMessage): Reply {
  return { status, body: { Response: { parameters: { responseCode, responseMessage, errorMessage } } } };
}

/** A 16-character [0-9A-Z] id, the shape of BNI's uuids. */
export function bniUuid(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** The success envelope, stamped. */
export function bniSuccess(now: number, fields: Record<string, unknown>): Reply {
  return {
    status: 200,
    body: { response: { ...BNI_SUCCESS, responseTimestamp: new Date(now).toISOString(), responseUuid: bniUuid(), ...fields } },
  };
}

export const bniErrors: BankErrors = {
  invalidRequest: (message) => bniError(400, "0410", "Invalid request", message),
  contentType: () => bniError(400, "0400", "Bad request", "Content-Type must be application/json"),
  invalidJson: () => bniError(400, "0400", "Bad request", "body is not valid JSON"),
  tooLarge: () => bniError(400, "0400", "Bad request", "body exceeds 64 KiB"),
  notFound: () => bniError(404, "0405", "Service not found", "no such endpoint"),
  systemError: () => bniError(500, "0900", "System error"),
  timeoutAfter: () => bniError(504, "0901", "Timeout, check transaction status"),
  rateLimited: gatewayRateLimited,
  inProgress: () => bniError(202, "0902", "Request in progress, check transaction status"),
};

/** Code and message of a decline; declines answer HTTP 200 with the error envelope. */
export function bniRefusal(refusal: Refusal): { code: string; message: string; detail: string } {
  switch (refusal) {
    case "insufficient-funds":
      return { code: "0111", message: "Insufficient balance", detail: "balance of accountNumber is insufficient" };
    case "invalid-account":
      return { code: "0112", message: "Account invalid or not found", detail: "beneficiaryAccountNumber not found" };
    case "source-invalid":
      return { code: "0112", message: "Account invalid or not found", detail: "accountNumber not found" };
    case "dormant":
      return { code: "0113", message: "Account dormant or closed", detail: "account is dormant" };
    case "closed":
      return { code: "0113", message: "Account dormant or closed", detail: "account is closed" };
    case "limit-exceeded":
      return { code: "0114", message: "Amount exceeds limit", detail: "amount exceeds the transaction limit" };
    case "cutoff":
      return { code: "0115", message: "Cut-off time exceeded", detail: "cut-off time exceeded, try again later" };
  }
}
