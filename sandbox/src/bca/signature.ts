import { createHash, createHmac } from "node:crypto";

/**
 * X-BCA-Signature as BCA publishes it (legacy Business Banking API):
 *   lowercase hex HMAC-SHA256(apiSecret,
 *     METHOD:RelativeUrl:AccessToken:lowercase hex SHA-256(body with ALL whitespace removed):Timestamp)
 * Whitespace inside string values is removed too: BCA's own example only matches when
 * "Transfer Test" is hashed as "TransferTest". The set is Java's and PHP's \s (what BCA's clients
 * use): space, tab, line feed, vertical tab, form feed, carriage return.
 */
export function stripWhitespace(body: string): string {
  return body.replace(/[ \t\n\v\f\r]/g, "");
}

export function bodyHash(body: string): string {
  return createHash("sha256").update(stripWhitespace(body), "utf8").digest("hex");
}

/** Path plus query with parameters sorted by name (stable), values as received. */
export function relativeUrl(path: string, rawQuery: string): string {
  if (rawQuery === "") return path;
  const params = rawQuery.split("&").filter((p) => p !== "");
  const name = (p: string) => p.split("=")[0] ?? "";
  params.sort((a, b) => {
    const na = name(a);
    const nb = name(b);
    if (na === nb) return 0;
    return na < nb ? -1 : 1;
  });
  return `${path}?${params.join("&")}`;
}

export interface SignedParts {
  method: string;
  path: string;
  rawQuery: string;
  accessToken: string;
  body: string;
  timestamp: string;
}

export function stringToSign(p: SignedParts): string {
  return [p.method.toUpperCase(), relativeUrl(p.path, p.rawQuery), p.accessToken, bodyHash(p.body), p.timestamp].join(":");
}

export function bcaSignature(apiSecret: string, parts: SignedParts): string {
  return createHmac("sha256", apiSecret).update(stringToSign(parts), "utf8").digest("hex");
}
