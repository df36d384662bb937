import { anotherRecord, bankAnswer, inquiryNotAnswered, noAnswerOutcome, noAnswerToInquiry, text, unrecognisedAnswer, unrecognisedInquiryAnswer, type BankAnswer, type HttpAnswer, type StatusOutcome } from "@gerbang/shared";

/**
 * Mandiri doPayment codes (our proposal, sandbox/README.md; ISO 8583 response codes as Indonesian
 * switches use them) and what each means for money. One switch: only "00" is success, only an
 * explicit refusal is a decline, duplicates, system errors, late answers and unknown codes leave
 * the outcome unknown.
 */
export type MandiriMeaning = "success" | "declined" | "token-refused" | "not-found" | "unknown-outcome";

export function meaningOf(code: string): MandiriMeaning {
  switch (code) {
    case "00": return "success";
    case "10": // invalid JSON, content type or field: refused before processing
    case "12": // no such service: nothing processed
    case "14": // invalid beneficiary account
    case "51": // insufficient funds
    case "61": // amount exceeds limit
    case "62": // account dormant or closed
    case "90": // cut-off in progress
      return "declined";
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

/**
 * In ISO 8583, 10 approves (a partial amount); our proposal refuses with it, over HTTP 4xx. Until
 * Mandiri confirms the code, 10 over any other status is not taken as a refusal: read as a decline,
 * an approval would let the transfer be paid again. (11, a VIP approval there, is our token
 * refusal: taken only over 401.)
 */
const ISO_APPROVALS = ["10"];

const codeOf = (body: unknown) => ({ code: text(body, "Response", "responseCode"), message: text(body, "Response", "responseMessage") });

export function isTokenRefused(answer: HttpAnswer): boolean {
  return answer.kind === "answered" && answer.status === 401 && meaningOf(codeOf(answer.body).code) === "token-refused";
}

export function mapTransferAnswer(answer: HttpAnswer): BankAnswer {
  if (answer.kind === "no-answer") return noAnswerOutcome(answer, "Mandiri doPayment");
  const { code, message } = codeOf(answer.body);
  if (code === "") return unrecognisedAnswer(answer, "Mandiri doPayment");
  switch (meaningOf(code)) {
    case "success":
      if (answer.status === 200) return bankAnswer("SUCCESS", code, message, text(answer.body, "Response", "journalNo"));
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): not an explicit success; ask inquiryStatus`);
    case "declined":
      // Our proposal sends its refusals over 200 and 4xx; the same code in a server error (a proxy's,
      // a failure on the way back) does not prove that nothing was booked.
      if (answer.status >= 500) return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): a refusal code in a server error; outcome unknown, ask inquiryStatus`);
      if (ISO_APPROVALS.includes(code) && (answer.status < 400 || answer.status > 499)) {
        return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): an approval code in ISO 8583, a refusal here only over HTTP 4xx; ask inquiryStatus`);
      }
      return bankAnswer("FAILED", code, message);
    case "token-refused":
      // Still refused after a fresh token, over our proposal's 401 (as isTokenRefused reads it):
      // Mandiri did not process it. The code in any other answer proves nothing.
      if (answer.status === 401) return bankAnswer("FAILED", code, message);
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}, not the proposal's 401); outcome unknown, ask inquiryStatus`);
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
  // Our proposal echoes the transactionID asked about: where one comes back, it must be ours, or
  // the record and its outcome are another payment's.
  const echoed = text(answer.body, "Response", "transactionID");
  if (echoed !== "" && echoed !== ours.requestId) return anotherRecord("Mandiri inquiryStatus", "transactionID", echoed, ours.requestId);
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
