import type { HttpAnswer } from "@gerbang/shared";
import { isTokenRefused, mapStatusAnswer, mapTransferAnswer, meaningOf } from "./mapping";

/** The attempt asked about in the inquiry cases. */
const OURS = { requestId: "ABCDEF0123456789" };
/** The transfer answer to the attempt sent (`OURS`). */
const transferAnswer = (answer: HttpAnswer) => mapTransferAnswer(answer, OURS);
const reply = (status: number, responseCode: string, fields: Record<string, unknown> = {}): HttpAnswer => ({
  kind: "answered", status, body: { Response: { responseCode, responseMessage: `message ${responseCode}`, ...fields } }, text: "",
});

describe("Mandiri mapping (every code of sandbox/README.md)", () => {
  it("maps HTTP 200 code 00 to SUCCESS with the journal number", () => {
    expect(transferAnswer(reply(200, "00", { journalNo: "JN1" }))).toEqual({ status: "SUCCESS", bankCode: "00", bankMessage: "message 00", bankReference: "JN1" });
  });

  it("is PENDING for a success that echoes another transactionID than the one sent: not this payment's", () => {
    expect(transferAnswer(reply(200, "00", { journalNo: "JN1", transactionID: OURS.requestId })).status).toBe("SUCCESS");
    expect(transferAnswer(reply(200, "00", { journalNo: "JN1", transactionID: "ZZZZ000000000000" }))).toMatchObject({ status: "PENDING", bankMessage: expect.stringMatching(/another payment: its transactionID is ZZZZ000000000000/) as string });
  });

  it.each([[200, "51"], [200, "14"], [200, "62"], [200, "61"], [200, "90"], [400, "10"], [404, "12"], [401, "11"]])(
    "HTTP %i code %s is an explicit refusal: FAILED with Mandiri's code", (status, code) => {
      expect(transferAnswer(reply(status, code))).toEqual({ status: "FAILED", bankCode: code, bankMessage: `message ${code}`, bankReference: "" });
    });

  it.each([[409, "94"], [500, "96"], [504, "68"], [202, "09"], [200, "77"], [500, "25"], [200, "10"], [200, "11"], [500, "11"], [403, "11"], [400, "11"], [500, "51"], [502, "14"], [503, "12"],
    [400, "51"], [409, "14"], [200, "12"], [202, "90"], [401, "62"]])("HTTP %i code %s leaves the outcome unknown: PENDING (a refusal code only over the status its table gives it)", (status, code) => {
    expect(transferAnswer(reply(status, code))).toMatchObject({ status: "PENDING", bankCode: code });
  });

  it("is PENDING for 00 with an HTTP status other than 200, for foreign answers and for no answer", () => {
    expect(transferAnswer(reply(202, "00")).status).toBe("PENDING");
    expect(transferAnswer({ kind: "answered", status: 502, body: undefined, text: "Bad Gateway" }).status).toBe("PENDING");
    expect(transferAnswer({ kind: "no-answer", sent: true, reason: "timeout", detail: "t" }).status).toBe("PENDING");
    expect(() => transferAnswer({ kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" })).toThrow(/not sent/);
    expect(meaningOf("XX")).toBe("unknown-outcome");
  });

  it("recognises only HTTP 401 code 11 as a refused token", () => {
    expect(isTokenRefused(reply(401, "11"))).toBe(true);
    expect(isTokenRefused(reply(400, "11"))).toBe(false);
    expect(isTokenRefused(reply(401, "10"))).toBe(false);
  });

  it("maps inquiryStatus: SUCCESS, FAILED with the reason code, PENDING, and 404 code 25 NOT_FOUND", () => {
    expect(mapStatusAnswer(reply(200, "00", { transactionStatus: "SUCCESS", journalNo: "J2", reasonCode: "00", reasonMessage: "Success" }), OURS))
      .toEqual({ status: "SUCCESS", bankCode: "00", bankMessage: "Success", bankReference: "J2" });
    expect(mapStatusAnswer(reply(200, "00", { transactionStatus: "FAILED", reasonCode: "51", reasonMessage: "Insufficient funds" }), OURS))
      .toMatchObject({ status: "FAILED", bankCode: "51", bankMessage: "Insufficient funds" });
    expect(mapStatusAnswer(reply(200, "00", { transactionStatus: "PENDING" }), OURS).status).toBe("PENDING");
    expect(mapStatusAnswer(reply(200, "00", { transactionStatus: "DONE?" }), OURS).status).toBe("PENDING");
    expect(mapStatusAnswer(reply(404, "25"), OURS)).toMatchObject({ status: "NOT_FOUND", bankCode: "25" });
  });

  it("takes an inquiry's record as ours only if the transactionID it echoes is ours: another payment's outcome is UNKNOWN", () => {
    const record = (transactionID: string, transactionStatus: string) => reply(200, "00", { transactionID, transactionStatus, reasonCode: "00", journalNo: "J2" });
    expect(mapStatusAnswer(record(OURS.requestId, "SUCCESS"), OURS).status).toBe("SUCCESS");
    for (const status of ["SUCCESS", "FAILED", "PENDING"]) {
      expect(mapStatusAnswer(record("ZZZZZZZZZZZZZZZZ", status), OURS)).toMatchObject({ status: "UNKNOWN", bankMessage: expect.stringContaining("its transactionID is ZZZZZZZZZZZZZZZZ, ours ABCDEF0123456789") as string });
    }
  });

  it("never reads a failed inquiry as a failed transfer, nor as PENDING: UNKNOWN (a wrong path is 12, not 25)", () => {
    for (const [status, code] of [[404, "12"], [500, "96"], [401, "11"], [400, "10"], [500, "25"], [200, "25"]] as const) {
      expect(mapStatusAnswer(reply(status, code), OURS)).toMatchObject({ status: "UNKNOWN", bankCode: code }); // 25 only over 404 is "no record"
    }
    expect(mapStatusAnswer({ kind: "no-answer", sent: true, reason: "timeout", detail: "t" }, OURS).status).toBe("UNKNOWN");
    expect(mapStatusAnswer(reply(200, "00"), OURS).status).toBe("UNKNOWN"); // "00" with no record in it
  });
});
