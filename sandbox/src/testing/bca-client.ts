import { createHash, createHmac } from "node:crypto";
import { JAKARTA_OFFSET_MS, LOCAL_BANK_CREDENTIALS } from "@gerbang/shared";
import { BCA_CHANNEL_ID } from "../bca/auth";
import { clientCredentialsToken, fetchJson, type Answer } from "./http";

/** X-BCA-Timestamp for a given instant, in UTC+7 as BCA's examples: 2016-02-03T10:00:00.000+07:00. */
export function bcaTimestamp(ms: number): string {
  return `${new Date(ms + JAKARTA_OFFSET_MS).toISOString().slice(0, 23)}+07:00`;
}

/**
 * The calling side of BCA's signature for tests, from BCA's published algorithm: the client signs
 * the query sorted by name and the body with every whitespace character removed.
 */
export function signBca(secret: string, method: string, pathAndQuery: string, token: string, body: string, timestamp: string): string {
  const [path, query] = pathAndQuery.split("?");
  const sorted = query === undefined ? path : `${path}?${query.split("&").sort((a, b) => a.localeCompare(b)).join("&")}`;
  const hash = createHash("sha256").update(body.replace(/\s/g, "")).digest("hex");
  return createHmac("sha256", secret).update(`${method}:${sorted}:${token}:${hash}:${timestamp}`).digest("hex");
}

export interface BcaCallOptions {
  token?: string;
  apiKey?: string;
  timestamp?: string;
  signature?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Body text sent instead of the signed one (tamper tests). */
  sendBody?: string;
}

/** A BCA caller for tests; it sends ChannelID and CredentialID on every call, as BCA's own clients do. */
export function bcaClient(baseUrl: string, now: () => number, creds: { clientId: string; clientSecret: string; apiKey: string; apiSecret: string; corporateId: string } = LOCAL_BANK_CREDENTIALS.bca) {
  let cached: string | undefined;
  const token = async (): Promise<string> => {
    cached = await clientCredentialsToken(baseUrl, creds.clientId, creds.clientSecret);
    return cached;
  };
  const call = async (method: "GET" | "POST", pathAndQuery: string, body: string, options: BcaCallOptions = {}): Promise<Answer> => {
    const accessToken = options.token ?? cached ?? (await token());
    const timestamp = options.timestamp ?? bcaTimestamp(now());
    const headers: Record<string, string> = {
      Authorization: `Bearer ${accessToken}`, Origin: "gerbang.local", "X-BCA-Key": options.apiKey ?? creds.apiKey, "X-BCA-Timestamp": timestamp,
      "X-BCA-Signature": options.signature ?? signBca(creds.apiSecret, method, pathAndQuery, accessToken, body, timestamp),
      ChannelID: BCA_CHANNEL_ID, CredentialID: creds.corporateId,
      ...options.headers,
    };
    if (method === "POST") headers["Content-Type"] = options.contentType ?? "application/json";
    const init: RequestInit = { method, headers };
    if (method === "POST") init.body = options.sendBody ?? body;
    return fetchJson(`${baseUrl}${pathAndQuery}`, init);
  };
  return { token, call };
}
