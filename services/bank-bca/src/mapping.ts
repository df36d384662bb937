import { anotherRecord, bankAnswer, echoedOther, inquiryNotAnswered, noAnswerOutcome, noAnswerToInquiry, refusalAnswer, successOfAnotherPayment, text, unavailable, unrecognisedAnswer, unrecognisedInquiryAnswer, type BankAnswer, type HttpAnswer, type StatusOutcome } from "@gerbang/shared";

/**
 * BCA ESB error codes (bank-apis.md 2.1, sandbox/README.md) and what each means for money. One
 * switch: explicit refusals are declines; a rate limit is "not sent" (the API gateway refused it
 * before anything was processed, so it may go elsewhere or again later); timeouts, "in progress",
 * system errors and any code we have never seen leave the outcome unknown. Success has no code at BCA: it is HTTP 200
 * with `Status: "Success"`.
 */
export type BcaMeaning = "declined" | "token-refused" | "rate-limited" | "duplicate-id" | "not-found" | "unknown-outcome";

/**
 * The one refusal BCA publishes over HTTP 500 (bank-apis.md 2.1): the transfer was not processed
 * that day. A decline, but one the service confirms with the status inquiry (service.ts confirmCutOff).
 */
const CUT_OFF = "ESB-82-026";

/** A FAILED answer that is BCA's cut-off: final only once the status inquiry confirms it. */
export function isCutOff(answer: BankAnswer): boolean {
  return answer.status === "FAILED" && answer.bankCode === CUT_OFF;
}

/**
 * BCA's refusals, each with the HTTP status it publishes for it (bank-apis.md 2.1). The same code
 * over any other status (a proxy's 502, a failure on the way back, a 200) proves nothing.
 */
const DECLINED_OVER: ReadonlyMap<string, number> = new Map([
  ["ESB-14-001", 400], // HMAC mismatch
  ["ESB-14-002", 400], // invalid request
  ["ESB-14-003", 400], // invalid timestamp
  ["ESB-14-004", 400], // invalid input parameter
  ["ESB-14-011", 404], // service does not exist
  ["ESB-14-012", 401], // not allowed for this service
  ["ESB-14-014", 401], // invalid ChannelID/CredentialID
  ["ESB-14-015", 400], // content type
  ["ESB-14-016", 400], // invalid JSON
  ["ESB-14-019", 403], // connection not allowed
  ["ESB-14-021", 400], // invalid API key
  ["ESB-14-022", 400], // API key/secret mismatch
  ["ESB-82-001", 400], // mandatory field missing
  ["ESB-82-002", 400], // invalid CorporateID
  ["ESB-82-004", 400], // TransactionDate not today: this request was refused (a resend's refusal leaves the transfer to the inquiry, in the gateway)
  ["ESB-82-006", 403], // maximum amount exceeded
  ["ESB-82-008", 400], // company account invalid
  ["ESB-82-009", 400], // invalid CurrencyCode
  ["ESB-82-010", 400], // invalid TransactionID format
  ["ESB-82-011", 400], // invalid Amount
  ["ESB-82-012", 400], // invalid input length
  ["ESB-82-013", 400], // invalid data type
  ["ESB-82-014", 400], // invalid AccountNumber
  ["ESB-82-015", 403], // min/max amount
  ["ESB-82-018", 403], // dormant
  ["ESB-82-019", 402], // insufficient fund
  ["ESB-82-020", 400], // invalid account type
  ["ESB-82-021", 403], // account cannot transact
  ["ESB-82-022", 404], // account closed
  [CUT_OFF, 500], // cut-off time exceeded
]);

export function meaningOf(errorCode: string): BcaMeaning {
  if (DECLINED_OVER.has(errorCode)) return "declined";
  switch (errorCode) {
    case "ESB-14-009": return "token-refused"; // refused before processing; re-sent once with a fresh token
    case "ESB-14-010": return "rate-limited"; // 429 at the API gateway (ESB-14 is its layer, as 14-009): nothing processed
    case "ESB-82-003": return "duplicate-id"; // TransactionID already used today: our own resend (ids are allocated per attempt), or an id used elsewhere
    case "ESB-82-027": return "not-found"; // status inquiry: no such TransactionID that day (sandbox's code)
    case "ESB-14-005": // maintenance: may have been cut mid-way
    case "ESB-14-006": // timeout, check account statement
    case "ESB-14-007": // timeout
    case "ESB-82-007": // "effective date smaller than today": BCA lists it for its Collection API, with no status for transfers
    case "ESB-82-023": // 500 "transaction failed", no more said: no explicit refusal (a booking that failed on its way back would be paid again elsewhere)
    case "ESB-82-024": // timeout, check statement
    case "ESB-82-025": // in progress, check statement
    case "ESB-99-999": // system unavailable
    default:
      return "unknown-outcome";
  }
}

function errorOf(body: unknown): { code: string; message: string } | undefined {
  const code = text(body, "ErrorCode");
  return code === "" ? undefined : { code, message: text(body, "ErrorMessage", "English") };
}

export function isTokenRefused(answer: HttpAnswer): boolean {
  return answer.kind === "answered" && answer.status === 401 && meaningOf(errorOf(answer.body)?.code ?? "") === "token-refused";
}

/** ESB-82-003: the TransactionID was used today already; the service checks whose it is. */
export function isDuplicateId(answer: HttpAnswer): boolean {
  return answer.kind === "answered" && meaningOf(errorOf(answer.body)?.code ?? "") === "duplicate-id";
}

