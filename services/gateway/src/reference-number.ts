import { randomBytes } from "node:crypto";

// Crockford's base32: no I, L, O, U, so a reference read over the phone cannot be misheard.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Our reference for a transfer: "GRB" + 13 random base32 characters (65 bits), 16 characters of
 * [0-9A-Z]. Uniqueness is enforced by the ledger's unique index; a collision is retried.
 */
export function newReferenceNumber(): string {
  const bytes = randomBytes(13);
  let out = "GRB";
  for (const byte of bytes) out += ALPHABET[byte & 31] ?? "0";
  return out;
}

/** YYYY-MM-DD in Asia/Jakarta (UTC+7 all year, no daylight saving): the banks' business day. */
export function jakartaDate(at: Date): string {
  return new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
