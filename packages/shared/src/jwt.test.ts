import { signHs256, verifyHs256, TokenError } from "./jwt";
import { signServiceToken, verifyServiceToken } from "./service-token";
import { transferRequestClaim } from "./transfer-claim";

const key = "7c51d6b6-6b99-4896-9fc5-4425522ed2ce";
const now = 1_800_000_000;
const opts = { audience: "gerbang", maxLifetimeSeconds: 300, nowSeconds: now };
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("verifyHs256", () => {
  it("accepts a well-formed HS256 token", () => {
    const token = signHs256({ sub: "2", aud: "gerbang", iat: now, exp: now + 300, jti: "j1" }, key);
    expect(verifyHs256(token, key, opts).sub).toBe("2");
  });
  it.each([
    ["a wrong key", signHs256({ aud: "gerbang", iat: now, exp: now + 60 }, "other-key"), /invalid signature/],
    ["a wrong audience", signHs256({ aud: "other", iat: now, exp: now + 60 }, key), /audience/],
    ["an expired token", signHs256({ aud: "gerbang", iat: now - 400, exp: now - 100 }, key), /expired/],
    ["an iat in the future", signHs256({ aud: "gerbang", iat: now + 60, exp: now + 120 }, key), /future/],
    ["a lifetime over 5 minutes", signHs256({ aud: "gerbang", iat: now, exp: now + 301 }, key), /lifetime/],
    ["alg none", `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ aud: "gerbang", iat: now, exp: now + 60 })}.`, /invalid/],
    ["no exp", signHs256({ aud: "gerbang", iat: now }, key), /iat and exp/],
  ])("refuses %s", (_label, token, message) => {
    expect(() => verifyHs256(token, key, opts)).toThrow(TokenError);
    expect(() => verifyHs256(token, key, opts)).toThrow(message);
  });
});

describe("service tokens", () => {
  const binding = { referenceNumber: "GRB1", attempt: 1 };
  it("verify with the partner key, bank code and binding", () => {
    expect(() => { verifyServiceToken(signServiceToken(key, "009", binding), key, "009", binding); }).not.toThrow();
  });
  it("are refused for another bank, key or transfer", () => {
    const token = signServiceToken(key, "009", binding);
    expect(() => { verifyServiceToken(token, key, "014", binding); }).toThrow(TokenError);
    expect(() => { verifyServiceToken(token, "other", "009", binding); }).toThrow(TokenError);
    expect(() => { verifyServiceToken(token, key, "009", { ...binding, attempt: 2 }); }).toThrow(/another transfer/);
  });
});

describe("transferRequestClaim", () => {
  it("is the SHA-256 of the pipe-joined critical fields", () => {
    // echo -n 'A1|014|0115476119|2475000' | sha256sum
    expect(transferRequestClaim({ clientReferenceNo: "A1", beneficiaryBankCode: "014", beneficiaryAccountNumber: "0115476119", amount: "2475000" }))
      .toBe("5dbd61d3c41a5a954ced55f632421f3b3386f61a6f8541427d11bfe5cc622285");
  });
});
