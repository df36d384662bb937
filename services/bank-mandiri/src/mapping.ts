import { anotherRecord, bankAnswer, echoedOther, field, inquiryNotAnswered, noAnswerOutcome, noAnswerToInquiry, refusalAnswer, successOfAnotherPayment, text, unrecognisedAnswer, unrecognisedInquiryAnswer, type BankAnswer, type HttpAnswer, type StatusOutcome } from "@gerbang/shared";

/**
 * Mandiri doPayment codes (our proposal, sandbox/README.md; ISO 8583 response codes as Indonesian
 * switches use them) and what each means for money. One switch: only "00" is success, only an
 * explicit refusal is a decline, duplicates, system errors, late answers and unknown codes leave
 * the outcome unknown.
 */
export type MandiriMeaning = "success" | "declined" | "token-refused" | "not-found" | "unknown-outcome";

/**
 * The refusals, each with the one HTTP status our proposal sends it over. The same code over any
 * other status is no proof that nothing was booked (a proxy's answer; in ISO 8583, 10 approves a
 * partial amount): its outcome stays unknown.
 */
const DECLINED_OVER: ReadonlyMap<string, number> = new Map([
  ["10", 400], // invalid JSON, content type or field: refused before processing
  ["12", 404], // no such service: nothing processed
  ["14", 200], // invalid beneficiary account
  ["51", 200], // insufficient funds
  ["61", 200], // amount exceeds limit
  ["62", 200], // account dormant or closed
  ["90", 200], // cut-off in progress
]);

export function meaningOf(code: string): MandiriMeaning {
  if (DECLINED_OVER.has(code)) return "declined";
  switch (code) {
    case "00": return "success";
    case "11": return "token-refused"; // refused before processing; re-sent once with a fresh token
    case "25": return "not-found"; // inquiry: unable to locate record
    case "09": // request in progress: the inquiry says when it is done
    case "68": // response received too late: outcome unknown
    case "94": // duplicate transactionID: the first send's outcome counts, ask inquiryStatus
    case "96": // system malfunction
    default:
      return "unknown-outcome";
  }
}

const codeOf = (body: unknown) => ({ code: text(body, "Response", "responseCode"), message: text(body, "Response", "responseMessage") });

/** Our proposal echoes the transactionID sent or asked about: where one comes back, it must be ours, or the answer is another payment's. */
const otherTransaction = (body: unknown, ours: { requestId: string }) => echoedOther(field(body, "Response"), [{ field: "transactionID", sent: ours.requestId }]);

export function isTokenRefused(answer: HttpAnswer): boolean {
  return answer.kind === "answered" && answer.status === 401 && meaningOf(codeOf(answer.body).code) === "token-refused";
}

/** `ours`: the attempt sent, to check a success Mandiri answers with is this payment's. */
export function mapTransferAnswer(answer: HttpAnswer, ours: { requestId: string }): BankAnswer {
  if (answer.kind === "no-answer") return noAnswerOutcome(answer, "Mandiri doPayment");
  const coded = codeOf(answer.body);
  const { code, message } = coded;
  if (code === "") return unrecognisedAnswer(answer, "Mandiri doPayment");
  switch (meaningOf(code)) {
    case "success":
      if (answer.status === 200) {
        const other = otherTransaction(answer.body, ours);
        if (other !== undefined) return successOfAnotherPayment("Mandiri doPayment", other);
        return bankAnswer("SUCCESS", code, message, text(answer.body, "Response", "journalNo"));
      }
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): not an explicit success; ask inquiryStatus`);
    case "declined":
      return refusalAnswer(DECLINED_OVER.get(code), answer.status, coded, "inquiryStatus");
    case "token-refused":
      // Still refused after a fresh token, over our proposal's 401 (as isTokenRefused reads it):
      // Mandiri did not process it. In ISO 8583, 11 approves: over any other status it proves nothing.
      return refusalAnswer(401, answer.status, coded, "inquiryStatus");
    case "not-found":
    case "unknown-outcome":
      return bankAnswer("PENDING", code, `${message}; outcome unknown, ask inquiryStatus`);
  }
}

/** `ours`: the attempt asked about, to check the record Mandiri answers with is this payment's. */
export function mapStatusAnswer(answer: HttpAnswer, ours: { requestId: string }): BankAnswer<StatusOutcome> {
  if (answer.kind === "no-answer") return noAnswerToInquiry(answer, "Mandiri inquiryStatus");
  const { code, message } = codeOf(answer.body);
  if (code === "") return unrecognisedInquiryAnswer(answer, "Mandiri inquiryStatus");
  // Only "unable to locate record" over the documented 404 says the attempt never arrived.
  if (meaningOf(code) === "not-found" && answer.status === 404) return bankAnswer("NOT_FOUND", code, message);
  if (answer.status !== 200 || meaningOf(code) !== "success") {
    // The inquiry itself failed; that says nothing about the transfer.
    return inquiryNotAnswered(code, message);
  }
  const other = otherTransaction(answer.body, ours);
  if (other !== undefined) return anotherRecord("Mandiri inquiryStatus", other);
  const reasonCode = text(answer.body, "Response", "reasonCode");
  const reasonMessage = text(answer.body, "Response", "reasonMessage");
  const transactionStatus = text(answer.body, "Response", "transactionStatus");
  switch (transactionStatus) {
    case "SUCCESS": return bankAnswer("SUCCESS", reasonCode === "" ? code : reasonCode, reasonMessage, text(answer.body, "Response", "journalNo"));
    case "FAILED": return bankAnswer("FAILED", reasonCode, reasonMessage);
    case "PENDING": return bankAnswer("PENDING", reasonCode, reasonMessage === "" ? "in progress" : reasonMessage);
    // No record in the answer: nothing learnt. A record in a state we do not know: Mandiri has it, not final.
    case "": return unrecognisedInquiryAnswer(answer, "Mandiri inquiryStatus");
    default: return bankAnswer("PENDING", code, `inquiryStatus answered an unknown transactionStatus "${transactionStatus}"`);
  }
}
