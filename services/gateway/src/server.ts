import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createConnectRouter, createContextValues, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import type { Registry } from "prom-client";
import type { Logger } from "@gerbang/shared";
import type { AppIdentity } from "./app-auth";
import { callerIpKey, callerSourceKey, transportKey } from "./context";
import { callerIp, normalizeIp, sourceOf, type IpMatcher } from "./ip-allowlist";
import type { GatewayMetrics } from "./metrics";
import { createRestHandler } from "./rest-handler";
import { createRpcHandler } from "./rpc-handler";
import { createShares } from "./shares";
import type { RestRoute } from "./rest-routes";

export interface ServerDeps {
  /** Registers every service (gateway, health, reflection) on a router. */
  routes: (router: ConnectRouter) => void;
  routerOptions: ConnectRouterOptions;
  restRoutes: RestRoute[];
  restSuccessStatus: (body: Record<string, unknown>) => number;
  trustedProxies: IpMatcher;
  bodyLimitBytes: number;
  /** How long a client may take to send a whole request (headers and body) on either port. */
  requestReadTimeoutMs: number;
  /** Requests whose body is still arriving, on both ports together; more are refused at once. */
  maxRequestsReading: number;
  /** Of those, from one source (the caller behind a trusted proxy, an IPv6 /64): one cannot take them all. */
  maxRequestsReadingPerAddress: number;
  /** The app authenticator's check, which the REST layer runs before reading a body. */
  authenticate: (authorization: string | null, callerIp: string | undefined) => AppIdentity;
  requests: GatewayMetrics["requests"];
  ready: () => Promise<boolean>;
  /** Extra detail for GET /healthz on the operators' port (instance, circuit breaker state per bank). */
  health: () => Record<string, unknown>;
  metrics: Registry;
  logger: Logger;
}

/** Where the three listeners bind; port 0 picks a free one. */
export interface ListenAddresses {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** The operators' listener: /metrics, /healthz, /readyz; never the apps'. */
  opsHost: string;
  opsPort: number;
}

export interface GatewayServers {
  listen(addresses: ListenAddresses): Promise<{ httpPort: number; grpcPort: number; opsPort: number }>;
  /**
   * Stops taking requests: /readyz says 503 at once (on every port), and after `delayMs` the apps'
   * listeners close (keep-alive connections after their current request); requests in flight
   * finish for at most `graceMs`, then whatever is left is closed. Resolves when the apps' servers
   * are closed; the operators' port stays up (503 "stopping") until closeOperators().
   */
  close(graceMs?: number, delayMs?: number): Promise<void>;
  /** Closes the operators' port: last, once the rest of the shutdown (and its last metrics) is done. */
  closeOperators(): Promise<void>;
  /** True from the start of close(): /readyz says "stopping", and so must every other readiness. */
  draining(): boolean;
}

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;

/**
 * Streams one HTTP/2 connection may have open at once (the number grpc-go advertises); a client
 * with more calls queues them. Node's default is 2^32 - 1, so one connection could hold any
 * number of half-sent requests, none of them counted by the in-flight limit yet.
 */
export const MAX_STREAMS_PER_CONNECTION = 100;

/**
 * Two listeners for apps, one set of routes: HTTP/1.1 (REST, Connect, gRPC-Web, /healthz,
 * /readyz) and HTTP/2 cleartext (gRPC, Connect, health, reflection). h2c and HTTP/1.1 cannot
 * share a port without TLS, hence two. A third, for operators, serves /metrics (volumes per
 * state, bank and client are nobody else's business) and the probes; it can bind to another
 * interface than the apps'. Returned unstarted; main.ts listens.
 */
