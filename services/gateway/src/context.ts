import { createContextKey } from "@connectrpc/connect";
import type { AppIdentity } from "./app-auth";

/** Values the transports put in every call's context, read by the interceptors and handlers. */

/** The caller's IP as the socket (or a trusted proxy's X-Forwarded-For) says; undefined when unknown. */
export const callerIpKey = createContextKey<string | undefined>(undefined, { description: "caller IP" });

/**
 * Who the caller counts against where sources get shares (server.ts's callerOf): its IP, an IPv6
 * /64, or the trusted proxy itself when its X-Forwarded-For is garbled; undefined when unknown.
 */
export const callerSourceKey = createContextKey<string | undefined>(undefined, { description: "caller source" });

/** How the call arrived: rest, connect, grpc or grpc-web (for logs and metrics). */
export const transportKey = createContextKey<string>("connect", { description: "transport" });

/** The authenticated app, set by the auth interceptor. */
export const identityKey = createContextKey<AppIdentity | undefined>(undefined, { description: "app identity" });

/**
 * Why the token or IP was refused, when a transport checked them before reading the body
 * (rpc-handler.ts); the auth interceptor throws it, so the refusal is answered in the caller's
 * protocol, logged and counted like any other.
 */
export const authRefusalKey = createContextKey<Error | undefined>(undefined, { description: "app authentication refused" });

/**
 * Uses up the call's token (claims its jti; refused if it was used before), set on Transfer by the
 * token-use interceptor. The transfer service calls it once it records a transfer or answers with
 * one recorded, so a refusal by routing or by a bank's limit leaves the token for the retry.
 * Calling it again is free: the first claim's outcome stands.
 */
export const useTokenKey = createContextKey<(() => Promise<void>) | undefined>(undefined, { description: "use up the token" });

/**
 * Set to reached by the outermost interceptor: a call that ends with it unset was refused by
 * Connect while reading the request (undecodable, too large), before any check of ours.
 */
export const interceptedKey = createContextKey<{ reached: boolean } | undefined>(undefined, { description: "reached the interceptors" });
