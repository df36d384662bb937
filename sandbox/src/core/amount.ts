/**
 * Amount rules every sandbox applies. Money is whole rupiah held as bigint, so no float ever
 * touches a balance. Limits: Rp500,000,000 per intrabank transfer and the BI-FAST ceiling of
 * Rp250,000,000 per interbank transfer (bank-apis.md section 5).
 */
export const INTRABANK_LIMIT = 500_000_000n;
export const INTERBANK_LIMIT = 250_000_000n;

/** More digits than this is far over any limit; refusing it early keeps BigInt parsing bounded. */
const MAX_DIGITS = 15;

/** BNI and Mandiri: a string of digits, whole rupiah, greater than zero. undefined when invalid. */
export function parseWholeRupiah(value: unknown): bigint | undefined {
  if (typeof value !== "string" || !/^\d+$/.test(value) || value.length > MAX_DIGITS) return undefined;
  const amount = BigInt(value);
  return amount > 0n ? amount : undefined;
}

/**
 * BCA: decimal 13.2 ("100000.00"). The sandbox moves whole rupiah only, so a non-zero fraction
 * is refused as an invalid amount rather than silently rounded.
 */
export function parseBcaAmount(value: unknown): bigint | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value);
  if (match === null || /[1-9]/.test(match[2] ?? "")) return undefined;
  const amount = BigInt(match[1] ?? "0");
  return amount > 0n ? amount : undefined;
}

/** BCA's rendering of an amount: "150000.00". */
export function formatBcaAmount(amount: bigint): string {
  return `${amount.toString()}.00`;
}
