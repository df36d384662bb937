import type { HttpAnswer } from "@gerbang/shared";
import { isTokenRefused, mapStatusAnswer, mapTransferAnswer, meaningOf } from "./mapping";

const ok = (fields: Record<string, unknown>): HttpAnswer => ({ kind: "answered", status: 200, body: { response: { responseCode: "0001", responseMessage: "ok", ...fields } }, text: "" });
/** The attempt asked about in the inquiry cases. */
const OURS = { amount: "10000", sourceAccountNumber: "0115476151", beneficiaryAccountNumber: "0115476119" };
/** The transfer answer to the attempt sent (`OURS`). */
const transferAnswer = (answer: HttpAnswer) => mapTransferAnswer(answer, OURS);
const error = (status: number, responseCode: string): HttpAnswer => ({
  kind: "answered", status, body: { Response: { parameters: { responseCode, responseMessage: `message ${responseCode}`, errorMessage: "detail" } } }, text: "",
});

describe("BNI mapping (every code of sandbox/README.md)", () => {
  it("maps 0001 in the success envelope with HTTP 200 to SUCCESS with the journal number", () => {
    expect(transferAnswer(ok({ journalNum: "J123" }))).toEqual({ status: "SUCCESS", bankCode: "0001", bankMessage: "ok", bankReference: "J123" });
  });

  it("is PENDING for a success that echoes another amount or account than the payment sent: not this payment's", () => {
    const echo = { amount: "10000", accountNumber: OURS.sourceAccountNumber, beneficiaryAccountNumber: OURS.beneficiaryAccountNumber };
    expect(transferAnswer(ok({ journalNum: "J123", ...echo })).status).toBe("SUCCESS");
    expect(transferAnswer(ok({ journalNum: "J123", ...echo, amount: "99000" }))).toMatchObject({ status: "PENDING", bankMessage: expect.stringMatching(/another payment: its amount is 99000, ours 10000/) as string });
    expect(transferAnswer(ok({ journalNum: "J123", ...echo, accountNumber: "0115476999" })).status).toBe("PENDING");
    expect(transferAnswer(ok({ journalNum: "J123", ...echo, beneficiaryAccountNumber: "0115476999" })).status).toBe("PENDING");
  });

  it.each([
    [200, "0111"], [200, "0112"], [200, "0113"], [200, "0114"], [200, "0115"],
    [400, "0400"], [400, "0410"], [401, "0402"], [401, "0403"], [401, "0401"],
  ])("HTTP %i %s is an explicit refusal: FAILED with BNI's code and words", (status, code) => {
    expect(transferAnswer(error(status, code))).toEqual({ status: "FAILED", bankCode: code, bankMessage: `message ${code}: detail`, bankReference: "" });
  });

  // 0401 outside BNI's 401 (a proxy's 500, a 200), or a refusal code over any status but the one
  // its table gives it (a 5xx, another 2xx or 4xx): no proof that nothing was processed.
  it.each([[409, "0116"], [500, "0900"], [504, "0901"], [202, "0902"], [200, "0999"], [500, "ABCD"], [404, "0404"], [500, "0401"], [200, "0401"], [403, "0401"],
    [500, "0111"], [502, "0112"], [503, "0403"], [504, "0410"],
    [400, "0111"], [202, "0112"], [409, "0400"], [400, "0402"], [200, "0403"], [200, "0405"], [200, "0410"]])(
    "HTTP %i %s leaves the outcome unknown: PENDING", (status, code) => {
      expect(transferAnswer(error(status, code))).toMatchObject({ status: "PENDING", bankCode: code });
    });

  it("is PENDING for 0001 that is not an explicit success (error envelope, or HTTP other than 200)", () => {
    expect(transferAnswer(error(200, "0001")).status).toBe("PENDING");
    expect(transferAnswer({ ...ok({}), status: 202 } as HttpAnswer).status).toBe("PENDING");
  });

  it("is PENDING for answers that are not BNI's (HTML error page, empty body)", () => {
    expect(transferAnswer({ kind: "answered", status: 502, body: undefined, text: "<html>" }).status).toBe("PENDING");
  });

  it("is PENDING when the request may have left without an answer; refuses as not sent when the connection was refused", () => {
    for (const reason of ["timeout", "reset", "cancelled", "error"] as const) {
      expect(transferAnswer({ kind: "no-answer", sent: true, reason, detail: reason }).status).toBe("PENDING");
    }
    expect(() => transferAnswer({ kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" })).toThrow(/not sent/);
  });

  it("unknown codes mean unknown outcome", () => {
    expect(meaningOf("7777")).toBe("unknown-outcome");
  });

  it("recognises only HTTP 401 with 0401 as a refused token", () => {
    expect(isTokenRefused(error(401, "0401"))).toBe(true);
    expect(isTokenRefused(error(401, "0402"))).toBe(false);
    expect(isTokenRefused(error(200, "0401"))).toBe(false);
  });

  it("reads errors in the top-level shape BNI's SDK reads as well as in the Response.parameters envelope", () => {
    const topLevel = (status: number, responseCode: string): HttpAnswer => ({ kind: "answered", status, body: { responseCode, responseMessage: `message ${responseCode}` }, text: "" });
    expect(isTokenRefused(topLevel(401, "0401"))).toBe(true); // so the token is renewed and the call re-sent, not left PENDING
    expect(transferAnswer(topLevel(200, "0111"))).toEqual({ status: "FAILED", bankCode: "0111", bankMessage: "message 0111", bankReference: "" });
    expect(transferAnswer(topLevel(200, "0001")).status).toBe("PENDING"); // success only in the success envelope
    expect(mapStatusAnswer(topLevel(404, "0404"), OURS).status).toBe("NOT_FOUND");
  });

  it("maps the status inquiry: Y SUCCESS, N FAILED with the original code, P PENDING, 0404 NOT_FOUND", () => {
    expect(mapStatusAnswer(ok({ previousResponse: { transactionStatus: "Y", previousResponseCode: "0001", previousResponseMessage: "ok", journalNum: "J9" } }), OURS))
      .toEqual({ status: "SUCCESS", bankCode: "0001", bankMessage: "ok", bankReference: "J9" });
    expect(mapStatusAnswer(ok({ previousResponse: { transactionStatus: "N", previousResponseCode: "0111", previousResponseMessage: "Insufficient balance" } }), OURS))
      .toMatchObject({ status: "FAILED", bankCode: "0111" });
    expect(mapStatusAnswer(ok({ previousResponse: { transactionStatus: "P" } }), OURS).status).toBe("PENDING");
    expect(mapStatusAnswer(ok({ previousResponse: { transactionStatus: "?" } }), OURS).status).toBe("PENDING");
    expect(mapStatusAnswer(error(404, "0404"), OURS)).toMatchObject({ status: "NOT_FOUND", bankCode: "0404" });
  });

  it("takes an inquiry's record as ours only if the amount it echoes is ours: another payment's outcome is UNKNOWN", () => {
    const record = (amount: string, transactionStatus: string) => ok({ previousResponse: { transactionStatus, previousResponseCode: "0001", journalNum: "J9", amount } });
    expect(mapStatusAnswer(record("10000", "Y"), OURS).status).toBe("SUCCESS");
    expect(mapStatusAnswer(record("10000.00", "Y"), OURS).status).toBe("SUCCESS");
    for (const status of ["Y", "N", "P"]) {
      expect(mapStatusAnswer(record("5000", status), OURS)).toMatchObject({ status: "UNKNOWN", bankMessage: expect.stringContaining("its amount is 5000, ours 10000") as string });
    }
    expect(mapStatusAnswer(record("10000.50", "Y"), OURS).status).toBe("UNKNOWN");
  });

  it("never reads a failed inquiry as a failed transfer, nor as PENDING (which would say BNI knows the attempt): UNKNOWN", () => {
    for (const [status, code] of [[500, "0900"], [401, "0401"], [400, "0410"], [504, "0901"]] as const) {
      expect(mapStatusAnswer(error(status, code), OURS)).toMatchObject({ status: "UNKNOWN", bankCode: code });
    }
    // "not found" only over the documented 404: with another status, or in the success envelope, it is a broken inquiry
    expect(mapStatusAnswer(error(500, "0404"), OURS)).toMatchObject({ status: "UNKNOWN", bankCode: "0404" });
    expect(mapStatusAnswer({ kind: "answered", status: 200, body: { response: { responseCode: "0404" } }, text: "" }, OURS).status).toBe("UNKNOWN");
    expect(mapStatusAnswer({ kind: "no-answer", sent: true, reason: "timeout", detail: "t" }, OURS).status).toBe("UNKNOWN");
    expect(mapStatusAnswer({ kind: "answered", status: 502, body: undefined, text: "<html>" }, OURS).status).toBe("UNKNOWN");
    expect(mapStatusAnswer(ok({}), OURS).status).toBe("UNKNOWN"); // a success envelope with no record in it
  });
});
