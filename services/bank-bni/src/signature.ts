import { createHmac } from "node:crypto";

/** The JOSE header BNI's documentation shows, base64url: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9. */
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");

/**
 * BNI p2pl v1 signature: a compact HS256 JWT made with the API secret over the compact JSON of
 * the body without the signature field, placed in request.header.signature. Written by hand
 * rather than with jsonwebtoken, which would add an `iat` claim the bank does not expect.
 */
export function bniSignature(unsignedBodyJson: string, apiSecret: string): string {
  const payload = Buffer.from(unsignedBodyJson).toString("base64url");
  const mac = createHmac("sha256", apiSecret).update(`${HEADER}.${payload}`).digest("base64url");
  return `${HEADER}.${payload}.${mac}`;
}