/** The attempt an answer is about, as BCA echoes it: its TransactionID and TransactionDate. */
export interface SentAttempt { requestId: string; transactionDate: string }

/**
 * The first of the TransactionID and TransactionDate an answer echoes that is not the attempt's:
 * the answer is about another record (a transfer's success, an inquiry's record). Undefined when
 * both are the attempt's, or not echoed.
 */
export function otherAttempt(body: unknown, ours: SentAttempt) {
  return echoedOther(body, [{ field: "TransactionID", sent: ours.requestId }, { field: "TransactionDate", sent: ours.transactionDate }]);
}

/** BCA's success, unless it echoes another record than the attempt sent. */
function successOf(body: unknown, ours: SentAttempt): BankAnswer {
  const other = otherAttempt(body, ours);
  if (other !== undefined) return successOfAnotherPayment("BCA transfer", other);
  return bankAnswer("SUCCESS", "Success", "Success", text(body, "PPUNumber"));
}

/** `ours`: the attempt sent, to check a success BCA answers with is this payment's. */
export function mapTransferAnswer(answer: HttpAnswer, ours: SentAttempt): BankAnswer {
  if (answer.kind === "no-answer") return noAnswerOutcome(answer, "BCA transfer");
  if (answer.status === 200 && text(answer.body, "Status") === "Success") return successOf(answer.body, ours);
  const error = errorOf(answer.body);
  if (error === undefined) return unrecognisedAnswer(answer, "BCA transfer");
  switch (meaningOf(error.code)) {
    case "declined":
      return refusalAnswer(DECLINED_OVER.get(error.code), answer.status, error, "the status inquiry");
    case "token-refused":
      // Still refused after a fresh token, over BCA's 401 (as isTokenRefused reads it): BCA did not process it.
      return refusalAnswer(401, answer.status, error, "the status inquiry");
    case "rate-limited":
      // "Not sent" lets the gateway send the transfer through another bank: only BCA's documented
      // 429 says the API gateway refused it before processing; the same code in any other answer does not.
      if (answer.status === 429) throw unavailable(`BCA transfer: ${error.code} ${error.message} (HTTP ${answer.status}): rate limited before anything was processed`);
      return bankAnswer("PENDING", error.code, `${error.message} (HTTP ${answer.status}, not BCA's 429); outcome unknown, ask the status inquiry`);
    case "duplicate-id":
    case "not-found":
    case "unknown-outcome":
      return bankAnswer("PENDING", error.code, `${error.message}; outcome unknown, ask the status inquiry`);
  }
}

/** `ours`: the attempt asked about, to check the record BCA answers with is this attempt's. */
export function mapStatusAnswer(answer: HttpAnswer, ours: SentAttempt): BankAnswer<StatusOutcome> {
  if (answer.kind === "no-answer") return noAnswerToInquiry(answer, "BCA status inquiry");
  // A record for another TransactionID or date (a proxy's cached answer, say) says nothing of this attempt.
  const other = otherAttempt(answer.body, ours);
  if (other !== undefined) return anotherRecord("BCA status inquiry", other);
  if (answer.status !== 200) {
    const error = errorOf(answer.body);
    if (error === undefined) return unrecognisedInquiryAnswer(answer, "BCA status inquiry");
    // Only "no such transaction" over its 404 says the attempt never arrived (the sandbox's code:
    // BCA publishes none for this inquiry, so until its own is mapped no answer is NOT_FOUND).
    if (meaningOf(error.code) === "not-found" && answer.status === 404) return bankAnswer("NOT_FOUND", error.code, error.message);
    // The inquiry itself failed; that says nothing about the transfer.
    return inquiryNotAnswered(error.code, error.message);
  }
  const code = text(answer.body, "StatusCode");
  const reason = text(answer.body, "Reason", "English");
  // BCA publishes no StatusCode values for this inquiry; these are its SNAP status table's
  // (bank-apis.md 1.9, latestTransactionStatus), which the sandbox follows. Only 06 is a refusal: 01
  // there is "initiated", so reading it as rejected could fail a transfer BCA is still booking.
  // 04 refunded and 05 canceled are not ours to settle either: BCA has the attempt, in a state
  // neither SUCCESS nor FAILED says, so it stays PENDING and a person decides at the horizon.
  // 07 is "not found" there: it cannot say BCA has the attempt (PENDING would be taken as proof
  // that it left), and only the sandbox's 404 ESB-82-027 says BCA does not; so nothing learnt.
  switch (code) {
    case "00": return bankAnswer("SUCCESS", code, reason, text(answer.body, "PPUNumber"));
    case "06": return bankAnswer("FAILED", code, reason);
    case "01": case "02": case "03": return bankAnswer("PENDING", code, reason === "" ? "in progress" : reason);
    case "04": case "05": return bankAnswer("PENDING", code, `${code === "04" ? "refunded" : "canceled"} at BCA (${reason}): not a state this gateway settles; a person decides`);
    case "07": return inquiryNotAnswered(code, `StatusCode 07 (not found in BCA's SNAP table) in a 200: ${reason}; only 404 ESB-82-027 says BCA has no such transfer`);
    // No record in the answer: nothing learnt. A record in a state we do not know: BCA has it, not final.
    case "": return unrecognisedInquiryAnswer(answer, "BCA status inquiry");
    default: return bankAnswer("PENDING", code, `status inquiry answered an unknown StatusCode "${code}"`);
  }
}
