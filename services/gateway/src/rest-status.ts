import { refusalCodes } from "./errors";

/**
 * The one place where REST departs from Connect's code -> HTTP table (codeToHttpStatus):
 * - an idempotency conflict is 422, as MISSION.md and the IETF Idempotency-Key draft say
 *   (gRPC/Connect carry it as ALREADY_EXISTS, which Connect's table maps to 409);
 * - an oversized body is 413 Payload Too Large (Connect says RESOURCE_EXHAUSTED -> 429, which
 *   reads as rate limiting to an HTTP client).
 */
export function restHttpStatus(statusCode: string, connectHttpStatus: number): number {
  switch (statusCode) {
    case refusalCodes("IDEMPOTENCY_CONFLICT").statusCode: return 422;
    case refusalCodes("REQUEST_TOO_LARGE").statusCode: return 413;
    default: return connectHttpStatus;
  }
}
