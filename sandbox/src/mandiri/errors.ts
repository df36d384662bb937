import { gatewayRateLimited, type BankErrors } from "../core/context";
import type { Reply } from "../core/http";
import type { Refusal } from "../core/ledger";

/**
 * Mandiri doPayment answers (our proposal: Mandiri publishes nothing for TbwPayment). Everything
 * is wrapped in "Response"; codes follow the ISO 8583 response codes Indonesian switches use.
 */
export function mandiriReply(status: number, responseCode: string, responseMessage: string, fields: Record<string, unknown> = {}): Reply {
  return { status, body: { Response: { responseCode, responseMessage, ...fields } } };
}

export const mandiriErrors: BankErrors = {
  invalidRequest: (message) => mandiriReply(400, "10", `Invalid request: ${message}`),
  contentType: () => mandiriReply(400, "10", "Invalid request: Content-Type must be application/json"),
  invalidJson: () => mandiriReply(400, "10", "Invalid request: body is not valid JSON"),
  tooLarge: () => mandiriReply(400, "10", "Invalid request: body exceeds 64 KiB"),
  // Not "25": that code means "no such transaction" to an inquiry, and a wrong path must never read as that.
  notFound: () => mandiriReply(404, "12", "Invalid transaction: no such service"),
  systemError: () => mandiriReply(500, "96", "System malfunction"),
  timeoutAfter: () => mandiriReply(504, "68", "Response received too late; outcome unknown"),
  rateLimited: gatewayRateLimited,
  // ISO 8583's "request in progress".
  inProgress: () => mandiriReply(202, "09", "Request in progress"),
};

export function mandiriRefusal(refusal: Refusal): { code: string; message: string } {
  switch (refusal) {
    case "insufficient-funds":
      return { code: "51", message: "Insufficient funds" };
    case "invalid-account":
      return { code: "14", message: "Invalid account: beneficiaryAccountNumber" };
    case "source-invalid":
      return { code: "14", message: "Invalid account: sourceAccountNumber" };
    case "dormant":
      return { code: "62", message: "Restricted account: dormant" };
    case "closed":
      return { code: "62", message: "Restricted account: closed" };
    case "limit-exceeded":
      return { code: "61", message: "Exceeds amount limit" };
    case "cutoff":
      return { code: "90", message: "Cut-off in progress" };
  }
}
