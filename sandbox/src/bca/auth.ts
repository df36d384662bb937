import type { BcaCredentials } from "../credentials";
import type { SandboxContext } from "../core/context";
import { basicCredentials, bearerToken, fail, hasContentType, header, type Exchange, type Reply } from "../core/http";
import { safeEqual } from "../core/secure";
import { refuseToken, type TokenStore } from "../core/tokens";
import { esb } from "./errors";
import { bcaSignature } from "./signature";

/**
 * POST /api/oauth/token: a form body (else (ours) ESB-14-015, invalid content type), Basic client
 * credentials and grant_type=client_credentials, else ESB-14-008.
 */
export function bcaToken(ex: Exchange, tokens: TokenStore, creds: BcaCredentials): () => Reply {
  if (!hasContentType(ex.req, "application/x-www-form-urlencoded")) fail(esb("ESB-14-015", "Content-Type must be application/x-www-form-urlencoded"));
  const basic = basicCredentials(ex.req);
  const grant = new URLSearchParams(ex.body.toString("utf8")).get("grant_type");
  if (basic === undefined || !safeEqual(basic.user, creds.clientId) || !safeEqual(basic.password, creds.clientSecret) || grant !== "client_credentials") {
    fail(esb("ESB-14-008"));
  }
  return () => {
    const { accessToken, expiresIn } = tokens.issue();
    return { status: 200, body: { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope: "resource.WRITE resource.READ" } };
  };
}

/** yyyy-MM-ddTHH:mm:ss.SSS with a zone designator (BCA requires the milliseconds). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;
/** Accepted clock difference either way (bank-apis.md section 5: plus or minus 5 minutes). */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

/**
 * Every API call, in BCA's order: Bearer token (ESB-14-009), X-BCA-Key (ESB-14-021),
 * X-BCA-Timestamp within 5 minutes (ESB-14-003), X-BCA-Signature over the request as received
 * (ESB-14-001).
 */
export function verifyBcaCall(ex: Exchange, ctx: SandboxContext, tokens: TokenStore, creds: BcaCredentials): void {
  const token = bearerToken(ex.req);
  if (token === undefined || !tokens.isValid(token)) refuseToken(ctx, esb("ESB-14-009", "access token missing, invalid or expired"));
  const apiKey = header(ex.req, "x-bca-key");
  if (apiKey === undefined || !safeEqual(apiKey, creds.apiKey)) fail(esb("ESB-14-021"));
  const timestamp = header(ex.req, "x-bca-timestamp") ?? "";
  const at = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at) || Math.abs(ctx.now() - at) > TIMESTAMP_WINDOW_MS) fail(esb("ESB-14-003"));
  const signature = header(ex.req, "x-bca-signature") ?? "";
  const expected = bcaSignature(creds.apiSecret, {
    method: ex.method, path: ex.path, rawQuery: ex.rawQuery, accessToken: token, body: ex.body.toString("utf8"), timestamp,
  });
  if (!safeEqual(signature, expected)) fail(esb("ESB-14-001"));
  // BCA requires the Origin its client registered on every call (bank-apis.md 2.1); which code a
  // missing one gets is not published: (ours) ESB-14-019, connection not allowed.
  if ((header(ex.req, "origin") ?? "").trim() === "") fail(esb("ESB-14-019", "Origin header missing"));
}

/** KlikBCA Bisnis's channel, the ChannelID BCA's services that need one take (bank-apis.md 2.1). */
export const BCA_CHANNEL_ID = "95051";

/**
 * The transfer status inquiry also needs `ChannelID` (95051) and `CredentialID` (the corporate
 * ID), as BCA documents it: either missing or wrong is 401 ESB-14-014.
 */
export function verifyBcaChannel(ex: Exchange, creds: BcaCredentials): void {
  const channelId = header(ex.req, "ChannelID") ?? "";
  const credentialId = header(ex.req, "CredentialID") ?? "";
  if (channelId !== BCA_CHANNEL_ID || !safeEqual(credentialId, creds.corporateId)) fail(esb("ESB-14-014"));
}
