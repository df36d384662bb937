import { createHash } from "node:crypto";

/** Alphabets the banks accept for their request ids. */
export const UPPER_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const DIGITS = "0123456789";

/**
 * The bank-side request id of one attempt: SHA-256 of `reference:attempt` written in the bank's
 * alphabet at the bank's length. Deterministic, so resending an attempt (after a crash, a timeout,
 * a token refresh) reuses the id and the bank's duplicate check stops a second booking; a new
 * attempt gets a new id. 256 bits are far more than any of the bank formats can hold, so each
 * character is (up to negligible bias) uniform.
 */
export function deriveRequestId(referenceNumber: string, attempt: number, alphabet: string, length: number): string {
  if (alphabet.length < 2) throw new Error("alphabet needs at least two characters");
  const digest = createHash("sha256").update(`${referenceNumber}:${attempt}`).digest("hex");
  let value = BigInt(`0x${digest}`);
  const base = BigInt(alphabet.length);
  let id = "";
  for (let i = 0; i < length; i += 1) {
    id = alphabet.charAt(Number(value % base)) + id;
    value /= base;
  }
  return id;
}
