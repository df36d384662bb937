import { CLOCK_TOLERANCE_SECONDS, peekClaims, peekSubject, SignatureError, TokenError, transferRequestClaim, verifyHs256, type Claims, type TransferCriticalFields } from "@gerbang/shared";
import { GatewayError } from "./errors";
import type { RegisteredClient } from "./registry";

/** MISSION.md section 3: an app token lives at most 5 minutes. */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;

/** Who is calling, after the token and the caller's IP were checked. */
export interface AppIdentity {
  client: RegisteredClient;
  /** The token's id, to be claimed once (jti-store.ts). */
  jti: string;
  /**
   * When the gateway stops accepting the token: exp plus the clock tolerance. The jti must be
   * remembered at least until then, or a replay in the tolerance after exp would pass.
   */
  expiresAt: Date;
  claims: Claims;
}

export interface AppAuthDeps {
  audience: string;
  clients: () => ReadonlyMap<string, RegisteredClient>;
  /** Seconds since the epoch (tests pass a fixed clock). */
  nowSeconds?: () => number;
}

export interface AppAuthenticator {
  /** Checks the bearer token (HS256 only, aud, iat, exp, lifetime, jti present) and the caller's IP. */
  authenticate(authorization: string | null, callerIp: string | undefined): AppIdentity;
  /** On Transfer: the token's `req` claim must be the hash of this transfer's critical fields. */
  assertBoundTo(identity: AppIdentity, fields: TransferCriticalFields): void;
}

const unauthenticated = (message: string, cause?: unknown) => new GatewayError("UNAUTHENTICATED", message, { cause });

/**
 * Until a token's signature checks out, every refusal reads the same: an unknown or disabled
 * client, a malformed token, another algorithm, another key. Otherwise a caller could try
 * subjects and learn which client ids exist (an unknown one would be refused before the signature).
 */
const NOT_OURS = "invalid token: unknown client, or not signed with its key (HS256)";

/**
 * A Gerbang app token is a few hundred characters (six claims, a jti of at most 128). Anything far
 * longer is refused before it is decoded: a stranger needs no key to make the gateway parse up to
 * the 64 KB an HTTP/2 header may carry.
 */
export const MAX_AUTHORIZATION_LENGTH = 4096;

/** The active client the token names (sub), or the refusal; a stranger learns nothing of which ids exist. */
function activeClientOf(token: string, clients: ReadonlyMap<string, RegisteredClient>): RegisteredClient {
  const clientId = peekSubject(token);
  // A number says only how the token was made, not whether such a client exists.
  if (clientId === undefined && typeof peekClaims(token)?.sub === "number") throw unauthenticated("token sub must be the app's client id as a string (\"3\", not 3)");
  const client = clientId === undefined ? undefined : clients.get(clientId);
  if (client?.active !== true) throw unauthenticated(NOT_OURS);
  return client;
}

export function createAppAuthenticator(deps: AppAuthDeps): AppAuthenticator {
  return {
    authenticate: (authorization, callerIp) => {
      if ((authorization?.length ?? 0) > MAX_AUTHORIZATION_LENGTH) throw unauthenticated(`authorization longer than ${MAX_AUTHORIZATION_LENGTH} characters`);
      // The scheme is case-insensitive (RFC 7235): "bearer" is the same scheme.
      const token = /^Bearer ([\w-]+\.[\w-]*\.[\w-]*)$/i.exec(authorization ?? "")?.[1];
      if (token === undefined) throw unauthenticated("missing or malformed authorization: expected `Bearer <JWT>`");
      const client = activeClientOf(token, deps.clients());
      let claims: Claims;
      try {
        claims = verifyHs256(token, client.keyToken, {
          audience: deps.audience,
          maxLifetimeSeconds: MAX_TOKEN_LIFETIME_SECONDS,
          ...(deps.nowSeconds === undefined ? {} : { nowSeconds: deps.nowSeconds() }),
        });
      } catch (error) {
        if (error instanceof SignatureError) throw unauthenticated(NOT_OURS, error);
        if (error instanceof TokenError) throw unauthenticated(error.message, error);
        throw error;
      }
      const jti = claims.jti;
      if (typeof jti !== "string" || jti === "" || jti.length > 128) throw unauthenticated("token must carry a jti: a string of 1 to 128 characters");
      if (callerIp === undefined || !client.allow.matches(callerIp)) {
        throw new GatewayError("FORBIDDEN_IP", `caller IP ${callerIp ?? "(unknown)"} is not allowed for client ${client.clientId}`);
      }
      return { client, jti, expiresAt: new Date((claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000), claims };
    },
    assertBoundTo: (identity, fields) => {
      const req: unknown = identity.claims.req;
      if (typeof req !== "string") throw unauthenticated("token has no req claim binding it to this transfer");
      const expected = transferRequestClaim(fields);
      if (req !== expected) {
        throw unauthenticated(req === expected.toUpperCase() ? "token req claim must be lowercase hex" : "token req claim does not match this transfer's content");
      }
    },
  };
}
