import { createHmac } from "node:crypto";
import type { BniCredentials } from "../credentials";
import type { SandboxContext } from "../core/context";
import { basicCredentials, fail, header, type Exchange, type Reply } from "../core/http";
import { safeEqual, sameJson } from "../core/secure";
import { refuseToken, type TokenStore } from "../core/tokens";
import { bniError } from "./errors";

/** POST /api/oauth/token: Basic client credentials, form grant_type=client_credentials. */
export function bniToken(ex: Exchange, ctx: SandboxContext, tokens: TokenStore, creds: BniCredentials): () => Reply {
  const basic = basicCredentials(ex.req);
  if (basic === undefined || !safeEqual(basic.user, creds.clientId) || !safeEqual(basic.password, creds.clientSecret)) {
    fail(bniError(401, "0401", "Unauthorized", "invalid client credentials"));
  }
  if (new URLSearchParams(ex.body.toString("utf8")).get("grant_type") !== "client_credentials") {
    fail(bniError(400, "0410", "Invalid request", "grant_type must be client_credentials"));
  }
  return () => {
    const { accessToken, expiresIn } = tokens.issue();
    ctx.logger.debug("token issued");
    return { status: 200, body: { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope: "resource.WRITE resource.READ" } };
  };
}

/** Every API call: `?access_token=` (0401) and X-API-Key (0402). */
export function verifyBniCall(ex: Exchange, ctx: SandboxContext, tokens: TokenStore, creds: BniCredentials): void {
  const token = ex.query.get("access_token");
  if (token === null || !tokens.isValid(token)) refuseToken(ctx, bniError(401, "0401", "Unauthorized", "access_token missing, invalid or expired"));
  const apiKey = header(ex.req, "x-api-key");
  if (apiKey === undefined || !safeEqual(apiKey, creds.apiKey)) fail(bniError(401, "0402", "Unauthorized", "X-API-Key missing or wrong"));
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const invalid = (why: string) => bniError(401, "0403", "Invalid signature", why);

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The v1 in-body signature: request.header.signature is a compact HS256 JWT made with the API
 * secret whose payload is the body without the signature field. The HMAC is verified over the
 * segments as received (BNI's own docs disagree on the header's key order), then the decoded
 * payload must equal the body semantically, so an altered field is refused.
 */
export function verifyBniSignature(body: unknown, apiSecret: string): void {
  const request = (body as { request?: { header?: Record<string, unknown> } } | null)?.request;
  const signature = request?.header?.signature;
  if (typeof signature !== "string") fail(invalid("request.header.signature is missing"));
  const parts = signature.split(".");
  const [head, payload, mac] = parts;
  if (parts.length !== 3 || head === undefined || payload === undefined || mac === undefined || !parts.every((p) => SEGMENT.test(p))) {
    fail(invalid("signature is not a compact JWT"));
  }
  const expected = createHmac("sha256", apiSecret).update(`${head}.${payload}`).digest("base64url");
  if (!safeEqual(mac, expected)) fail(invalid("signature does not verify"));
  const jose = decodeSegment(head) as { alg?: unknown } | undefined;
  if (jose?.alg !== "HS256") fail(invalid("signature alg must be HS256"));
  const unsignedHeader = { ...request?.header };
  delete unsignedHeader.signature;
  const unsigned = { ...(body as Record<string, unknown>), request: { ...request, header: unsignedHeader } };
  if (!sameJson(decodeSegment(payload), unsigned)) fail(invalid("signed payload differs from the body"));
}
