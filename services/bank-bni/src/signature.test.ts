import { signedBody } from "./bank-api";
import { bniSignature } from "./signature";

// Vectors computed independently of this code with Python's hmac/hashlib/base64 (urlsafe, padding
// stripped) from BNI's published procedure: JWT header {"alg":"HS256","typ":"JWT"}, payload = the
// compact JSON body without the signature, HMAC-SHA256 with the API secret.
describe("BNI p2pl v1 signature", () => {
  it("encodes the JOSE header exactly as BNI's documentation shows", () => {
    expect(bniSignature("{}", "k").split(".")[0]).toBe("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  });

  it("matches a Python-computed vector over BNI's documented example payload", () => {
    expect(bniSignature('{"clientId":"IDBNIU0FOREJPWA==","accountNo":"0115476117"}', "TEST-SECRET")).toBe(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjbGllbnRJZCI6IklEQk5JVTBGT1JFSlBXQT09IiwiYWNjb3VudE5vIjoiMDExNTQ3NjExNyJ9.yA0U3O8RxohKfCsbaAB9VetFPzXSMXUl04p6Os8hlQ4",
    );
  });

  it("signs the p2pl transfer envelope without its signature field and puts the JWT in request.header.signature", () => {
    const credentials = { clientId: "c", clientSecret: "s", apiKey: "k", apiSecret: "bni-test-secret", companyId: "SANDBOX", parentCompanyId: "STI_CHS" };
    const body = JSON.parse(signedBody(credentials, "E8C6E0027F6E429F", {
      accountNumber: "0115476117", beneficiaryAccountNumber: "0115471119", currency: "IDR", amount: "11500", remark: "Test P2PL",
    })) as { request: { header: { signature: string } } };
    expect(body.request.header.signature).toBe(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyZXF1ZXN0Ijp7ImhlYWRlciI6eyJjb21wYW55SWQiOiJTQU5EQk9YIiwicGFyZW50Q29tcGFueUlkIjoiU1RJX0NIUyIsInJlcXVlc3RVdWlkIjoiRThDNkUwMDI3RjZFNDI5RiJ9LCJhY2NvdW50TnVtYmVyIjoiMDExNTQ3NjExNyIsImJlbmVmaWNpYXJ5QWNjb3VudE51bWJlciI6IjAxMTU0NzExMTkiLCJjdXJyZW5jeSI6IklEUiIsImFtb3VudCI6IjExNTAwIiwicmVtYXJrIjoiVGVzdCBQMlBMIn19.pEMzlUutGS75WjfQrhsxFaeCnTwMMvxECVIt-g5Evjo",
    );
  });

  it("leaves parentCompanyId out of the header, and so out of the signed payload, when the company has none", () => {
    const credentials = { clientId: "c", clientSecret: "s", apiKey: "k", apiSecret: "bni-test-secret", companyId: "SANDBOX", parentCompanyId: "" };
    const body = JSON.parse(signedBody(credentials, "E8C6E0027F6E429F", { amount: "11500" })) as { request: { header: Record<string, string> } };
    expect(Object.keys(body.request.header)).toEqual(["companyId", "requestUuid", "signature"]);
    const payload = JSON.parse(Buffer.from(body.request.header.signature!.split(".")[1]!, "base64url").toString()) as { request: { header: Record<string, string> } };
    expect(payload.request.header).toEqual({ companyId: "SANDBOX", requestUuid: "E8C6E0027F6E429F" });
  });

  it("changes when one character of the payload or the secret changes", () => {
    const base = bniSignature('{"amount":"11500"}', "secret");
    expect(bniSignature('{"amount":"11501"}', "secret")).not.toBe(base);
    expect(bniSignature('{"amount":"11500"}', "secreT")).not.toBe(base);
  });
});