export function createGatewayServers(deps: ServerDeps): GatewayServers {
  // The caller's IP and source, worked out from the headers once per request: admission (as it
  // arrives) and the handlers' context (once it is read) both need them.
  // The source is who a request counts against where sources get shares (requests still arriving,
  // health Watch streams): the caller as X-Forwarded-For names it behind a trusted proxy (which
  // carries many apps), else the peer; an IPv6 caller by its /64. A garbled X-Forwarded-For from a
  // trusted proxy names no caller: the proxy's own share then.
  const callers = new WeakMap<NodeRequest, { caller: string | undefined; source: string | undefined }>();
  const callerOf = (req: NodeRequest) => {
    const known = callers.get(req);
    if (known !== undefined) return known;
    const forwarded = req.headers["x-forwarded-for"];
    const caller = callerIp(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded, deps.trustedProxies);
    const ip = caller ?? normalizeIp(req.socket.remoteAddress);
    const found = { caller, source: ip === undefined ? undefined : sourceOf(ip) };
    callers.set(req, found);
    return found;
  };
  const contextValues = (req: NodeRequest) => {
    const type = req.headers["content-type"] ?? "";
    let transport = "connect";
    if (type.startsWith("application/grpc-web")) transport = "grpc-web";
    else if (type.startsWith("application/grpc")) transport = "grpc";
    const { caller, source } = callerOf(req);
    return createContextValues()
      .set(callerIpKey, caller)
      .set(callerSourceKey, source)
      .set(transportKey, transport);
  };
  // One router: Connect, gRPC and gRPC-Web serve its handlers, and the REST layer calls them in-process.
  const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], ...deps.routerOptions });
  deps.routes(router);
  const connect = createRpcHandler({ handlers: router.handlers, contextValues, requests: deps.requests, logger: deps.logger, authenticate: deps.authenticate,
    // 101, not 105: "transfer not found" would tell an app that mistyped a path that its transfer does not exist.
    fallback: (_req, res) => {
      const text = JSON.stringify({ statusCode: "101", message: "invalid request: no such endpoint", data: null });
      res.writeHead(404, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    },
  });
  const rest = createRestHandler({
    routes: deps.restRoutes, handlers: router.handlers, bodyLimitBytes: deps.bodyLimitBytes, logger: deps.logger,
    authenticate: deps.authenticate, requests: deps.requests,
    contextValues: (req) => contextValues(req).set(transportKey, "rest"), successStatus: deps.restSuccessStatus,
  });

  // Slow or stalled senders: Node's 300 s default would let a client hold a request open,
  // unauthenticated (the token is checked once the request is read), for five minutes.
  const readTimeout = deps.requestReadTimeoutMs;
  const http1Options = { requestTimeout: readTimeout, headersTimeout: Math.min(60_000, readTimeout), connectionsCheckingInterval: checkingInterval(readTimeout) };
  // An app's request is read whole before anything but its token is checked (and on HTTP/2 the
  // stream is admitted before even that), so the number still arriving is bounded here: each holds
  // buffers (~34 KB), and thousands of them ran the heap out. Past the bound a new one is refused at
  // once, as retryable.
  // A request stops counting once read, or answered (a refusal may leave its body unread, and
  // node:http then emits no 'close' for it), or gone.
  // One source (callerOf above) may hold only its share, so a single one sending unfinished
  // requests cannot shut every other app out.
  const reading = createShares({ total: deps.maxRequestsReading, perKey: deps.maxRequestsReadingPerAddress });
  const admitReading = (source: string | undefined, ...ends: (http.IncomingMessage | http.ServerResponse | http2.ServerHttp2Stream)[]): "admitted" | "total" | "key" => {
    const taken = reading.take(source);
    if (taken.refused !== undefined) return taken.refused;
    for (const end of ends) {
      end.once("end", taken.release);
      end.once("close", taken.release);
    }
    return "admitted";
  };
  // A listener's failure is logged and answered 500, never left hanging.
  const guarded = (what: string, handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error }, `unhandled ${what} error`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end();
    });
  };
  let draining = false;
  /**
   * GET /healthz and /readyz, on the apps' port and the operators'; false for any other request.
   * Only the operators' /healthz has the detail: which banks are failing is not the apps' to read
   * (the probes need no token), as /metrics is not.
   */
  const probe = async (req: http.IncomingMessage, res: http.ServerResponse, detailed: boolean): Promise<boolean> => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/healthz" && path !== "/readyz")) return false;
    if (path === "/healthz") json(res, 200, { status: draining ? "stopping" : "ok", ...(detailed ? deps.health() : {}) });
    else if (draining) json(res, 503, { status: "stopping" });
    else {
      const ready = await deps.ready();
      json(res, ready ? 200 : 503, { status: ready ? "ready" : "database unreachable" });
    }
    return true;
  };
  const http1 = http.createServer(http1Options, guarded("HTTP", async (req, res) => {
    const admission = admitReading(callerOf(req).source, req, res);
    if (admission !== "admitted") {
      res.setHeader("connection", "close");
      const who = admission === "total" ? "the gateway is receiving too many requests at once" : "too many requests from this address are still arriving";
      json(res, 503, { statusCode: "901", message: `${who}; try again with the same clientReferenceNo`, data: null });
      return;
    }
    if (draining) res.setHeader("connection", "close"); // no further requests on this connection
    if (await probe(req, res, false)) return;
    if (await rest(req, res)) return;
    connect(req, res);
  }));
  const ops = http.createServer(http1Options, guarded("ops HTTP", async (req, res) => {
    if (await probe(req, res, true)) return;
    if (req.method === "GET" && (req.url ?? "/").split("?")[0] === "/metrics") {
      const text = await deps.metrics.metrics();
      res.writeHead(200, { "content-type": deps.metrics.contentType });
      res.end(text);
    } else {
      json(res, 404, { error: "not found: GET /metrics, /healthz or /readyz" });
    }
  }));
  // Node emits the request as its stream opens, before any of its body is read: admitted here, as on HTTP/1.1.
  const h2c = http2.createServer({ settings: { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION } }, (req, res) => {
    if (admitReading(callerOf(req).source, req.stream) !== "admitted") {
      // REFUSED_STREAM tells the client nothing was processed, so it may retry (gRPC: UNAVAILABLE).
      req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    cancelUnlessReadWithin(req.stream, readTimeout);
    connect(req, res);
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  h2c.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });

  return {
    listen: async (at) => {
      await Promise.all([listenOn(http1, at.host, at.httpPort), listenOn(h2c, at.host, at.grpcPort), listenOn(ops, at.opsHost, at.opsPort)]);
      const port = (server: http.Server | http2.Http2Server) => (server.address() as AddressInfo).port;
      return { httpPort: port(http1), grpcPort: port(h2c), opsPort: port(ops) };
    },
    close: async (graceMs = 10_000, delayMs = 0) => {
      draining = true;
      // /readyz answers 503 from now on; a load balancer probing it stops sending here before the
      // listeners close, so no request meets a refused connection.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const closed = Promise.all([closeServer(http1), closeServer(h2c)]); // stop listening; resolves when every connection is gone
      for (const session of sessions) session.close(); // lets in-flight calls finish, refuses new streams
      // Idle keep-alive connections go now, and again as requests in flight finish.
      const idle = setInterval(() => { http1.closeIdleConnections(); }, 50);
      http1.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<"grace over">((resolve) => { timer = setTimeout(resolve, graceMs, "grace over"); });
      const outcome = await Promise.race([closed, graceOver]);
      clearTimeout(timer);
      clearInterval(idle);
      if (outcome === "grace over") {
        deps.logger.warn({ graceMs }, "requests still in flight after the shutdown grace; closing their connections");
        http1.closeAllConnections();
        for (const session of sessions) session.destroy();
        await closed;
      }
    },
    draining: () => draining,
    closeOperators: async () => {
      const opsClosed = closeServer(ops);
      ops.closeAllConnections();
      await opsClosed;
    },
  };
}

/**
 * HTTP/2 has no requestTimeout: a stream whose request has not fully arrived (its readable side
 * ended) within `ms` is cancelled. Once read, a call may take as long as its handler does.
 */
function cancelUnlessReadWithin(stream: http2.ServerHttp2Stream, ms: number): void {
  const timer = setTimeout(() => { stream.close(http2.constants.NGHTTP2_CANCEL); }, ms);
  timer.unref();
  const done = () => { clearTimeout(timer); };
  stream.once("end", done);
  stream.once("close", done);
}

/** How often Node checks HTTP/1.1 requests against their timeouts (its default, 30 s, would let a short timeout run much longer). */
function checkingInterval(timeoutMs: number): number {
  return Math.max(100, Math.min(5_000, Math.floor(timeoutMs / 4)));
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function listenOn(server: http.Server | http2.Http2Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => { server.off("error", reject); resolve(); });
  });
}

function closeServer(server: http.Server | http2.Http2Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => { resolve(); }); });
}
