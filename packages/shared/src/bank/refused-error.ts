import { status } from "@grpc/grpc-js";

/** The gRPC codes a bank service may answer with: each means "refused, nothing was sent to the bank". */
export type RefusalCode = status.UNAUTHENTICATED | status.INVALID_ARGUMENT | status.FAILED_PRECONDITION | status.UNAVAILABLE;

/**
 * A call refused before anything reached the bank. This is the only error a bank service returns
 * over gRPC: once a transfer request may have left, every outcome is an answer (PENDING at worst).
 */
export class RefusedError extends Error {
  override readonly name = "RefusedError";
  constructor(readonly code: RefusalCode, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export const unauthenticated = (reason: string, cause?: unknown): RefusedError =>
  new RefusedError(status.UNAUTHENTICATED, `unauthenticated, not sent: ${reason}`, { cause });

export const invalidArgument = (reason: string): RefusedError =>
  new RefusedError(status.INVALID_ARGUMENT, `invalid request, not sent: ${reason}`);

export const failedPrecondition = (reason: string): RefusedError =>
  new RefusedError(status.FAILED_PRECONDITION, `not sent: ${reason}`);

export const unavailable = (reason: string, cause?: unknown): RefusedError =>
  new RefusedError(status.UNAVAILABLE, `bank not reachable, not sent: ${reason}`, { cause });
