import { createSecretKey, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import type { MandiriCredentials } from "../credentials";
import type { SandboxContext } from "../core/context";
import { basicCredentials, bearerToken, fail, type Exchange, type Reply } from "../core/http";
import { safeEqual } from "../core/secure";
import { refuseToken } from "../core/tokens";
import { mandiriReply } from "./errors";

/**
 * Mandiri's API gateway convention (webMethods): GET /rest/pub/apigateway/jwt/getJsonWebToken
 * ?app_id=... with Basic appKey:appSecret answers {"jwt"}; calls then carry it as a Bearer token.
 * The JWT is HS256, signed with a key that lives only in this process, so a restart invalidates
 * every token, as a real gateway's key rotation would.
 */
export interface MandiriTokens {
  issue(ex: Exchange): () => Reply;
  verify(ex: Exchange): void;
}

const unauthorized = (why: string) => mandiriReply(401, "11", `Unauthorized: ${why}`);

export function createMandiriTokens(ctx: SandboxContext, creds: MandiriCredentials): MandiriTokens {
  // A KeyObject, not the raw bytes: given a Buffer, jsonwebtoken first tries to parse it as a PEM
  // public key on every call (~500 µs per sign or verify instead of ~20 µs).
  const key = createSecretKey(randomBytes(32));
  const audience = "TbwPayment";
  return {
    issue(ex) {
      const basic = basicCredentials(ex.req);
      if (basic === undefined || !safeEqual(basic.user, creds.appKey) || !safeEqual(basic.password, creds.appSecret)) {
        fail(unauthorized("invalid app key or secret"));
      }
      if (ex.query.get("app_id") !== creds.appId) fail(unauthorized("unknown app_id"));
      return () => {
        const nowMs = ctx.now();
        const iat = Math.floor(nowMs / 1000);
        // exp is in whole seconds and verification compares whole seconds: rounding up makes the
        // token live at least the TTL (rounding down, a 1 s token issued at x.99 died 10 ms later).
        const exp = Math.ceil((nowMs + ctx.tokenTtlSeconds * 1000) / 1000);
        const claims: Record<string, unknown> = { sub: creds.appId, aud: audience, iat, exp };
        const token = jwt.sign(claims, key, { algorithm: "HS256" });
        return { status: 200, body: { jwt: token } };
      };
    },
    verify(ex) {
      const token = bearerToken(ex.req);
      if (token === undefined) refuseToken(ctx, unauthorized("Bearer token missing"));
      try {
        jwt.verify(token, key, { algorithms: ["HS256"], audience, subject: creds.appId, clockTimestamp: Math.floor(ctx.now() / 1000) });
      } catch {
        refuseToken(ctx, unauthorized("token invalid or expired"));
      }
    },
  };
}
