import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { interceptedKey, transportKey } from "./context";
import { STATUS_CODE_HEADER } from "./errors";
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
}

/**
 * Connect, gRPC and gRPC-Web on the router's handlers, as @connectrpc/connect-node's adapter
 * serves them, plus one thing: a request Connect refused while reading it (a body it cannot
 * decode, an unknown field, one too large, a content type it does not serve), before any
 * interceptor ran, is logged and counted like every other call and carries our statusCode: 101,
 * or 106 when too large. Nothing was recorded; Connect's own code for an undecodable protobuf
 * body, INTERNAL, would otherwise read as 999 ("may have been recorded").
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
    handler(universalRequestFromNodeRequest(req, res, undefined, contextValues))
      .then((answer) => {
        if (intercepted.reached) return universalResponseToNodeResponse(answer, res);
        // The handler resolves once the answer's first bytes exist, so a refusal's status is set by now.
        const { statusCode, code } = refusalOf(answer);
        const route = routeLabel(handler.method);
        observeRefusal(deps, { route, logRoute: route, transport: contextValues.get(transportKey), started, statusCode, message: `refused while reading the request (${code})` });
        return universalResponseToNodeResponse(withStatusCode(answer, statusCode), res);
      })
      .catch((reason: unknown) => {
        // The client went away (cancelled, or its connection closed mid-request): nothing failed here.
        if (ConnectError.from(reason).code === Code.Aborted || res.destroyed) return;
        deps.logger.error({ err: reason, route: routeLabel(handler.method) }, "RPC handler failed");
      });
  };
}

/** Our statusCode for a request refused while it was read, and the protocol's own code (for the log). */
function refusalOf(answer: UniversalServerResponse): { statusCode: string; code: string } {
  const grpcStatus = new Headers(answer.trailer).get("grpc-status") ?? new Headers(answer.header).get("grpc-status");
  const tooLarge = grpcStatus === null ? answer.status === 429 : grpcStatus === String(Code.ResourceExhausted);
  return { statusCode: tooLarge ? "106" : "101", code: grpcStatus === null ? `HTTP ${answer.status}` : `grpc-status ${grpcStatus}` };
}

/** The answer with our statusCode in its headers and, for gRPC, its trailers, where refusals carry it. */
function withStatusCode(answer: UniversalServerResponse, statusCode: string): UniversalServerResponse {
  const header = new Headers(answer.header); // a copy: Connect's canned answers share theirs
  header.set(STATUS_CODE_HEADER, statusCode);
  if (answer.trailer instanceof Headers) answer.trailer.set(STATUS_CODE_HEADER, statusCode); // this call's own
  return { ...answer, header };
}
