/**
 * The one way a bank service talks HTTP to its bank. It never throws: every call ends in an
 * answer (any HTTP status, body parsed when it is JSON) or a no-answer that says whether the
 * request may have reached the bank. Callers decide what that means for money; this file does not.
 */

export interface BankHttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request; its reason ("timeout" or "cancelled") becomes the no-answer reason. */
  signal: AbortSignal;
}

export type NoAnswerReason = "timeout" | "cancelled" | "reset" | "refused" | "error";

export type HttpAnswer =
  | { kind: "answered"; status: number; body: unknown; text: string }
  | {
      kind: "no-answer";
      /** false only when the connection was refused: then not a byte of the request left. */
      sent: boolean;
      reason: NoAnswerReason;
      detail: string;
    };

export async function sendBankRequest(request: BankHttpRequest): Promise<HttpAnswer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: request.signal,
      redirect: "manual", // a bank that redirects a payment is answering something we did not ask
    });
    const text = await response.text();
    return { kind: "answered", status: response.status, body: parseJson(text), text };
  } catch (error) {
    return noAnswer(error, request.signal);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function noAnswer(error: unknown, signal: AbortSignal): HttpAnswer {
  if (signal.aborted) {
    const reason = signal.reason === "cancelled" ? "cancelled" : "timeout";
    return { kind: "no-answer", sent: true, reason, detail: reason === "timeout" ? "no answer within the time budget" : "call cancelled by the caller" };
  }
  const code = errorCode(error);
  // ECONNREFUSED: the TCP handshake failed, so the bank cannot have seen the request.
  if (code === "ECONNREFUSED") return { kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return { kind: "no-answer", sent: true, reason: "reset", detail: `connection lost before an answer (${code})` };
  }
  return { kind: "no-answer", sent: true, reason: "error", detail: `no answer: ${code ?? (error instanceof Error ? error.message : String(error))}` };
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps the socket error: TypeError("fetch failed", { cause: { code } }).
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
