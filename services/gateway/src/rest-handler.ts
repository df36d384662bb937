import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import type { DescMethod, JsonValue } from "@bufbuild/protobuf";
import { createAsyncIterable, type UniversalHandler } from "@connectrpc/connect/protocol";
import { codeFromString, codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "@gerbang/shared";
import type { AppIdentity } from "./app-auth";
import { callerIpKey, identityKey } from "./context";
import { GatewayError, INTERNAL_ERROR_MESSAGE, refusalCodes, statusCodeOf, STATUS_CODE_HEADER } from "./errors";
import { routeLabel, type GatewayMetrics } from "./metrics";
import { closeIfBodyStillComing } from "./early-answer";
import { observeRefusal } from "./observe-interceptor";
import { restHttpStatus } from "./rest-status";
import { matchRoute, type RestRoute } from "./rest-routes";

export interface RestHandlerDeps {
  routes: RestRoute[];
  /** The router's own handlers: REST is served by calling them in-process, so every interceptor applies. */
  handlers: readonly UniversalHandler[];
  bodyLimitBytes: number;
  contextValues: (req: IncomingMessage) => ContextValues;
  /**
   * Checks the app's token and IP before the body is read or the RPC called: a stranger costs
   * neither (the rejection path is what an attacker or a broken app can make us spend). The
   * identity goes into the call's context, so the auth interceptor does not check it again.
   */
  authenticate: (authorization: string | null, callerIp: string | undefined) => AppIdentity;
  /** Counts the refusals of this layer, as the observe interceptor counts the RPC's answers. */
  requests: GatewayMetrics["requests"];
  /** HTTP status of a successful answer (200 final, 202 pending for a transfer). */
  successStatus: (body: Record<string, unknown>) => number;
  logger: Logger;
}

/** Answers a REST request if its path is declared in the proto; false when it is not ours. */
export type RestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

// Never dialled: the in-process call and URL parsing only need an absolute URL.
// eslint-disable-next-line sonarjs/no-clear-text-protocols -- no network is involved
const IN_PROCESS_ORIGIN = "http://gateway.invalid";

export function createRestHandler(deps: RestHandlerDeps): RestHandler {
  return async (req, res) => {
    const url = URL.parse(req.url ?? "/", IN_PROCESS_ORIGIN);
    // A target Node takes but no URL parser does ("//", "/\\") is no path of ours: the unknown path's 404.
    if (url === null) return false;
    const match = matchRoute(deps.routes, req.method ?? "", url.pathname);
    if (!match.pathKnown) return false;
    const started = process.hrtime.bigint();
    try {
      const route = match.route;
      if (route === undefined) throw new GatewayError("INVALID_REQUEST", `${req.method ?? ""} is not allowed on ${url.pathname}`);
      if (match.invalid !== undefined) throw new GatewayError("INVALID_REQUEST", match.invalid);
      const handler = deps.handlers.find((h) => h.method === route.method);
      if (handler === undefined) throw new Error(`no handler for ${route.method.name}`);
      const contextValues = deps.contextValues(req);
      contextValues.set(identityKey, deps.authenticate(req.headers.authorization ?? null, contextValues.get(callerIpKey)));
      const body = await requestBody(req, url, route, match.params, deps.bodyLimitBytes);
      // No authorization header: the identity checked above rides in the context.
      const header = new Headers({ "content-type": "application/json" });
      const answer = await handler({
        httpVersion: "1.1", method: "POST", url: `${IN_PROCESS_ORIGIN}${handler.requestPath}`, header, body,
        signal: new AbortController().signal, contextValues,
      });
      const text = await readText(answer.body);
      const reply = JSON.parse(text === "" ? "{}" : text) as Record<string, unknown>;
      if (answer.status === 200) {
        send(res, deps.successStatus(reply), reply);
        return true;
      }
      const refusal = typeof reply.message === "string" ? reply.message : "error";
      const fromInterceptors = answer.header?.get(STATUS_CODE_HEADER);
      if (fromInterceptors === null || fromInterceptors === undefined) {
        // Refused by Connect itself while decoding (an unknown field, a number for a string), before
        // any interceptor ran: nothing logged or counted it yet. The statusCode comes from the code.
        const code = typeof reply.code === "string" ? codeFromString(reply.code) : undefined;
        const statusCode = statusCodeOf(new ConnectError("", code ?? Code.Internal));
        observeRefusal(deps, { route: routeLabel(route.method), logRoute: `${req.method ?? ""} ${url.pathname}`, transport: "rest", started, statusCode, message: refusal });
        send(res, restHttpStatus(statusCode, answer.status), { statusCode, message: refusal, data: null });
        return true;
      }
      send(res, restHttpStatus(fromInterceptors, answer.status), { statusCode: fromInterceptors, message: refusal, data: null });
    } catch (error) {
      refuse(deps, req, res, { error, pathname: url.pathname, rpc: match.route?.method, started });
    }
    return true;
  };
}

/** Refusals of the REST layer itself (token, IP, body, JSON, query): the RPC was never called, so log and count here. */
function refuse(deps: RestHandlerDeps, req: IncomingMessage, res: ServerResponse, at: { error: unknown; pathname: string; rpc: DescMethod | undefined; started: bigint }): void {
  const { error } = at;
  const refusal = error instanceof GatewayError ? error : new GatewayError("INTERNAL", INTERNAL_ERROR_MESSAGE, { cause: error });
  const { statusCode, code } = refusalCodes(refusal.kind);
  if (refusal.kind === "INTERNAL") deps.logger.error({ err: error }, "REST transcoding failed");
  // The RPC's name, never the raw path: a path carries reference numbers, a label must not.
  const route = at.rpc === undefined ? "rest/method-not-allowed" : routeLabel(at.rpc);
  observeRefusal(deps, { route, logRoute: `${req.method ?? ""} ${at.pathname}`, transport: "rest", started: at.started, statusCode, message: refusal.message });
  if (refusal.kind === "REQUEST_TOO_LARGE") res.setHeader("connection", "close");
  else closeIfBodyStillComing(req, res);
  send(res, restHttpStatus(statusCode, codeToHttpStatus(code)), { statusCode, message: refusal.message, data: null });
}

/**
 * What the RPC's handler decodes: the body as sent (body "*"), so Connect's own JSON decoding
 * applies to it as to a Connect call (duplicate keys, unknown fields and wrong types refused), or
 * the query plus path variables as Connect JSON (no body).
 */
async function requestBody(req: IncomingMessage, url: URL, route: RestRoute, params: Record<string, string>, limit: number): Promise<JsonValue | AsyncIterable<Uint8Array>> {
  if (route.body === "*") {
    // Every field comes in the body: a query parameter would be dropped without a word.
    const [first] = url.searchParams.keys();
    if (first !== undefined) throw new GatewayError("INVALID_REQUEST", `unknown query parameter ${first}: this endpoint takes every field in the JSON body`);
    return createAsyncIterable([await utf8Body(req, limit)]);
  }
  const fields = queryFields(url, route);
  for (const [name, value] of Object.entries(params)) {
    if (name in fields && fields[name] !== value) throw new GatewayError("INVALID_REQUEST", `${name} differs between path and request`);
    fields[name] = value;
  }
  return fields;
}

/**
 * JSON is UTF-8 (RFC 8259): another declared charset is refused rather than misread. Bytes that
 * are not UTF-8 decode to U+FFFD, which no field accepts (validation.ts), on every protocol. A
 * compressed body is refused by name: read as JSON it failed with a parser's complaint about its
 * first byte.
 */
async function utf8Body(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i.test(type)) throw new GatewayError("INVALID_REQUEST", "content-type must be application/json (UTF-8)");
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "") throw new GatewayError("INVALID_REQUEST", `content-encoding ${encoding} is not accepted here: send the JSON uncompressed (it is at most a few hundred bytes)`);
  return readBody(req, limit);
}

