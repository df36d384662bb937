import { ReplyError } from "../core/http";
import { verifyBniSignature } from "./auth";

// Vectors computed independently with python3 (hmac, hashlib, base64.urlsafe_b64encode without
// padding) from BNI's published procedure; the alg-first header encodes to BNI's documented
// "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9".
const SECRET = "bni-local-api-secret";
const FIELDS = { accountNumber: "0115470003", beneficiaryAccountNumber: "0115476119", currency: "IDR", amount: "2475000", remark: "Test P2PL" };
const HEADER = { companyId: "GERBANG", parentCompanyId: "GERBANG_GROUP", requestUuid: "E8C6E0027F6E429F" };
const PAYLOAD =
  "eyJyZXF1ZXN0Ijp7ImhlYWRlciI6eyJjb21wYW55SWQiOiJHRVJCQU5HIiwicGFyZW50Q29tcGFueUlkIjoiR0VSQkFOR19HUk9VUCIsInJlcXVlc3RVdWlkIjoiRThDNkUwMDI3RjZFNDI5RiJ9LCJhY2NvdW50TnVtYmVyIjoiMDExNTQ3MDAwMyIsImJlbmVmaWNpYXJ5QWNjb3VudE51bWJlciI6IjAxMTU0NzYxMTkiLCJjdXJyZW5jeSI6IklEUiIsImFtb3VudCI6IjI0NzUwMDAiLCJyZW1hcmsiOiJUZXN0IFAyUEwifX0";
const ALG_FIRST = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${PAYLOAD}.aXBl3oj5Ki3PPH7Fgfx0Xo6zWvO28VTBDpTXYPskT64`;
const TYP_FIRST = `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${PAYLOAD}.60_8jEvtssGmJhYaIKxuUbT4VyRA6Eid9gskWclwfGo`;

const body = (signature: unknown, fields: Record<string, unknown> = FIELDS) => ({ request: { header: { ...HEADER, signature }, ...fields } });

/** "accepted", or the refusal as JSON. */
function verdict(candidate: unknown, secret = SECRET): string {
  try {
    verifyBniSignature(candidate, secret);
  } catch (error) {
    if (error instanceof ReplyError) return JSON.stringify(error.reply);
    throw error;
  }
  return "accepted";
}

describe("BNI in-body JWT signature", () => {
  it("accepts the vector with either header key order, verified over the segments as received", () => {
    expect(verdict(body(ALG_FIRST))).toBe("accepted");
    expect(verdict(body(TYP_FIRST))).toBe("accepted");
  });

  it("accepts the same body with its keys in another order (compared semantically)", () => {
    const reordered = { request: { amount: "2475000", remark: "Test P2PL", currency: "IDR", beneficiaryAccountNumber: "0115476119", accountNumber: "0115470003", header: { requestUuid: "E8C6E0027F6E429F", signature: ALG_FIRST, parentCompanyId: "GERBANG_GROUP", companyId: "GERBANG" } } };
    expect(verdict(reordered)).toBe("accepted");
  });

  it.each([
    ["a body field altered after signing", body(ALG_FIRST, { ...FIELDS, amount: "2475001" })],
    ["a field added after signing", body(ALG_FIRST, { ...FIELDS, extra: "x" })],
    ["a field removed after signing", body(ALG_FIRST, { ...FIELDS, remark: undefined })],
    ["a different secret", body(ALG_FIRST.slice(0, -4) + "AAAA")],
    ["a missing signature", body(undefined)],
    ["a signature that is not a JWT", body("not-a-jwt")],
    ["a signature of another type", body(42)],
    ["alg none", body(`eyJhbGciOiJub25lIn0.${PAYLOAD}.`)],
  ])("refuses %s with 401 0403", (_why, candidate) => {
    expect(verdict(JSON.parse(JSON.stringify(candidate)) as unknown)).toContain('"responseCode":"0403"');
  });

  it("refuses the vector under another API secret with 0403", () => {
    expect(verdict(body(ALG_FIRST), "another-secret")).toContain('"responseCode":"0403"');
  });
});
