import { isMessage, type DescService } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { GetTransferRequestSchema, PaymentGatewayService, TransferRequestSchema } from "@gerbang/gen/es/payment/v1/gateway_pb";
import type { AppAuthenticator } from "./app-auth";
import { authRefusalKey, callerIpKey, identityKey, useTokenKey } from "./context";
import { GatewayError } from "./errors";
import { createShares } from "./shares";
import type { JtiStore } from "./jti-store";
import { assertValid, getTransferRequestViolations, transferRequestViolations } from "./validation";

/**
 * The edge's guards, in the order they run (REST, Connect and gRPC alike, since REST calls the
 * same router in-process; REST authenticates already before reading the body, rest-handler.ts):
 * authenticate the app and its IP; validate the request; shed load; check the token's `req`
 * binding and claim its jti. Cheap, stateless checks come first, so a forged or
 * malformed request never reaches the database; the jti is claimed last, so a request refused
 * for bad content does not use up the app's token. A Transfer claims it later still, in the
 * transfer service just before it records the transfer or answers with one recorded (useTokenKey),
 * so neither does a refusal by routing or by a bank's limit.
 */

/** The services whose calls need an app's token: the gateway's own (health and reflection do not). */
export const isGuardedService = (service: DescService) => service.typeName === PaymentGatewayService.typeName;

export function createAuthInterceptor(auth: AppAuthenticator): Interceptor {
  return (next) => (req) => {
    if (!isGuardedService(req.service)) return next(req);
    // The transports check the token before reading the body (rest-handler.ts, rpc-handler.ts) and
    // put the identity, or the refusal, in the context; those keys are only ever set by the
    // server, never from anything the caller sends. A call that arrives without either is checked here.
    const refusal = req.contextValues.get(authRefusalKey);
    if (refusal !== undefined) throw refusal;
    if (req.contextValues.get(identityKey) === undefined) {
      req.contextValues.set(identityKey, auth.authenticate(req.header.get("authorization"), req.contextValues.get(callerIpKey)));
    }
    return next(req);
  };
}

export function createValidationInterceptor(): Interceptor {
  return (next) => (req) => {
    if (!isGuardedService(req.service) || req.stream) return next(req);
    if (isMessage(req.message, TransferRequestSchema)) assertValid(transferRequestViolations(req.message));
    else if (isMessage(req.message, GetTransferRequestSchema)) assertValid(getTransferRequestViolations(req.message));
    else throw new GatewayError("INVALID_REQUEST", `no validation rules for ${req.method.name}`);
    return next(req);
  };
}

/**
 * Load shedding: at most `limits.total` edge calls at once, and at most `limits.perClient` of one
 * app, so no app can take every slot from the others. A call over a limit is refused as
 * UNAVAILABLE before its jti is claimed or anything recorded, so the app may retry the same
 * request, token included. Without it, an overload queues in the database pool until answers
 * arrive after the app gave up and the heap grows with every call held.
 */
export function createAdmissionInterceptor(limits: { total: number; perClient: number }): Interceptor {
  const calls = createShares({ total: limits.total, perKey: limits.perClient });
  return (next) => async (req) => {
    if (!isGuardedService(req.service)) return next(req);
    const taken = calls.take(req.contextValues.get(identityKey)?.client.clientId ?? "");
    if (taken.refused !== undefined) {
      const who = taken.refused === "total" ? `the gateway is at its limit of ${limits.total}` : `this app is at its limit of ${limits.perClient}`;
      throw new GatewayError("UNAVAILABLE", `${who} requests in flight; try again with the same clientReferenceNo`);
    }
    try {
      return await next(req);
    } finally {
      taken.release();
    }
  };
}

export const REPLAYED_TOKEN_MESSAGE = "token already used (jti replayed): make a new one; a Transfer sent with it may have been recorded, so retry it with a new token and the same clientReferenceNo";
/** The same refusal where nothing could have been recorded (a lookup): no advice about Transfers. */
export const REPLAYED_LOOKUP_TOKEN_MESSAGE = "token already used (jti replayed): every token serves one request; make a new one";

export function createTokenUseInterceptor(auth: AppAuthenticator, jtis: JtiStore): Interceptor {
  return (next) => async (req) => {
    if (!isGuardedService(req.service) || req.stream) return next(req);
    const identity = req.contextValues.get(identityKey);
    if (identity === undefined) throw new GatewayError("UNAUTHENTICATED", "not authenticated");
    let claimed: Promise<void> | undefined;
    // A replay is often an app's retry after an answer it never got: the message must not let it
    // think nothing exists, or a retry under a new clientReferenceNo could pay twice.
    const isTransfer = isMessage(req.message, TransferRequestSchema);
    const useToken = () => (claimed ??= jtis.claim(identity.client.clientId, identity.jti, identity.expiresAt).then((fresh) => {
      if (!fresh) throw new GatewayError("UNAUTHENTICATED", isTransfer ? REPLAYED_TOKEN_MESSAGE : REPLAYED_LOOKUP_TOKEN_MESSAGE);
    }));
    if (isTransfer) {
      auth.assertBoundTo(identity, req.message);
      req.contextValues.set(useTokenKey, useToken); // the transfer service claims it (see above)
    } else {
      await useToken();
    }
    return next(req);
  };
}
