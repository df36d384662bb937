import { createHmac } from "node:crypto";
import { MIN_KEY_TOKEN_LENGTH, peekClaims, peekSubject, signHs256, verifyHs256, TokenError } from "./jwt";
import { signServiceToken, statusBinding, transferBinding, verifyServiceToken } from "./service-token";
import { transferRequestClaim } from "./transfer-claim";

const key = "7c51d6b6-6b99-4896-9fc5-4425522ed2ce";
const now = 1_800_000_000;
const opts = { audience: "gerbang", maxLifetimeSeconds: 300, nowSeconds: now };
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A token with any header, HMAC-signed with `key` by the given hash (to prove the header's alg is checked, not only the MAC). */
const withHeader = (header: object, payload: object, hash: string) => {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  // eslint-disable-next-line sonarjs/hardcoded-secret-signatures -- the paper's published demo key, in a test
  return `${unsigned}.${createHmac(hash, key).update(unsigned).digest("base64url")}`;
};
/** The signature of one token on another payload. */
const alter = (token: string, payload: object) => { const [h, , sig] = token.split("."); return `${h}.${b64url(payload)}.${sig}`; };
/** Same signature bytes, spelt with different unused trailing bits (43 chars encode 32 bytes and 2 spare bits). */
const nonCanonical = (token: string) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const sig = token.slice(token.lastIndexOf(".") + 1);
  const last = alphabet.indexOf(sig.slice(-1));
  return token.slice(0, -1) + (alphabet[last ^ 1] ?? "A");
};

describe("verifyHs256", () => {
  it("accepts a well-formed HS256 token", () => {
    const token = signHs256({ sub: "2", aud: "gerbang", iat: now, exp: now + 300, jti: "j1" }, key);
    expect(verifyHs256(token, key, opts).sub).toBe("2");
  });
  it("accepts an audience list that names us, and tolerates a few seconds of clock skew", () => {
    expect(verifyHs256(signHs256({ aud: ["x", "gerbang"], iat: now, exp: now + 60 }, key), key, opts).exp).toBe(now + 60);
    expect(verifyHs256(signHs256({ aud: "gerbang", iat: now + 3, exp: now + 63 }, key), key, opts).iat).toBe(now + 3);
  });
  it("reads the subject without verifying, and nothing from garbage", () => {
    expect(peekSubject(signHs256({ sub: "3", aud: "gerbang" }, "any"))).toBe("3");
    expect(peekSubject("not-a-token")).toBeUndefined();
    expect(peekSubject(`${b64url({ alg: "HS256" })}.${b64url({ sub: 3 })}.x`)).toBeUndefined();
  });
  it.each([
    ["a wrong key", signHs256({ aud: "gerbang", iat: now, exp: now + 60 }, "other-key"), /invalid signature/],
    ["a wrong audience", signHs256({ aud: "other", iat: now, exp: now + 60 }, key), /audience/],
    ["an expired token", signHs256({ aud: "gerbang", iat: now - 400, exp: now - 100 }, key), /expired/],
    ["an iat in the future", signHs256({ aud: "gerbang", iat: now + 60, exp: now + 120 }, key), /future/],
    ["a lifetime over 5 minutes", signHs256({ aud: "gerbang", iat: now, exp: now + 301 }, key), /lifetime/],
    ["alg none", `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ aud: "gerbang", iat: now, exp: now + 60 })}.`, /invalid/],
    ["no exp", signHs256({ aud: "gerbang", iat: now }, key), /iat and exp/],
    // jsonwebtoken's sign adds an iat; without one, exp - iat would be NaN and pass the 5-minute cap.
    ["no iat, valid for a year", withHeader({ alg: "HS256", typ: "JWT" }, { aud: "gerbang", exp: now + 31_536_000 }, "sha256"), /iat and exp/],
    ["an iat that is not a number", withHeader({ alg: "HS256", typ: "JWT" }, { aud: "gerbang", iat: String(now), exp: now + 60 }, "sha256"), /iat and exp/],
    ["an altered payload", alter(signHs256({ sub: "2", aud: "gerbang", iat: now, exp: now + 60 }, key), { sub: "1", aud: "gerbang", iat: now, exp: now + 60 }), /invalid signature/],
    ["alg HS512 signed with the same key", withHeader({ alg: "HS512", typ: "JWT" }, { aud: "gerbang", iat: now, exp: now + 60 }, "sha512"), /only HS256/],
    ["alg RS256 (key confusion)", withHeader({ alg: "RS256", typ: "JWT" }, { aud: "gerbang", iat: now, exp: now + 60 }, "sha256"), /only HS256/],
    ["a non-canonical signature", nonCanonical(signHs256({ aud: "gerbang", iat: now, exp: now + 60 }, key)), /invalid signature/],
    ["two segments", signHs256({ aud: "gerbang", iat: now, exp: now + 60 }, key).split(".").slice(0, 2).join("."), /malformed/],
    ["a header that is not JSON", `bm90IGpzb24.${b64url({ aud: "gerbang", iat: now, exp: now + 60 })}.x`, /header/],
    ["an nbf in the future", signHs256({ aud: "gerbang", iat: now, exp: now + 60, nbf: now + 30 }, key), /not active/],
    ["a payload that is an array", withHeader({ alg: "HS256" }, [1, 2], "sha256"), /not a JSON object/],
  ])("refuses %s", (_label, token, message) => {
    expect(() => verifyHs256(token, key, opts)).toThrow(TokenError);
    expect(() => verifyHs256(token, key, opts)).toThrow(message);
  });
});

