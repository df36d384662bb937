import { doPaymentBody } from "./bank-api";
import { jwtLifetimeSeconds } from "./signature";

// A gateway JWT made independently with Python (base64url of {"alg":"HS256","typ":"JWT"} and of
// {"sub":"gerbang-mandiri","exp":1800000000}); its signature segment is irrelevant here.
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJnZXJiYW5nLW1hbmRpcmkiLCJleHAiOjE4MDAwMDAwMDB9.c2ln";

describe("Mandiri gateway JWT and doPayment body", () => {
  it("reads the token's remaining lifetime from exp", () => {
    expect(jwtLifetimeSeconds(JWT, 1_799_996_400_000)).toBe(3600);
    expect(jwtLifetimeSeconds(JWT, 1_799_999_999_990)).toBeCloseTo(0.01, 6); // 10 ms left, not a second
  });

  it("has no lifetime for a token without a readable exp", () => {
    expect(jwtLifetimeSeconds("not-a-jwt", 0)).toBeUndefined();
    expect(jwtLifetimeSeconds("a.e30.c", 0)).toBeUndefined(); // payload {}
    expect(jwtLifetimeSeconds("a.!!!.c", 0)).toBeUndefined();
  });

  it("wraps the transfer in Request and always names Mandiri's own code for an intrabank transfer", () => {
    const body = JSON.parse(doPaymentBody({
      referenceNumber: "FDP1", attempt: 1, transactionDate: "2026-11-26", usage: "TRANSFER", sourceAccountNumber: "1370012345671",
      sourceAccountName: "IKIPPOB", beneficiaryBankCode: "008", beneficiaryBankName: "", beneficiaryAccountNumber: "1370098765431",
      beneficiaryAccountName: "GAJAH MADA", amount: "15000", currency: "IDR", remark: "test",
    }, "ABCDEFGHIJKLMNOP", "800")) as unknown;
    expect(body).toEqual({
      Request: {
        transactionID: "ABCDEFGHIJKLMNOP", transactionDate: "2026-11-26", referenceID: "FDP1", sourceAccountNumber: "1370012345671",
        beneficiaryAccountNumber: "1370098765431", beneficiaryBankCode: "800", amount: "15000", currency: "IDR", remark1: "test", remark2: "",
      },
    });
  });
});
