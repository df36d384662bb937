/**
 * The one way a bank service talks HTTP to its bank. It never throws: every call ends in an
 * answer (any HTTP status, body parsed when it is JSON) or a no-answer that says whether the
 * request may have reached the bank. Callers decide what that means for money; this file does not.
 */
import http from "node:http";
import https from "node:https";

export interface BankHttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request; its reason ("timeout" or "cancelled") becomes the no-answer reason. */
  signal: AbortSignal;
  /**
   * "token" for an access-token request: it gets connections of its own. In the payments' pool it
   * queued behind every payment a slow bank held, and a renewal that waited out its budget there
   * failed every payment after it ("not sent") while the bank was merely slow.
   */
  pool?: "payments" | "token";
}

export type NoAnswerReason = "timeout" | "cancelled" | "reset" | "refused" | "error";

export type HttpAnswer =
  | { kind: "answered"; status: number; body: unknown; text: string }
  | {
      kind: "no-answer";
      /** false only when no connection to the bank was ever made (refused, host not found, connect timed out): then not a byte of the request left. */
      sent: boolean;
      reason: NoAnswerReason;
      detail: string;
    };

/**
 * Keep-alive pools shared by every bank call of the process (one connection setup per socket,
 * not per payment). node:http rather than fetch: on loopback it answers ~0.7 ms sooner per call
 * and costs less CPU (bench/README.md).
 *
 * We close an idle socket before the bank does. A socket the server is closing at the moment we
 * reuse it fails with ECONNRESET, which for a payment can only be read as "may have been sent":
 * PENDING, and manual review when the bank has no record of it (seen under load: 4 transfers of
 * ~18,000, four reused sockets reset at once). Node's agent shortens its idle timeout to the
 * server's `Keep-Alive: timeout=N` hint minus 1 s, but only when a timeout is set: without one
 * it kept idle sockets until the server closed them. A bank that announces nothing gets 4 s,
 * below the shortest keep-alive timeouts in use (Node's own default is 5 s). A request in flight
 * is not cut by this timeout: its budget is the call's signal.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;
/** The largest bank answer read (1 MiB); a larger one is cut and counts as no answer. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const payments = { keepAlive: true, maxSockets: 256, scheduling: "lifo", timeout: IDLE_SOCKET_TIMEOUT_MS } as const;
// Renewals are one at a time per bank (token-cache.ts); a few connections leave room for a retry.
const tokens = { ...payments, maxSockets: 4 } as const;
const agents = {
  payments: { "http:": new http.Agent(payments), "https:": new https.Agent(payments) },
  token: { "http:": new http.Agent(tokens), "https:": new https.Agent(tokens) },
};

export function sendBankRequest(request: BankHttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const { signal } = request;
    if (signal.aborted) { resolve(neverConnected(new Error("aborted before sending"), signal)); return; }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      resolve({ kind: "no-answer", sent: false, reason: "error", detail: `invalid URL: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      resolve({ kind: "no-answer", sent: false, reason: "error", detail: `unsupported protocol ${url.protocol}` });
      return;
    }
    const body = request.body === undefined ? undefined : Buffer.from(request.body, "utf8");
    const headers = { ...request.headers, ...(body === undefined ? {} : { "content-length": String(body.length) }) };
    // Redirects are never followed (node:http does not): a bank that redirects a payment is answering something we did not ask.
    const send = url.protocol === "https:" ? https.request : http.request;
    const req = send(url, { method: request.method, headers, agent: agents[request.pool ?? "payments"][url.protocol], signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        // No bank answer is this large; whatever it is, it must not fill our memory. The request
        // did reach the bank, so this is no answer, not a refusal.
        if (size > MAX_ANSWER_BYTES) {
          resolve({ kind: "no-answer", sent: true, reason: "error", detail: `answer over ${MAX_ANSWER_BYTES} bytes; not read` });
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ kind: "answered", status: res.statusCode ?? 0, body: parseJson(text), text });
      });
      res.on("error", (error) => { resolve(noAnswer(error, signal)); });
      // Aborted or cut mid-answer: whatever the bank did, we do not know it (a settled promise ignores this).
      res.on("close", () => { if (!res.complete) resolve(noAnswer(Object.assign(new Error("answer cut short"), { code: "ECONNRESET" }), signal)); });
    });
    // Node writes a request only to a connected socket: until the TCP handshake completes (name
    // lookup included), nothing has left, whatever ends the call. A reused keep-alive socket is
    // connected already. (TLS is not waited for: past TCP, a failure stays "may have been sent".)
    let connected = false;
    req.on("error", (error) => { resolve(connected ? noAnswer(error, signal) : neverConnected(error, signal)); });
    // A request waits in the agent's queue while all maxSockets connections to the bank are busy,
    // and node:http only reports its abort once a connection frees up: the budget would end long
    // after the caller's deadline, and as "may have been sent". It never left: say so at once.
    let gotSocket = false;
    req.once("socket", (socket) => {
      gotSocket = true;
      if (!socket.connecting) connected = true;
      else socket.once("connect", () => { connected = true; });
    });
    signal.addEventListener("abort", () => {
      if (gotSocket) return; // node:http reports it, as sent
      resolve({ kind: "no-answer", sent: false, reason: abortReason(signal), detail: "aborted while waiting for a connection to the bank: never sent" });
    }, { once: true });
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The call ended before a connection to the bank existed: nothing was sent. */
function neverConnected(error: unknown, signal: AbortSignal): HttpAnswer {
  const code = errorCode(error);
  if (code === "ECONNREFUSED") return { kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" };
  if (signal.aborted) {
    const reason = abortReason(signal);
    return { kind: "no-answer", sent: false, reason, detail: `${reason === "timeout" ? "time budget over" : "call cancelled"} before a connection to the bank was made: never sent` };
  }
  return { kind: "no-answer", sent: false, reason: "error", detail: `no connection to the bank (${code ?? (error instanceof Error ? error.message : String(error))}): never sent` };
}

/** Why the call's signal ended it: the caller cancelled, or its budget ran out. */
function abortReason(signal: AbortSignal): "cancelled" | "timeout" {
  return signal.reason === "cancelled" ? "cancelled" : "timeout";
}

function noAnswer(error: unknown, signal: AbortSignal): HttpAnswer {
  if (signal.aborted) {
    const reason = abortReason(signal);
    return { kind: "no-answer", sent: true, reason, detail: reason === "timeout" ? "no answer within the time budget" : "call cancelled by the caller" };
  }
  const code = errorCode(error);
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return { kind: "no-answer", sent: true, reason: "reset", detail: `connection lost before an answer (${code})` };
  }
  return { kind: "no-answer", sent: true, reason: "error", detail: `no answer: ${code ?? (error instanceof Error ? error.message : String(error))}` };
}

function errorCode(error: unknown): string | undefined {
  // node:http gives the socket error itself; wrapped errors (cause chains) are followed too.
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reads a nested field of a parsed JSON body without trusting its shape. */
export function field(body: unknown, ...path: string[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A nested string field, "" when missing or not a string (numbers are written as decimals). */
export function text(body: unknown, ...path: string[]): string {
  const value = field(body, ...path);
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return "";
}

/** HTTP Basic credentials header (token endpoints of all three banks). */
export function basicAuthorization(user: string, password: string): string {
  const pair = `${user}:${password}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}
