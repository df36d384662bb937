import type { BankHttpRequest, HttpAnswer } from "./bank-http";
import { basicAuthorization, field, sendBankRequest, text } from "./bank-http";
import type { IssuedToken, TokenCache } from "./token-cache";

/**
 * A bank's token endpoint, for every bank's token fetch: on the connections kept for tokens (a
 * renewal must not queue behind payments), and an answer or an error (no answer: nothing to use).
 */
export async function sendTokenRequest(request: Omit<BankHttpRequest, "pool">): Promise<HttpAnswer & { kind: "answered" }> {
  const answer = await sendBankRequest({ ...request, pool: "token" });
  if (answer.kind !== "answered") throw new Error(`token endpoint: ${answer.detail}`);
  return answer;
}

/**
 * OAuth2 client credentials as BNI p2pl and BCA's corporate API both publish it:
 * `POST <host>/api/oauth/token`, Basic client_id:client_secret, form grant_type=client_credentials,
 * answer `{access_token, token_type, expires_in}`.
 */
export async function fetchClientCredentialsToken(url: string, clientId: string, clientSecret: string, signal: AbortSignal): Promise<IssuedToken> {
  const answer = await sendTokenRequest({
    method: "POST",
    url,
    headers: { authorization: basicAuthorization(clientId, clientSecret), "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
    signal,
  });
  const value = text(answer.body, "access_token");
  const expiresIn = Number(field(answer.body, "expires_in"));
  if (answer.status !== 200 || value === "" || !Number.isFinite(expiresIn)) throw unusableTokenAnswer(answer, "no usable access_token with a numeric expires_in");
  return { value, expiresInSeconds: expiresIn };
}

/**
 * A token endpoint's answer that gave no token, for every bank. A refusal's body (4xx, 5xx) names
 * the reason (e.g. ESB-14-008) and carries no secret, so it is quoted. Any other answer (a 200, a
 * 201, a redirect) may carry the token itself under a name we did not expect, and this message
 * travels to logs, the ledger and the app: it is described by `missing`, never quoted.
 */
export function unusableTokenAnswer(answer: Extract<HttpAnswer, { kind: "answered" }>, missing: string): Error {
  return new Error(`token endpoint answered HTTP ${answer.status}: ${answer.status >= 400 ? answer.text.slice(0, 200) : missing}`);
}

/**
 * Sends a call that needs an access token. If the bank refuses the token (expired early, revoked,
 * sandbox restarted), the token is dropped and the call re-sent once with a fresh one and the same
 * request id: safe, because the bank refused before processing and dedups by that id anyway.
 */
export async function sendWithToken(
  tokens: TokenCache,
  signal: AbortSignal,
  send: (token: string) => Promise<HttpAnswer>,
  tokenRefused: (answer: HttpAnswer) => boolean,
): Promise<HttpAnswer> {
  const token = await tokens.get(signal);
  const first = await send(token);
  if (!tokenRefused(first)) return first;
  tokens.invalidate(token);
  return send(await tokens.get(signal));
}
