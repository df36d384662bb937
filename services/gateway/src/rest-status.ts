import { refusalCodes } from "./errors";

/**
 * The one place where REST departs from Connect's code -> HTTP table (codeToHttpStatus): an
 * idempotency conflict is 422, as MISSION.md names it and the IETF Idempotency-Key draft says
 * (gRPC/Connect carry it as ALREADY_EXISTS, which Connect's table maps to 409). Every other
 * status is Connect's, as MISSION.md has them derive: an oversized body (106,
 * RESOURCE_EXHAUSTED) is 429 on REST as on Connect, and its statusCode says it is no rate limit.
 */
export function restHttpStatus(statusCode: string, connectHttpStatus: number): number {
  return statusCode === refusalCodes("IDEMPOTENCY_CONFLICT").statusCode ? 422 : connectHttpStatus;
}
