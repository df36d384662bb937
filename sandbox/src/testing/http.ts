import http from "node:http";

/** A JSON answer as tests see it. */
export interface Answer {
  status: number;
  body: unknown;
}

export async function fetchJson(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

/** Reads a string at a dotted path of a parsed JSON body ("" when absent), for ids tests reuse. */
export function pick(body: unknown, path: string): string {
  let value: unknown = body;
  for (const key of path.split(".")) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : "";
}

/** `syscall` "read" on ECONNRESET: the peer reset the connection (RST); absent, it closed it ("socket hang up"). */
export type RawResult = { kind: "answered"; status: number; text: string } | { kind: "closed"; code: string; syscall?: string };

/**
 * One request on its own connection with node:http, so a reset or a held socket is observed
 * as what it is: the connection closing without any answer.
 */
export function rawRequest(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<RawResult> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: init.method, headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({ kind: "answered", status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", () => {
        resolve({ kind: "closed", code: "response-error" });
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      resolve({ kind: "closed", code: error.code ?? error.message, ...(error.syscall === undefined ? {} : { syscall: error.syscall }) });
    });
    req.end(init.body);
  });
}

export function basic(user: string, password: string): string {
  const pair = `${user}:${password}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

/** OAuth2 client credentials at /api/oauth/token, as BNI and BCA both serve it: the access token. */
export async function clientCredentialsToken(baseUrl: string, clientId: string, clientSecret: string): Promise<string> {
  const answer = await fetchJson(`${baseUrl}/api/oauth/token`, {
    method: "POST",
    headers: { Authorization: basic(clientId, clientSecret), "Content-Type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (answer.status !== 200) throw new Error(`token: ${answer.status}`);
  return pick(answer.body, "access_token");
}
