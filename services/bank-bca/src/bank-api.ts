import {
  fetchClientCredentialsToken, sendBankRequest, sendWithToken,
  type BankCallContext, type HttpAnswer, type IssuedToken, type ResolvedRoute, type TokenCache, type TransferInput,
} from "@gerbang/shared";
import { isTokenRefused } from "./mapping";
import { bcaRelativeUrl, bcaSignature, bcaTimestamp } from "./signature";

/** Our credentials at BCA (config, sensitive). */
export interface BcaCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  apiSecret: string;
  corporateId: string;
}

/** BCA's token endpoint, fixed by the API, relative to the BCA host. */
export const BCA_TOKEN_PATH = "/api/oauth/token";
/** The path variable of the status inquiry route (`.../transfers/status/{TransactionID}`). */
export const TRANSACTION_ID_VARIABLE = "{TransactionID}";
const REMARK_PART = 18;
/**
 * ReferenceID is free text for the corporate's statement, about 15 characters (bank-apis.md 2.1,
 * inferred, as the other lengths this service keeps to). Our references are GRB + 13 characters,
 * so it carries their last 15 (all but the G): still unique, and found by a search of the ledger.
 * TransactionID, not this, is what BCA keys a transfer by.
 */
const REFERENCE_ID_LENGTH = 15;
/** KlikBCA Bisnis's channel: with the corporate ID as CredentialID, the status inquiry needs it (bank-apis.md 2.1). */
export const BCA_CHANNEL_ID = "95051";

/** Body of `POST /banking/corporates/transfers`, in BCA's documented field order. */
export function transferBody(input: TransferInput, transactionId: string, corporateId: string): string {
  // BCA takes the remark as two parts of at most 18 characters; the rest does not fit and is dropped.
  const remark = input.remark.trim();
  const first = upTo(remark, REMARK_PART);
  return JSON.stringify({
    CorporateID: corporateId,
    SourceAccountNumber: input.sourceAccountNumber,
    TransactionID: transactionId,
    TransactionDate: input.transactionDate,
    ReferenceID: input.referenceNumber.slice(-REFERENCE_ID_LENGTH),
    CurrencyCode: input.currency,
    Amount: `${input.amount}.00`,
    BeneficiaryAccountNumber: input.beneficiaryAccountNumber,
    Remark1: first.trim(),
    Remark2: upTo(remark.slice(first.length), REMARK_PART).trim(),
  });
}

/** At most `units` UTF-16 units of `text`, never ending inside a surrogate pair (half an emoji is no character). */
function upTo(text: string, units: number): string {
  const cut = text.slice(0, units);
  return /[\ud800-\udbff]$/.test(cut) && text.length > units ? cut.slice(0, -1) : cut;
}

/** The status inquiry URL: `{TransactionID}` filled in, TransactionDate and TransferType=BCA in the query. */
export function statusUrl(route: ResolvedRoute, transactionId: string, transactionDate: string): URL | undefined {
  if (!route.url.includes(TRANSACTION_ID_VARIABLE)) return undefined;
  const url = new URL(route.url.replace(TRANSACTION_ID_VARIABLE, encodeURIComponent(transactionId)));
  url.searchParams.set("TransactionDate", transactionDate);
  url.searchParams.set("TransferType", "BCA");
  url.searchParams.sort(); // sent in the order BCA signs them
  return url;
}

export interface BcaApi {
  transfer(input: TransferInput, ctx: BankCallContext): Promise<HttpAnswer>;
  status(route: ResolvedRoute, transactionDate: string, ctx: BankCallContext): Promise<HttpAnswer>;
}

export interface BcaApiOptions {
  /** `Origin` header BCA requires (the domain registered with BCA). */
  origin: string;
  now?: () => number;
}

/** BCA's legacy corporate API as sandbox/README.md and bank-apis.md section 2.1 describe it. */
export function createBcaApi(credentials: BcaCredentials, tokens: TokenCache, options: BcaApiOptions): BcaApi {
  const now = options.now ?? Date.now;
  const send = (ctx: BankCallContext, method: "GET" | "POST", url: URL, body: string, extraHeaders: Record<string, string> = {}) =>
    sendWithToken(tokens, ctx.signal, (token) => {
      const timestamp = bcaTimestamp(now());
      const signature = bcaSignature(credentials.apiSecret, { method, relativeUrl: bcaRelativeUrl(url), accessToken: token, body, timestamp });
      return sendBankRequest({
        method,
        url: url.toString(),
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          origin: options.origin,
          "x-bca-key": credentials.apiKey,
          "x-bca-timestamp": timestamp,
          "x-bca-signature": signature,
          ...extraHeaders,
        },
        ...(method === "GET" ? {} : { body }),
        signal: ctx.signal,
      });
    }, isTokenRefused);
  return {
    transfer: (input, ctx) => send(ctx, ctx.route.method, new URL(ctx.route.url), transferBody(input, ctx.requestId, credentials.corporateId)),
    status: (route, transactionDate, ctx) => {
      const url = statusUrl(route, ctx.requestId, transactionDate);
      if (url === undefined) throw new Error(`status route ${route.url} has no ${TRANSACTION_ID_VARIABLE}`);
      return send(ctx, route.method, url, "", { channelid: BCA_CHANNEL_ID, credentialid: credentials.corporateId });
    },
  };
}

export function fetchBcaToken(origin: string, credentials: BcaCredentials, signal: AbortSignal): Promise<IssuedToken> {
  return fetchClientCredentialsToken(new URL(BCA_TOKEN_PATH, origin).toString(), credentials.clientId, credentials.clientSecret, signal);
}