describe("service tokens", () => {
  const call = {
    referenceNumber: "GRB1", attempt: 1, amount: "10000", currency: "IDR", sourceAccountNumber: "0115470003", beneficiaryBankCode: "009",
    beneficiaryAccountNumber: "0115476119", usage: 1, transactionDate: "2026-11-27",
  };
  const binding = transferBinding(call);
  it("verify with the partner key, bank code and binding", () => {
    expect(() => { verifyServiceToken(signServiceToken(key, "009", binding), key, "009", binding); }).not.toThrow();
    expect(() => { verifyServiceToken(signServiceToken(key, "009", statusBinding(call)), key, "009", statusBinding(call)); }).not.toThrow();
  });
  it("live 60 s, or less when the sender's lease ends sooner", () => {
    const exp = (token: string) => peekClaims(token)?.exp;
    expect(exp(signServiceToken(key, "009", binding, { nowSeconds: 1000 }))).toBe(1060);
    expect(exp(signServiceToken(key, "009", binding, { nowSeconds: 1000, notAfterSeconds: 1020 }))).toBe(1020);
    expect(exp(signServiceToken(key, "009", binding, { nowSeconds: 1000, notAfterSeconds: 5000 }))).toBe(1060);
  });
  it("are refused with a lifetime over 60 s, however well bound: one seen on the mesh must not be replayable for long", () => {
    const valid = signServiceToken(key, "009", binding);
    const long = signHs256({ ...peekClaims(valid), exp: (peekClaims(valid)?.iat ?? 0) + 3600 }, key);
    expect(() => { verifyServiceToken(long, key, "009", binding); }).toThrow(/lifetime exceeds 60/);
  });
  it("are refused for another bank, key or transfer", () => {
    const token = signServiceToken(key, "009", binding);
    expect(() => { verifyServiceToken(token, key, "014", binding); }).toThrow(TokenError);
    expect(() => { verifyServiceToken(token, "9d1a0f4e-0c39-4d5c-9c62-3f6c2f0e8a11", "009", binding); }).toThrow(/signature/);
    expect(() => { verifyServiceToken(token, key, "009", transferBinding({ ...call, attempt: 2 })); }).toThrow(/another transfer/);
  });
  it("are all refused under a partner key shorter than MIN_KEY_TOKEN_LENGTH, even when signed with it", () => {
    const short = "k".repeat(MIN_KEY_TOKEN_LENGTH - 1);
    expect(() => { verifyServiceToken(signServiceToken(short, "009", binding), short, "009", binding); })
      .toThrow(`bank 009's partner key token is under ${MIN_KEY_TOKEN_LENGTH} characters; every call is refused until it is rotated`);
    const long = "k".repeat(MIN_KEY_TOKEN_LENGTH);
    expect(() => { verifyServiceToken(signServiceToken(long, "009", binding), long, "009", binding); }).not.toThrow();
  });
  it("are refused for another RPC, and a Transfer token for other money fields or another day", () => {
    const inquiryToken = signServiceToken(key, "009", statusBinding(call));
    expect(() => { verifyServiceToken(inquiryToken, key, "009", binding); }).toThrow(/another call than Transfer/);
    expect(() => { verifyServiceToken(signServiceToken(key, "009", binding), key, "009", statusBinding(call)); }).toThrow(/another call/);
    const token = signServiceToken(key, "009", binding);
    const others = [
      { amount: "10001" }, { currency: "USD" }, { sourceAccountNumber: "0115470004" }, { beneficiaryBankCode: "014" },
      { beneficiaryAccountNumber: "0115476110" }, { usage: 2 },
      // BCA keeps request ids unique per day: the same call replayed after midnight must not verify.
      { transactionDate: "2026-11-28" },
    ];
    for (const other of others) {
      expect(() => { verifyServiceToken(token, key, "009", transferBinding({ ...call, ...other })); }).toThrow(/another amount, currency, source, beneficiary, usage or date/);
    }
  });
  it("bind an inquiry's token to the record it asks about: not another day (BCA allocates ids per day), amount, account or usage", () => {
    const inquiryToken = signServiceToken(key, "009", statusBinding(call));
    const others = [{ transactionDate: "2026-11-28" }, { amount: "10001" }, { sourceAccountNumber: "0115470004" }, { beneficiaryAccountNumber: "0115476110" }, { usage: 2 }];
    for (const other of others) {
      expect(() => { verifyServiceToken(inquiryToken, key, "009", statusBinding({ ...call, ...other })); }).toThrow(/another amount, source, beneficiary, usage or date/);
    }
  });
});

describe("transferRequestClaim", () => {
  it("is the SHA-256 of the pipe-joined critical fields", () => {
    // echo -n 'A1|014|0115476119|2475000' | sha256sum
    expect(transferRequestClaim({ clientReferenceNo: "A1", beneficiaryBankCode: "014", beneficiaryAccountNumber: "0115476119", amount: "2475000" }))
      .toBe("5dbd61d3c41a5a954ced55f632421f3b3386f61a6f8541427d11bfe5cc622285");
  });
});
