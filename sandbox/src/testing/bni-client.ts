import { createHmac, randomBytes } from "node:crypto";
import { LOCAL_BANK_CREDENTIALS } from "@gerbang/shared";
import { clientCredentialsToken, fetchJson, type Answer } from "./http";

/**
 * The calling side of BNI p2pl v1 for tests, written from BNI's published procedure (not from
 * the sandbox's verifier): JWT header {"alg":"HS256","typ":"JWT"}, payload = the compact JSON body
 * without the signature, HMAC-SHA256 with the API secret, all base64url without padding.
 */
export function bniJwt(payload: unknown, secret: string, header = '{"alg":"HS256","typ":"JWT"}'): string {
  const head = Buffer.from(header).toString("base64url");
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const mac = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${mac}`;
}

export const newUuid = (): string => randomBytes(8).toString("hex").toUpperCase();

export interface BniCallOptions {
  requestUuid?: string;
  token?: string;
  apiKey?: string | null;
  secret?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Changes the body after signing (tamper tests). */
  after?: (body: { request: Record<string, unknown> }) => void;
}

export function bniClient(baseUrl: string, creds: { clientId: string; clientSecret: string; apiKey: string; apiSecret: string; companyId: string } = LOCAL_BANK_CREDENTIALS.bni) {
  let cached: string | undefined;
  const token = async (): Promise<string> => {
    cached = await clientCredentialsToken(baseUrl, creds.clientId, creds.clientSecret);
    return cached;
  };
  const call = async (path: string, fields: Record<string, unknown>, options: BniCallOptions = {}): Promise<Answer> => {
    const header = { companyId: creds.companyId, parentCompanyId: "GERBANG_GROUP", requestUuid: options.requestUuid ?? newUuid() };
    const unsigned = { request: { header, ...fields } };
    const body = { request: { header: { ...header, signature: bniJwt(unsigned, options.secret ?? creds.apiSecret) }, ...fields } };
    options.after?.(body);
    const accessToken = options.token ?? cached ?? (await token());
    const headers: Record<string, string> = { "Content-Type": options.contentType ?? "application/json", ...options.headers };
    if (options.apiKey !== null) headers["X-API-Key"] = options.apiKey ?? creds.apiKey;
    return fetchJson(`${baseUrl}${path}?access_token=${encodeURIComponent(accessToken)}`, { method: "POST", headers, body: JSON.stringify(body) });
  };
  return { token, call };
}
