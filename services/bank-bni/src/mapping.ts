import { anotherRecord, bankAnswer, echoedOther, field, inquiryNotAnswered, noAnswerOutcome, noAnswerToInquiry, refusalAnswer, successOfAnotherPayment, text, unrecognisedAnswer, unrecognisedInquiryAnswer, wholeRupiah, type BankAnswer, type HttpAnswer, type StatusOutcome, type TransferInput } from "@gerbang/shared";

/**
 * BNI p2pl codes (sandbox/README.md; BNI publishes only `0001`, the rest are the sandbox's
 * documented table) and what each means for money. One switch: only `0001` is success, only an
 * explicit refusal is a decline, and anything else (in progress, duplicate, system error, timeout,
 * a code we have never seen) leaves the outcome unknown.
 */
export type BniMeaning = "success" | "declined" | "token-refused" | "not-found" | "unknown-outcome";

/**
 * The refusals, each with the one HTTP status the table sends it over. The same code over any
 * other status is no proof that nothing was booked (a proxy's answer, a code reused with another
 * meaning by the real bank, whose codes we do not have): its outcome stays unknown.
 */
const DECLINED_OVER: ReadonlyMap<string, number> = new Map([
  ["0111", 200], // insufficient balance
  ["0112", 200], // beneficiary account invalid or not found
  ["0113", 200], // account dormant or closed
  ["0114", 200], // amount exceeds limit
  ["0115", 200], // cut-off time exceeded
  ["0400", 400], // invalid JSON or content type: refused before processing
  ["0410", 400], // missing or invalid field: refused before processing
  ["0402", 401], // X-API-Key wrong: refused before processing
  ["0403", 401], // signature invalid: refused before processing
  ["0405", 404], // no such endpoint: nothing processed
]);

export function meaningOf(code: string): BniMeaning {
  if (DECLINED_OVER.has(code)) return "declined";
  switch (code) {
    case "0001": return "success";
    case "0401": return "token-refused"; // refused before processing; re-sent once with a fresh token
    case "0404": return "not-found"; // status inquiry: requestedUuid unknown
    case "0116": // requestUuid already used: the first attempt's outcome is what counts, ask the inquiry
    case "0900": // system error: may or may not have booked
    case "0901": // timeout, check transaction status
    case "0902": // request in progress, check transaction status
    default:
      return "unknown-outcome";
  }
}

/**
 * A BNI answer's code and words: the success envelope `response`, or an error: the envelope
 * `Response.parameters` that clients and mocks see, or the top-level fields BNI's own SDK reads.
 */
function codeOf(body: unknown): { code: string; message: string; ok: boolean } | undefined {
  const success = text(body, "response", "responseCode");
  if (success !== "") return { code: success, message: text(body, "response", "responseMessage"), ok: true };
  const error = [["Response", "parameters"], []].find((at) => text(body, ...at, "responseCode") !== "");
  if (error === undefined) return undefined;
  const message = [text(body, ...error, "responseMessage"), text(body, ...error, "errorMessage")]
    .filter((part, i, all) => part !== "" && all.indexOf(part) === i).join(": ");
  return { code: text(body, ...error, "responseCode"), message, ok: false };
}

/** The bank refused our access token (expired, revoked, sandbox restarted): get a new one and re-send once. */
export function isTokenRefused(answer: HttpAnswer): boolean {
  return answer.kind === "answered" && answer.status === 401 && meaningOf(codeOf(answer.body)?.code ?? "") === "token-refused";
}

/** What of the attempt sent BNI's success echoes: a success echoing anything else is another payment's. */
type SentPayment = Pick<TransferInput, "amount" | "sourceAccountNumber" | "beneficiaryAccountNumber">;

/** The amount (read as whole rupiah) an answer may echo. */
const amountEcho = (amount: string) => ({ field: "amount", sent: amount, read: wholeRupiah });

/** `ours`: the attempt sent, to check a success BNI answers with is this payment's. */
export function mapTransferAnswer(answer: HttpAnswer, ours: SentPayment): BankAnswer {
  if (answer.kind === "no-answer") return noAnswerOutcome(answer, "BNI transfer");
  const coded = codeOf(answer.body);
  if (coded === undefined) return unrecognisedAnswer(answer, "BNI transfer");
  const { code, message } = coded;
  switch (meaningOf(code)) {
    case "success":
      // Only the success envelope with HTTP 200 is a booking; "0001" anywhere else is not explicit.
      if (coded.ok && answer.status === 200) {
        const other = echoedOther(field(answer.body, "response"), [
          amountEcho(ours.amount), { field: "accountNumber", sent: ours.sourceAccountNumber }, { field: "beneficiaryAccountNumber", sent: ours.beneficiaryAccountNumber },
        ]);
        if (other !== undefined) return successOfAnotherPayment("BNI transfer", other);
        return bankAnswer("SUCCESS", code, message, text(answer.body, "response", "journalNum"));
      }
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): not an explicit success; ask the status inquiry`);
    case "declined":
      return refusalAnswer(DECLINED_OVER.get(code), answer.status, coded, "the status inquiry");
    case "token-refused":
      // Still refused after a fresh token, over BNI's 401 (as isTokenRefused reads it): BNI did not process it.
      return refusalAnswer(401, answer.status, coded, "the status inquiry");
    case "not-found":
    case "unknown-outcome":
      return bankAnswer("PENDING", code, `${message}; outcome unknown, ask the status inquiry`);
  }
}

/** `ours`: the attempt asked about, to check the record BNI answers with is this payment's. */
export function mapStatusAnswer(answer: HttpAnswer, ours: { amount: string }): BankAnswer<StatusOutcome> {
  if (answer.kind === "no-answer") return noAnswerToInquiry(answer, "BNI status inquiry");
  const coded = codeOf(answer.body);
  if (coded === undefined) return unrecognisedInquiryAnswer(answer, "BNI status inquiry");
  // Only BNI's "no such request" over its documented 404 says the attempt never arrived.
  if (meaningOf(coded.code) === "not-found" && answer.status === 404) return bankAnswer("NOT_FOUND", coded.code, coded.message);
  if (!(coded.ok && answer.status === 200 && meaningOf(coded.code) === "success")) {
    // The inquiry itself failed; that says nothing about the transfer.
    return inquiryNotAnswered(coded.code, coded.message);
  }
  const previous = field(answer.body, "response", "previousResponse");
  // The sandbox echoes the payment's amount (BNI publishes no inquiry answer): where an amount
  // comes back, it must be ours, or the record and its outcome are another payment's.
  const other = echoedOther(previous, [amountEcho(ours.amount)]);
  if (other !== undefined) return anotherRecord("BNI status inquiry", other);
  const code = text(previous, "previousResponseCode");
  const message = text(previous, "previousResponseMessage");
  // transactionStatus is the sandbox's (ours): Y booked, N refused, P in progress.
  const transactionStatus = text(previous, "transactionStatus");
  switch (transactionStatus) {
    case "Y": return bankAnswer("SUCCESS", code, message, text(previous, "journalNum"));
    case "N": return bankAnswer("FAILED", code, message);
    case "P": return bankAnswer("PENDING", code, message === "" ? "in progress" : message);
    // No record in the answer: nothing learnt. A record in a state we do not know: BNI has it, not final.
    case "": return unrecognisedInquiryAnswer(answer, "BNI status inquiry");
    default: return bankAnswer("PENDING", code, `status inquiry answered an unknown transactionStatus "${transactionStatus}"`);
  }
}