/** Query parameters named by a field's proto or JSON name; anything else, or a repeat, is refused. */
function queryFields(url: URL, route: RestRoute): Record<string, JsonValue> {
  const known = new Map(route.method.input.fields.flatMap((f) => [[f.name, f.jsonName], [f.jsonName, f.jsonName]] as const));
  const fields: Record<string, JsonValue> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const name = known.get(key);
    const values = url.searchParams.getAll(key);
    if (name === undefined) throw new GatewayError("INVALID_REQUEST", `unknown query parameter ${key}`);
    // Twice, or under both of its names (client_reference_no and clientReferenceNo): which one counts would be a guess.
    if (values.length > 1 || name in fields) throw new GatewayError("INVALID_REQUEST", `query parameter ${key} given more than once`);
    fields[name] = values[0] ?? "";
  }
  return fields;
}

/** Reads at most `limit` bytes; more is REQUEST_TOO_LARGE (decided from content-length before reading when it is given). */
async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new GatewayError("REQUEST_TOO_LARGE", `request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new GatewayError("REQUEST_TOO_LARGE", `request body exceeds ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    // The client went away or was cut off for being too slow: its request, not our failure.
    throw new GatewayError("INVALID_REQUEST", "invalid request: the body did not arrive whole", { cause: error });
  }
  return Buffer.concat(chunks);
}

async function readText(body: AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (body === undefined) return "";
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

