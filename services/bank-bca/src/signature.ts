import { createHash, createHmac } from "node:crypto";
import { JAKARTA_OFFSET_MS } from "@gerbang/shared";

/**
 * X-BCA-Signature of BCA's legacy corporate API:
 *   lowercase hex HMAC-SHA256(apiSecret, METHOD:RelativeUrl:AccessToken:lowerhex(SHA-256(body')):Timestamp)
 * where body' is the body with ALL whitespace removed, inside string values too (BCA's published
 * example only matches when "Transfer Test" is hashed as "TransferTest"). "Whitespace" is the set
 * BCA's Java and PHP clients strip (\s there): space, tab, LF, VT, FF, CR; not JavaScript's wider \s,
 * which would also strip e.g. a no-break space and then disagree with the bank.
 */
export function bcaBodyHash(body: string): string {
  return createHash("sha256").update(body.replace(/[ \t\n\v\f\r]/g, ""), "utf8").digest("hex");
}

/** Plain code-unit order (not locale order): what BCA's sorting of parameter names means. */
function byCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** RelativeUrl: path plus query, parameters sorted by name (BCA signs them sorted whatever order they are sent in). */
export function bcaRelativeUrl(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => byCodeUnits(a, b));
  if (params.length === 0) return url.pathname;
  return `${url.pathname}?${new URLSearchParams(params).toString()}`;
}

export interface BcaSignedRequest {
  method: string;
  relativeUrl: string;
  accessToken: string;
  body: string;
  timestamp: string;
}

export function bcaStringToSign(request: BcaSignedRequest): string {
  return [request.method.toUpperCase(), request.relativeUrl, request.accessToken, bcaBodyHash(request.body), request.timestamp].join(":");
}

export function bcaSignature(apiSecret: string, request: BcaSignedRequest): string {
  return createHmac("sha256", apiSecret).update(bcaStringToSign(request), "utf8").digest("hex");
}

/** X-BCA-Timestamp: yyyy-MM-ddTHH:mm:ss.SSS+07:00 (milliseconds required), in Jakarta time. */
export function bcaTimestamp(nowMs: number): string {
  return new Date(nowMs + JAKARTA_OFFSET_MS).toISOString().replace("Z", "+07:00");
}
