import http from "node:http";
import type { AddressInfo } from "node:net";
import { fetchClientCredentialsToken } from "./oauth-token";

// A real token endpoint on loopback: what an unusable answer turns into. Its message reaches logs,
// the ledger and the app (as the "not sent" reason), so it must never quote a token.
async function endpoint(status: number, body: string): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => { res.writeHead(status, { "content-type": "application/json" }); res.end(body); });
  await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, close: () => { server.close(); } };
}

describe("client-credentials token request", () => {
  it("takes access_token and expires_in from a 200", async () => {
    const e = await endpoint(200, JSON.stringify({ access_token: "T1", expires_in: 3600 }));
    await expect(fetchClientCredentialsToken(e.url, "id", "secret", AbortSignal.timeout(5000))).resolves.toEqual({ value: "T1", expiresInSeconds: 3600 });
    e.close();
  });

  it("refuses a 200 without a numeric expires_in, and does not quote the token it carried", async () => {
    const e = await endpoint(200, JSON.stringify({ access_token: "SECRET-TOKEN-VALUE", expires_in: "soon" }));
    const message = await fetchClientCredentialsToken(e.url, "id", "secret", AbortSignal.timeout(5000)).then(() => "resolved", (err: unknown) => (err instanceof Error ? err.message : "not an Error"));
    expect(message).toMatch(/HTTP 200: no usable access_token/);
    expect(message).not.toContain("SECRET-TOKEN-VALUE");
    e.close();
  });

  it("does not quote a 201 either: any answer but a refusal may carry a token", async () => {
    const e = await endpoint(201, JSON.stringify({ token: "SECRET-TOKEN-VALUE" }));
    const message = await fetchClientCredentialsToken(e.url, "id", "secret", AbortSignal.timeout(5000)).then(() => "resolved", (err: unknown) => (err instanceof Error ? err.message : "not an Error"));
    expect(message).toMatch(/HTTP 201: no usable access_token/);
    expect(message).not.toContain("SECRET-TOKEN-VALUE");
    e.close();
  });

  it("quotes a refusal's body, which names the reason", async () => {
    const e = await endpoint(401, JSON.stringify({ ErrorCode: "ESB-14-008", ErrorMessage: { English: "Invalid client_id" } }));
    await expect(fetchClientCredentialsToken(e.url, "id", "secret", AbortSignal.timeout(5000))).rejects.toThrow(/HTTP 401: .*ESB-14-008/);
    e.close();
  });
});
