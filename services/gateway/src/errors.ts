import { Code, ConnectError } from "@connectrpc/connect";

/**
 * The paper's `statusCode` table, in one place. Codes 0xx describe a transfer that exists (the
 * answer carries it); 1xx and 2xx are refusals before the request recorded anything (a replayed
 * token's earlier request may have: its message says so); 9xx say the request
 * could not be completed and may or may not have been recorded, so the app retries with the same
 * clientReferenceNo (a replay returns the transfer if it exists, never a second one). HTTP statuses
 * come from Connect's code table (codeToHttpStatus), except the REST overrides in rest-status.ts.
 */
export const STATUS = {
  success: { statusCode: "000", message: "Success transfer!" },
  pending: { statusCode: "001", message: "Transfer is being processed; its final status is not known yet" },
  declined: { statusCode: "002", message: "Transfer declined by the bank" },
  notSent: { statusCode: "003", message: "Transfer not sent: the bank could not be reached, or its service refused it before sending; nothing was booked" },
  settledFailed: { statusCode: "004", message: "Transfer failed: settled by an operator after checking with the bank (bankResponseMessage says why)" },
} as const;

/**
 * An unexpected error can happen after the transfer was recorded (and even sent): the message must
 * not let the app think nothing exists, or a retry under a new clientReferenceNo could pay twice.
 * Nor does it send the app to look the transfer up: a write in doubt can land after the lookup,
 * whose "not found" would have been taken for proof.
 */
export const INTERNAL_ERROR_MESSAGE = "internal error: the transfer may have been recorded; retry it with the same clientReferenceNo, never a new one";

/**
 * A lookup's "not found" answers for what the ledger shows now. After a Transfer answered 9xx (its
 * insert in doubt: a write-concern timeout, a socket timeout) the insert can still land, and the
 * resolver then sends it: an app that took this for "never recorded" and paid under a new
 * reference would pay twice. The retry with the same clientReferenceNo is what settles it.
 */
export const TRANSFER_NOT_FOUND_MESSAGE = "transfer not found (so far: a Transfer answered 9xx may still be recorded; retry it with the same clientReferenceNo, never a new one)";

/** Why a request was refused before (or instead of) touching the ledger. */
export type RefusalKind =
  | "INVALID_REQUEST"
  | "REQUEST_TOO_LARGE"
  | "UNKNOWN_BANK"
  | "NO_ROUTE"
  | "IDEMPOTENCY_CONFLICT"
  | "NOT_FOUND"
  | "UNAUTHENTICATED"
  | "FORBIDDEN_IP"
  | "UNAVAILABLE"
  | "INTERNAL";

/** Metadata key (HTTP header / gRPC trailer) that carries our statusCode on every refusal. */
export const STATUS_CODE_HEADER = "gerbang-status-code";

/** A refusal with its kind; the message is safe to show the caller. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(readonly kind: RefusalKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** statusCode and gRPC code of each refusal: the one mapping at the edge boundary. */
export function refusalCodes(kind: RefusalKind): { statusCode: string; code: Code } {
  switch (kind) {
    case "INVALID_REQUEST": return { statusCode: "101", code: Code.InvalidArgument };
    case "UNKNOWN_BANK": return { statusCode: "102", code: Code.InvalidArgument };
    case "NO_ROUTE": return { statusCode: "103", code: Code.FailedPrecondition };
    // 422 in REST (rest-status.ts); ALREADY_EXISTS because Connect's table has no 422.
    case "IDEMPOTENCY_CONFLICT": return { statusCode: "104", code: Code.AlreadyExists };
    case "NOT_FOUND": return { statusCode: "105", code: Code.NotFound };
    case "REQUEST_TOO_LARGE": return { statusCode: "106", code: Code.ResourceExhausted };
    case "UNAUTHENTICATED": return { statusCode: "201", code: Code.Unauthenticated };
    case "FORBIDDEN_IP": return { statusCode: "202", code: Code.PermissionDenied };
    case "UNAVAILABLE": return { statusCode: "901", code: Code.Unavailable };
    case "INTERNAL": return { statusCode: "999", code: Code.Internal };
  }
}

/** The statusCode a Connect error carries, or the one its code implies when it came from Connect itself. */
export function statusCodeOf(error: ConnectError): string {
  const given = error.metadata.get(STATUS_CODE_HEADER);
  if (given !== null) return given;
  switch (error.code) {
    case Code.InvalidArgument: case Code.OutOfRange: return refusalCodes("INVALID_REQUEST").statusCode;
    case Code.ResourceExhausted: return refusalCodes("REQUEST_TOO_LARGE").statusCode;
    case Code.Unauthenticated: return refusalCodes("UNAUTHENTICATED").statusCode;
    case Code.PermissionDenied: return refusalCodes("FORBIDDEN_IP").statusCode;
    case Code.NotFound: return refusalCodes("NOT_FOUND").statusCode;
    case Code.Unavailable: case Code.DeadlineExceeded: case Code.Canceled: return refusalCodes("UNAVAILABLE").statusCode;
    default: return refusalCodes("INTERNAL").statusCode;
  }
}

/** Turns anything thrown below the edge into a ConnectError; unknown errors become INTERNAL with the cause kept. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) {
    if (error.metadata.get(STATUS_CODE_HEADER) === null) error.metadata.set(STATUS_CODE_HEADER, statusCodeOf(error));
    return error;
  }
  const refusal = error instanceof GatewayError ? error : unexpected(error);
  const { statusCode, code } = refusalCodes(refusal.kind);
  return new ConnectError(refusal.message, code, { [STATUS_CODE_HEADER]: statusCode }, undefined, refusal.cause ?? refusal);
}

function unexpected(error: unknown): GatewayError {
  if (isDatabaseUnreachable(error)) {
    return new GatewayError("UNAVAILABLE", "the ledger's database is unreachable; try again with the same clientReferenceNo, never a new one", { cause: error });
  }
  return new GatewayError("INTERNAL", INTERNAL_ERROR_MESSAGE, { cause: error });
}

/**
 * The driver's "could not reach the database" errors (by name: only store files import the
 * driver), also when wrapped: a grouped insert's network error comes as a MongoBulkWriteError
 * holding it in `errorResponse`. They are UNAVAILABLE, not INTERNAL: the app may retry, and its
 * clientReferenceNo makes the retry safe whether or not the interrupted write landed.
 */
function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (/^(?:Mongo(?:ose)?(?:ServerSelection|Network|NetworkTimeout|TopologyClosed|NotConnected|PoolCleared)Error|PoolClearedOnNetworkError)$/.test(error.name)) return true;
  const { errorResponse } = error as { errorResponse?: unknown };
  return isDatabaseUnreachable(error.cause, depth + 1) || isDatabaseUnreachable(errorResponse, depth + 1);
}
