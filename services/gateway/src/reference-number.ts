import { createHash } from "node:crypto";

// Crockford's base32: no I, L, O, U, so a reference read over the phone cannot be misheard.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Our reference for a transfer: "GRB" + 13 base32 characters (65 bits) of SHA-256 over the app's
 * id and its clientReferenceNo, 16 characters of [0-9A-Z]. Derived, not random, so the ledger finds
 * a transfer by the app's own reference through its primary key: a replay, a concurrent duplicate
 * and GetTransfer by clientReferenceNo cost one _id lookup (any other filter is a full collection
 * scan on the embedded FerretDB). The ledger's _id index keeps it unique; two different
 * (app, clientReferenceNo) pairs meeting in 65 bits (about 1 in 700,000 at ten million transfers)
 * is refused as an internal error, never merged.
 */
export function referenceNumberFor(clientId: string, clientReferenceNo: string): string {
  const digest = createHash("sha256").update(`${clientId}\u0000${clientReferenceNo}`).digest();
  let out = "GRB";
  for (let i = 0; i < 13; i++) out += ALPHABET[(digest[i] ?? 0) & 31] ?? "0";
  return out;
}

