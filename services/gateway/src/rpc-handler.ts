import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { createAsyncIterable, type UniversalHandler, type UniversalServerRequest, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import type { AppIdentity } from "./app-auth";
import { authRefusalKey, callerIpKey, identityKey, interceptedKey, transportKey } from "./context";
import { closeIfBodyStillComing } from "./early-answer";
import { GatewayError, refusalCodes, STATUS_CODE_HEADER } from "./errors";
import { isGuardedService } from "./interceptors";
import { routeLabel } from "./metrics";
import { observeRefusal, type RefusalSink } from "./observe-interceptor";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface RpcHandlerDeps extends RefusalSink {
  /** The router's handlers: Connect, gRPC and gRPC-Web for every RPC. */
  handlers: readonly UniversalHandler[];
  contextValues: (req: NodeRequest) => ContextValues;
  /** Answers a path that is no RPC. */
  fallback: (req: NodeRequest, res: NodeResponse) => void;
  /** The app authenticator's check, run before a guarded call's body is read. */
  authenticate: (authorization: string | null, callerIp: string | undefined) => AppIdentity;
}

/**
 * Connect, gRPC and gRPC-Web on the router's handlers, as @connectrpc/connect-node's adapter
 * serves them, plus one thing: a request Connect refused while reading it (a body it cannot
 * decode, an unknown field, one too large, a content type it does not serve), before any
 * interceptor ran, is logged and counted like every other call and carries our statusCode: 101,
 * or 106 when too large (or a stranger's token refusal, below). Nothing was recorded; Connect's own code for an undecodable protobuf
 * body, INTERNAL, would otherwise read as 999 ("may have been recorded").
 *
 * And, as REST does, a call to a guarded service has its token and IP checked before its body is
 * read: a stranger's body is never read or decoded, and a bad token is refused 201 whatever the
 * body holds (before, an undecodable body got 101 first). The refused call goes on to Connect with
 * an empty message in place of its body, so Connect answers it in the caller's own protocol, and
 * the auth interceptor throws the refusal. Where Connect refuses it on its headers first, the
 * answer is Connect's, but it carries, and is counted with, the token's refusal (refusalOf).
 */
export function createRpcHandler(deps: RpcHandlerDeps): (req: NodeRequest, res: NodeResponse) => void {
  const paths = new Map(deps.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 2)[0] ?? "");
    if (handler === undefined) {
      deps.fallback(req, res);
      return;
    }
    const started = process.hrtime.bigint();
    const intercepted = { reached: false };
    const contextValues = deps.contextValues(req).set(interceptedKey, intercepted);
    const request = universalRequestFromNodeRequest(req, res, undefined, contextValues);
    handler(isGuardedService(handler.service) ? authenticatedFirst(request, contextValues, deps.authenticate) : request)
      .then((answer) => {
        closeIfBodyStillComing(req, res); // answered before the body was read: a stranger's token, a refusal by Connect
        if (intercepted.reached) return universalResponseToNodeResponse(answer, res);
        // The handler resolves once the answer's first bytes exist, so a refusal's status is set by now.
        const authRefusal = contextValues.get(authRefusalKey);
        // Not a refusal but the authenticator failing (its registry, say): the interceptor would have logged it as 999.
        if (authRefusal !== undefined && !(authRefusal instanceof GatewayError)) deps.logger.error({ err: authRefusal }, "app authentication failed");
        const { statusCode, message } = refusalOf(answer, authRefusal);
        const route = routeLabel(handler.method);
        observeRefusal(deps, { route, logRoute: route, transport: contextValues.get(transportKey), started, statusCode, message });
        return universalResponseToNodeResponse(withStatusCode(answer, statusCode), res);
      })
      .catch((reason: unknown) => {
        // The client went away (cancelled, or its connection closed mid-request): nothing failed here.
        if (ConnectError.from(reason).code === Code.Aborted || res.destroyed) return;
        deps.logger.error({ err: reason, route: routeLabel(handler.method) }, "RPC handler failed");
      });
  };
}

/**
 * Our statusCode for a request refused while it was read, and what to log. A stranger whose token
 * was already refused keeps that refusal's code (201, 202) when Connect refuses the request on its
 * headers too (a content type it does not serve, a GET of a method that takes none, a bad timeout):
 * the answer stays Connect's, in whatever protocol it could tell, but refused strangers are counted
 * as such, whatever else was wrong with their requests.
 */
function refusalOf(answer: UniversalServerResponse, authRefusal: Error | undefined): { statusCode: string; message: string } {
  const grpcStatus = new Headers(answer.trailer).get("grpc-status") ?? new Headers(answer.header).get("grpc-status");
  const code = grpcStatus === null ? `HTTP ${answer.status}` : `grpc-status ${grpcStatus}`;
  if (authRefusal instanceof GatewayError) {
    return { statusCode: refusalCodes(authRefusal.kind).statusCode, message: `${authRefusal.message}; the request was also refused while reading it (${code})` };
  }
  const tooLarge = grpcStatus === null ? answer.status === 429 : grpcStatus === String(Code.ResourceExhausted);
  return { statusCode: tooLarge ? "106" : "101", message: `refused while reading the request (${code})` };
}

/** The answer with our statusCode in its headers and, for gRPC, its trailers, where refusals carry it. */
function withStatusCode(answer: UniversalServerResponse, statusCode: string): UniversalServerResponse {
  const header = new Headers(answer.header); // a copy: Connect's canned answers share theirs
  header.set(STATUS_CODE_HEADER, statusCode);
  if (answer.trailer instanceof Headers) answer.trailer.set(STATUS_CODE_HEADER, statusCode); // this call's own
  return { ...answer, header };
}

/** The request with the app's identity in its context, or, refused, with the refusal and an empty message for a body. */
function authenticatedFirst(request: UniversalServerRequest, values: ContextValues, authenticate: RpcHandlerDeps["authenticate"]): UniversalServerRequest {
  try {
    values.set(identityKey, authenticate(request.header.get("authorization"), values.get(callerIpKey)));
    return request;
  } catch (error) {
    values.set(authRefusalKey, error instanceof Error ? error : new Error(String(error)));
    const body = emptyMessage(request.method, request.header.get("content-type") ?? "");
    if (body === undefined) return request; // a GET carries its message in the URL; a content type Connect refuses before reading
    const header = new Headers(request.header);
    // The empty message is not compressed (a gRPC frame says so itself), and Connect checks a body against its stated length.
    header.delete("content-encoding");
    header.delete("content-length");
    return { ...request, header, body };
  }
}

const GRPC_EMPTY_FRAME = new Uint8Array(5); // flags 0 (uncompressed), length 0
const GRPC_EMPTY_JSON_FRAME = new Uint8Array([0, 0, 0, 0, 2, 0x7b, 0x7d]); // "{}"

/** An empty message in the request's own encoding, or undefined when there is no body to replace. */
function emptyMessage(method: string, contentType: string): UniversalServerRequest["body"] | undefined {
  if (method !== "POST") return undefined;
  const type = contentType.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  const bytes = (...chunks: Uint8Array[]) => createAsyncIterable(chunks);
  switch (type) {
    case "application/json": return {};
    case "application/proto": return bytes();
    case "application/grpc": case "application/grpc+proto": case "application/grpc-web": case "application/grpc-web+proto": return bytes(GRPC_EMPTY_FRAME);
    case "application/grpc+json": case "application/grpc-web+json": return bytes(GRPC_EMPTY_JSON_FRAME);
    default: return undefined;
  }
}
