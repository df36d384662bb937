import type { HttpAnswer } from "@gerbang/shared";
import { isDuplicateId, isTokenRefused, mapStatusAnswer, mapTransferAnswer, meaningOf, otherAttempt } from "./mapping";

const SENT = { requestId: "12345678", transactionDate: "2016-01-30" };
/** The transfer answer to the attempt sent (`SENT`). */
const transferAnswer = (answer: HttpAnswer) => mapTransferAnswer(answer, SENT);
/** The status inquiry's answer about the attempt asked about (`SENT`). */
const statusAnswer = (answer: HttpAnswer) => mapStatusAnswer(answer, SENT);

const esb = (status: number, code: string): HttpAnswer => ({
  kind: "answered", status, body: { ErrorCode: code, ErrorMessage: { English: `english ${code}`, Indonesian: `indonesia ${code}` } }, text: "",
});
const inquiry = (fields: Record<string, unknown>): HttpAnswer => ({ kind: "answered", status: 200, body: { TransactionID: "12345678", Amount: "1000.00", ...fields }, text: "" });

describe("BCA mapping (every ESB code of sandbox/README.md)", () => {
  it("maps HTTP 200 Status Success to SUCCESS with the PPUNumber", () => {
    expect(transferAnswer({ kind: "answered", status: 200, body: { TransactionID: "12345678", Status: "Success", PPUNumber: "PPU1" }, text: "" }))
      .toEqual({ status: "SUCCESS", bankCode: "Success", bankMessage: "Success", bankReference: "PPU1" });
  });

  it("names the first echoed TransactionID or TransactionDate that is not the attempt's; none when both are, or are not echoed", () => {
    expect(otherAttempt({}, SENT)).toBeUndefined();
    expect(otherAttempt({ TransactionID: "12345678", TransactionDate: "2016-01-30" }, SENT)).toBeUndefined();
    expect(otherAttempt({ TransactionID: "87654321" }, SENT)).toEqual({ field: "TransactionID", theirs: "87654321", ours: "12345678" });
    expect(otherAttempt({ TransactionDate: "2016-01-29" }, SENT)).toEqual({ field: "TransactionDate", theirs: "2016-01-29", ours: "2016-01-30" });
  });

  it("is PENDING for a success that echoes another TransactionID or TransactionDate than the ones sent: not this payment's", () => {
    const success = (echo: Record<string, string>): HttpAnswer => ({ kind: "answered", status: 200, body: { Status: "Success", PPUNumber: "PPU1", ...echo }, text: "" });
    expect(transferAnswer(success({ TransactionID: "12345678", TransactionDate: "2016-01-30" })).status).toBe("SUCCESS");
    expect(transferAnswer(success({ TransactionID: "87654321", TransactionDate: "2016-01-30" }))).toMatchObject({ status: "PENDING", bankMessage: expect.stringMatching(/another payment: its TransactionID is 87654321, ours 12345678/) as string });
    expect(transferAnswer(success({ TransactionID: "12345678", TransactionDate: "2016-01-29" })).status).toBe("PENDING");
  });

  it.each([
    [400, "ESB-14-001"], [400, "ESB-14-003"], [400, "ESB-14-015"], [400, "ESB-14-016"], [400, "ESB-14-021"], [400, "ESB-14-004"],
    [400, "ESB-82-001"], [400, "ESB-82-002"], [400, "ESB-82-004"], [403, "ESB-82-006"], [400, "ESB-82-008"], [400, "ESB-82-011"],
    [400, "ESB-82-014"], [403, "ESB-82-018"], [402, "ESB-82-019"], [404, "ESB-82-022"], [500, "ESB-82-026"],
    [401, "ESB-14-009"],
  ])("HTTP %i %s is an explicit refusal: FAILED with BCA's code and English reason", (status, code) => {
    expect(transferAnswer(esb(status, code))).toEqual({ status: "FAILED", bankCode: code, bankMessage: `english ${code}`, bankReference: "" });
  });

  // A refusal code over another status than the one BCA publishes for it (above): a 5xx, a 200, another 4xx.
  it.each([[500, "ESB-82-019", 402], [502, "ESB-82-014", 400], [503, "ESB-14-001", 400], [504, "ESB-82-022", 404], [502, "ESB-82-026", 500], [504, "ESB-82-026", 500], [200, "ESB-82-019", 402],
    [409, "ESB-82-019", 402], [400, "ESB-82-022", 404], [403, "ESB-82-014", 400], [404, "ESB-82-018", 403]])(
    "HTTP %i %s is a refusal code outside its published status: PENDING, never FAILED", (status, code, published) => {
      const answer = transferAnswer(esb(status, code));
      expect(answer).toMatchObject({ status: "PENDING", bankCode: code });
      expect(answer.bankMessage).toContain(`(HTTP ${status}, not the ${published} this refusal comes with): outcome unknown`);
    });

  // ESB-14-009 outside BCA's 401 (a proxy's 500): no proof the token was the reason, or that nothing was processed.
  it.each([[504, "ESB-82-024"], [500, "ESB-82-025"], [500, "ESB-99-999"], [400, "ESB-82-003"], [500, "ESB-82-023"], [500, "ESB-14-005"], [504, "ESB-14-006"], [504, "ESB-14-007"], [500, "ESB-77-777"], [500, "ESB-14-009"]])(
    "HTTP %i %s leaves the outcome unknown: PENDING", (status, code) => {
      expect(transferAnswer(esb(status, code))).toMatchObject({ status: "PENDING", bankCode: code });
    });

  it("is PENDING without an answer or with an answer that is not BCA's; not sent when the connection was refused", () => {
    expect(transferAnswer({ kind: "no-answer", sent: true, reason: "reset", detail: "r" }).status).toBe("PENDING");
    expect(transferAnswer({ kind: "answered", status: 200, body: { Status: "Pending" }, text: "" }).status).toBe("PENDING");
    expect(() => transferAnswer({ kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" })).toThrow(/not sent/);
    expect(meaningOf("ESB-00-000")).toBe("unknown-outcome");
  });

  it("429 ESB-14-010 (rate limited before processing) is not sent: UNAVAILABLE, so the transfer may go elsewhere or later", () => {
    expect(() => transferAnswer(esb(429, "ESB-14-010"))).toThrow(/not sent: BCA transfer: ESB-14-010 english ESB-14-010 \(HTTP 429\): rate limited/);
    expect(statusAnswer(esb(429, "ESB-14-010")).status).toBe("UNKNOWN"); // an inquiry refused says nothing about the transfer
    // The code without BCA's 429 (a proxy's 500, say) is no proof nothing was processed: ask, never reroute.
    expect(transferAnswer(esb(500, "ESB-14-010"))).toMatchObject({ status: "PENDING", bankCode: "ESB-14-010" });
  });

  it("tells a refused token (401 ESB-14-009) and a duplicate TransactionID (ESB-82-003) apart from the rest", () => {
    expect(isTokenRefused(esb(401, "ESB-14-009"))).toBe(true);
    expect(isTokenRefused(esb(401, "ESB-14-008"))).toBe(false);
    expect(isDuplicateId(esb(400, "ESB-82-003"))).toBe(true);
    expect(isDuplicateId(esb(400, "ESB-82-004"))).toBe(false);
  });

  it("maps the status inquiry: 00 SUCCESS, 06 FAILED with the reason, 01-05 and unknown codes PENDING, 07 UNKNOWN, ESB-82-027 over 404 NOT_FOUND", () => {
    expect(statusAnswer(inquiry({ StatusCode: "00", Reason: { English: "Success" }, PPUNumber: "P7" }))).toEqual({ status: "SUCCESS", bankCode: "00", bankMessage: "Success", bankReference: "P7" });
    expect(statusAnswer(inquiry({ StatusCode: "06", Reason: { English: "Insufficient fund" } }))).toMatchObject({ status: "FAILED", bankCode: "06", bankMessage: "Insufficient fund" });
    // SNAP's initiated, paying, pending: not refusals, whatever the sandbox once used "01" for.
    for (const code of ["01", "02", "03"]) expect(statusAnswer(inquiry({ StatusCode: code })).status).toBe("PENDING");
    // Refunded, canceled: BCA has a record, nothing we can settle on.
    for (const code of ["04", "05"]) expect(statusAnswer(inquiry({ StatusCode: code })).status).toBe("PENDING");
    expect(statusAnswer(inquiry({ StatusCode: "04" })).bankMessage).toMatch(/^refunded at BCA .*a person decides$/);
    // Not found in a 200: no proof either way (PENDING would say the attempt reached BCA, NOT_FOUND needs the 404).
    expect(statusAnswer(inquiry({ StatusCode: "07", Reason: { English: "Not found" } }))).toMatchObject({ status: "UNKNOWN", bankCode: "07" });
    expect(statusAnswer(inquiry({ StatusCode: "99" })).status).toBe("PENDING");
    expect(statusAnswer(esb(404, "ESB-82-027"))).toMatchObject({ status: "NOT_FOUND", bankCode: "ESB-82-027" });
  });

  it("a failed inquiry is UNKNOWN, never FAILED, and never PENDING (which would say BCA knows the attempt)", () => {
    expect(statusAnswer(esb(500, "ESB-99-999"))).toMatchObject({ status: "UNKNOWN", bankCode: "ESB-99-999" });
    // "not found" only over the documented 404: a 500 or a 200 with that code is a broken inquiry, not an absent transfer
    expect(statusAnswer(esb(500, "ESB-82-027"))).toMatchObject({ status: "UNKNOWN", bankCode: "ESB-82-027" });
    expect(statusAnswer(esb(401, "ESB-14-009")).status).toBe("UNKNOWN");
    expect(statusAnswer({ kind: "answered", status: 502, body: undefined, text: "<html>" }).status).toBe("UNKNOWN");
    expect(statusAnswer({ kind: "answered", status: 200, body: {}, text: "{}" }).status).toBe("UNKNOWN"); // no record in it
    expect(statusAnswer({ kind: "no-answer", sent: true, reason: "timeout", detail: "t" }).status).toBe("UNKNOWN");
    expect(() => statusAnswer({ kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" })).toThrow(/not sent/);
  });
});
