import http from "node:http";
import type { AddressInfo } from "node:net";
import { fetchMandiriToken } from "./bank-api";

// Mandiri's token endpoint on loopback: an unusable answer's message reaches logs, the ledger and
// the app (as the "not sent" reason), so it quotes a refusal but never a 200, which may carry a token.
async function endpoint(status: number, body: string): Promise<{ origin: string; close: () => void }> {
  const server = http.createServer((_req, res) => { res.writeHead(status, { "content-type": "application/json" }); res.end(body); });
  await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => { server.close(); } };
}

const credentials = { appId: "app", appKey: "key", appSecret: "secret" };
const failure = (origin: string) => fetchMandiriToken(origin, credentials, AbortSignal.timeout(5000))
  .then(() => "resolved", (err: unknown) => (err instanceof Error ? err.message : "not an Error"));

describe("Mandiri token request", () => {
  it("refuses a 200 without a jwt field, and does not quote the token it carried under another name", async () => {
    const e = await endpoint(200, JSON.stringify({ token: "eyJ.SECRET-TOKEN-VALUE.sig" }));
    const message = await failure(e.origin);
    expect(message).toMatch(/HTTP 200: no usable jwt/);
    expect(message).not.toContain("SECRET-TOKEN-VALUE");
    e.close();
  });

  it("quotes a refusal's body, which names the reason", async () => {
    const e = await endpoint(401, JSON.stringify({ Response: { responseCode: "11", responseMessage: "Unauthorized: wrong app key" } }));
    expect(await failure(e.origin)).toMatch(/HTTP 401: .*wrong app key/);
    e.close();
  });
});
