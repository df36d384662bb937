import { randomInt } from "node:crypto";
import {
  fetchClientCredentialsToken, sendBankRequest, sendWithToken, UPPER_ALPHANUMERIC,
  type BankCallContext, type HttpAnswer, type IssuedToken, type TokenCache, type TransferInput,
} from "@gerbang/shared";
import { isTokenRefused } from "./mapping";
import { bniSignature } from "./signature";

/** Our credentials at BNI (config, sensitive). */
export interface BniCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  apiSecret: string;
  companyId: string;
  parentCompanyId: string;
}

/** BNI's token endpoint, fixed by the p2pl API, relative to the BNI host. */
export const BNI_TOKEN_PATH = "/api/oauth/token";

type Fields = Record<string, string>;

/**
 * The p2pl v1 envelope: `{"request":{"header":{companyId,parentCompanyId,requestUuid,signature},...fields}}`,
 * signed over the same body without `signature` (header keys first, then the fields, as BNI shows).
 */
export function signedBody(credentials: BniCredentials, requestUuid: string, fields: Fields): string {
  // parentCompanyId is optional at BNI: a company with none sends none, rather than an empty one.
  const parent = credentials.parentCompanyId.trim() === "" ? {} : { parentCompanyId: credentials.parentCompanyId };
  const header = { companyId: credentials.companyId, ...parent, requestUuid };
  const unsigned = JSON.stringify({ request: { header, ...fields } });
  const signature = bniSignature(unsigned, credentials.apiSecret);
  return JSON.stringify({ request: { header: { ...header, signature }, ...fields } });
}

/** The fields of a transfer: in-house (`/p2pl/payment/transfer`) or online interbank (`/p2pl/payment/interbank`). */
export function transferFields(input: TransferInput): Fields {
  if (input.usage === "TRANSFER") {
    return {
      accountNumber: input.sourceAccountNumber,
      beneficiaryAccountNumber: input.beneficiaryAccountNumber,
      currency: input.currency,
      amount: input.amount,
      remark: input.remark,
    };
  }
  return {
    accountNumber: input.sourceAccountNumber,
    beneficiaryAccountNumber: input.beneficiaryAccountNumber,
    beneficiaryAccountName: input.beneficiaryAccountName,
    beneficiaryBankCode: input.beneficiaryBankCode,
    beneficiaryBankName: input.beneficiaryBankName,
    amount: input.amount,
  };
}

/** A fresh requestUuid for a status inquiry: inquiries book nothing, so they need no stable id. */
function inquiryUuid(): string {
  return Array.from({ length: 16 }, () => UPPER_ALPHANUMERIC.charAt(randomInt(UPPER_ALPHANUMERIC.length))).join("");
}

export interface BniApi {
  transfer(input: TransferInput, ctx: BankCallContext): Promise<HttpAnswer>;
  status(ctx: BankCallContext): Promise<HttpAnswer>;
}

/** BNI p2pl v1 as sandbox/README.md and bank-apis.md section 3 describe it. */
export function createBniApi(credentials: BniCredentials, tokens: TokenCache): BniApi {
  const post = (ctx: BankCallContext, body: (token: string) => string) =>
    sendWithToken(tokens, ctx.signal, (token) => {
      const url = new URL(ctx.route.url);
      url.searchParams.set("access_token", token); // p2pl takes the token in the query, not a header
      return sendBankRequest({
        method: ctx.route.method,
        url: url.toString(),
        headers: { "content-type": "application/json", "x-api-key": credentials.apiKey },
        body: body(token),
        signal: ctx.signal,
      });
    }, isTokenRefused);
  return {
    transfer: (input, ctx) => post(ctx, () => signedBody(credentials, ctx.requestId, transferFields(input))),
    status: (ctx) => post(ctx, () => signedBody(credentials, inquiryUuid(), { requestedUuid: ctx.requestId })),
  };
}

export function fetchBniToken(origin: string, credentials: BniCredentials, signal: AbortSignal): Promise<IssuedToken> {
  return fetchClientCredentialsToken(new URL(BNI_TOKEN_PATH, origin).toString(), credentials.clientId, credentials.clientSecret, signal);
}
