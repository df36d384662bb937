import type { IncomingMessage, ServerResponse } from "node:http";

/** An answer: HTTP status and JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

/** Thrown by validation to answer with the bank's own error; nothing has changed when it is thrown. */
export class ReplyError extends Error {
  override readonly name = "ReplyError";
  constructor(readonly reply: Reply) {
    super(`answered ${reply.status}`);
  }
}

export function fail(reply: Reply): never {
  throw new ReplyError(reply);
}

/** One request in flight, with its body already read (bounded) and facts for the log line. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path as received, without the query. */
  path: string;
  /** Raw query string without "?", as received (BCA signs it sorted). */
  rawQuery: string;
  query: URLSearchParams;
  body: Buffer;
  /** Added to the request's log line: bank code, request id, fault, masked accounts. */
  log: Record<string, unknown>;
}

/** Request bodies above this are refused with the bank's invalid-request error. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the body up to `limit` bytes; undefined when it is larger (the rest is not read). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      resolve(Buffer.concat(chunks));
    });
    req.once("error", reject);
    // A client that goes away mid-body: settle the promise so nothing waits forever.
    req.once("close", () => {
      if (!req.complete) reject(new Error("request closed before its body ended"));
    });
  });
}

export function send(ex: Exchange, reply: Reply): void {
  if (ex.res.headersSent || ex.res.destroyed) return;
  const text = JSON.stringify(reply.body);
  ex.log.status = reply.status;
  ex.res.writeHead(reply.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  ex.res.end(text);
}

/** True when the Content-Type is `type` (lowercase; parameters such as charset allowed). */
export function hasContentType(req: IncomingMessage, type: string): boolean {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() === type;
}

/** JSON.parse that reports failure as undefined instead of throwing. */
export function parseJson(body: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body.toString("utf8")) as unknown };
  } catch {
    return undefined;
  }
}

/** Reads `user:password` from a Basic Authorization header. */
export function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const match = /^Basic\s+([a-z0-9+/=]+)$/i.exec(req.headers.authorization ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of a Bearer Authorization header. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
}

/** One header value (the first when repeated). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
