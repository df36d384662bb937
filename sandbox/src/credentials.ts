/** What each sandbox checks callers against (defaults: LOCAL_BANK_CREDENTIALS from @gerbang/shared). */
export interface BniCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  /** Key of the HS256 JWT signature in the request body. */
  apiSecret: string;
  /** The companyId every request's header must carry. */
  companyId: string;
}

export interface BcaCredentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  /** Key of X-BCA-Signature. */
  apiSecret: string;
  /** The CorporateID every transfer must carry. */
  corporateId: string;
}

export interface MandiriCredentials {
  appId: string;
  appKey: string;
  appSecret: string;
}

export type BankCredentials =
  | { bank: "bni"; credentials: BniCredentials }
  | { bank: "bca"; credentials: BcaCredentials }
  | { bank: "mandiri"; credentials: MandiriCredentials };
