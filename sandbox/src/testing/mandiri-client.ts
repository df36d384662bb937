import { LOCAL_BANK_CREDENTIALS } from "@gerbang/shared";
import { basic, fetchJson, pick, type Answer } from "./http";

/** The calling side of our Mandiri doPayment proposal, for tests. */
export function mandiriClient(baseUrl: string, creds: { appId: string; appKey: string; appSecret: string } = LOCAL_BANK_CREDENTIALS.mandiri) {
  let cached: string | undefined;
  const token = async (): Promise<string> => {
    const answer = await fetchJson(`${baseUrl}/rest/pub/apigateway/jwt/getJsonWebToken?app_id=${creds.appId}`, {
      headers: { Authorization: basic(creds.appKey, creds.appSecret) },
    });
    if (answer.status !== 200) throw new Error(`token: ${answer.status}`);
    cached = pick(answer.body, "jwt");
    return cached;
  };
  const call = async (resource: "doPayment" | "inquiryStatus", request: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const jwt = options.token ?? cached ?? (await token());
    return fetchJson(`${baseUrl}/gateway/TbwPayment/1.0/${resource}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json", ...options.headers },
      body: JSON.stringify({ Request: request }),
    });
  };
  return { token, call };
}
