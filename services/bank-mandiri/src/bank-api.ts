import {
  basicAuthorization, sendBankRequest, sendTokenRequest, sendWithToken, text, unusableTokenAnswer,
  type BankCallContext, type HttpAnswer, type IssuedToken, type TokenCache, type TransferInput,
} from "@gerbang/shared";
import { isTokenRefused } from "./mapping";
import { jwtLifetimeSeconds } from "./signature";

/** Our credentials at Mandiri's API gateway (config, sensitive). */
export interface MandiriCredentials {
  appId: string;
  appKey: string;
  appSecret: string;
}

/** The gateway's JWT endpoint (webMethods convention), fixed, relative to the Mandiri host. */
export const MANDIRI_TOKEN_PATH = "/rest/pub/apigateway/jwt/getJsonWebToken";
/** When a JWT carries no readable exp, assume the proposal's one hour. */
const DEFAULT_LIFETIME_SECONDS = 3600;

/** Body of doPayment: `{"Request":{...}}` as in the proposal (sandbox/README.md "Mandiri"). */
export function doPaymentBody(input: TransferInput, transactionId: string, ownBankCode: string): string {
  return JSON.stringify({
    Request: {
      transactionID: transactionId,
      transactionDate: input.transactionDate,
      referenceID: input.referenceNumber,
      sourceAccountNumber: input.sourceAccountNumber,
      beneficiaryAccountNumber: input.beneficiaryAccountNumber,
      // Intrabank always says Mandiri's own code, whichever alias (800/008) the request used.
      beneficiaryBankCode: input.usage === "TRANSFER" ? ownBankCode : input.beneficiaryBankCode,
      amount: input.amount,
      currency: input.currency,
      remark1: input.remark,
      remark2: "",
    },
  });
}

export interface MandiriApi {
  transfer(input: TransferInput, ctx: BankCallContext): Promise<HttpAnswer>;
  status(transactionDate: string, ctx: BankCallContext): Promise<HttpAnswer>;
}

/** Mandiri doPayment (our proposal; Mandiri publishes nothing for it). */
export function createMandiriApi(tokens: TokenCache, ownBankCode: string): MandiriApi {
  const post = (ctx: BankCallContext, body: string) =>
    sendWithToken(tokens, ctx.signal, (token) => sendBankRequest({
      method: ctx.route.method,
      url: ctx.route.url,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
      signal: ctx.signal,
    }), isTokenRefused);
  return {
    transfer: (input, ctx) => post(ctx, doPaymentBody(input, ctx.requestId, ownBankCode)),
    status: (transactionDate, ctx) => post(ctx, JSON.stringify({ Request: { transactionID: ctx.requestId, transactionDate } })),
  };
}

export async function fetchMandiriToken(origin: string, credentials: MandiriCredentials, signal: AbortSignal, now = Date.now): Promise<IssuedToken> {
  const url = new URL(MANDIRI_TOKEN_PATH, origin);
  url.searchParams.set("app_id", credentials.appId);
  const answer = await sendTokenRequest({
    method: "GET", url: url.toString(), headers: { authorization: basicAuthorization(credentials.appKey, credentials.appSecret) }, signal,
  });
  const jwt = text(answer.body, "jwt");
  if (answer.status !== 200 || jwt === "") throw unusableTokenAnswer(answer, "no usable jwt");
  return { value: jwt, expiresInSeconds: jwtLifetimeSeconds(jwt, now()) ?? DEFAULT_LIFETIME_SECONDS };
}
