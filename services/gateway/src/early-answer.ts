import type http from "node:http";
import type http2 from "node:http2";

/**
 * Past this, a body still arriving after an early answer (a stranger's token, a refusal before the
 * body was read) is not waited for: node:http would read and discard it on the open keep-alive
 * connection, counted against no bound, until the read timeout. A small rest (an app's body that
 * had not arrived yet) is cheaper to take than a new connection.
 */
const DISCARD_AT_MOST_BYTES = 1024;

/** Marks an HTTP/1.1 answer "connection: close" when much of its request's body, or an unknown amount (chunked), is still to come. */
export function closeIfBodyStillComing(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void {
  if (req.httpVersionMajor !== 1 || req.complete) return;
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared <= DISCARD_AT_MOST_BYTES) return;
  res.setHeader("connection", "close");
}
