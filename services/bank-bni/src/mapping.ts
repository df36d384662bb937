import { anotherRecord, bankAnswer, field, inquiryNotAnswered, noAnswerOutcome, noAnswerToInquiry, text, unrecognisedAnswer, unrecognisedInquiryAnswer, wholeRupiah, type BankAnswer, type HttpAnswer, type StatusOutcome } from "@gerbang/shared";

/**
 * BNI p2pl codes (sandbox/README.md; BNI publishes only `0001`, the rest are the sandbox's
 * documented table) and what each means for money. One switch: only `0001` is success, only an
 * explicit refusal is a decline, and anything else (in progress, duplicate, system error, timeout,
 * a code we have never seen) leaves the outcome unknown.
 */
export type BniMeaning = "success" | "declined" | "token-refused" | "not-found" | "unknown-outcome";

export function meaningOf(code: string): BniMeaning {
  switch (code) {
    case "0001": return "success";
    case "0111": // insufficient balance
    case "0112": // beneficiary account invalid or not found
    case "0113": // account dormant or closed
    case "0114": // amount exceeds limit
    case "0115": // cut-off time exceeded
    case "0400": // invalid JSON or content type: refused before processing
    case "0402": // X-API-Key wrong: refused before processing
    case "0403": // signature invalid: refused before processing
    case "0405": // no such endpoint: nothing processed
    case "0410": // missing or invalid field: refused before processing
      return "declined";
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

export function mapTransferAnswer(answer: HttpAnswer): BankAnswer {
  if (answer.kind === "no-answer") return noAnswerOutcome(answer, "BNI transfer");
  const coded = codeOf(answer.body);
  if (coded === undefined) return unrecognisedAnswer(answer, "BNI transfer");
  const { code, message } = coded;
  switch (meaningOf(code)) {
    case "success":
      // Only the success envelope with HTTP 200 is a booking; "0001" anywhere else is not explicit.
      if (coded.ok && answer.status === 200) return bankAnswer("SUCCESS", code, message, text(answer.body, "response", "journalNum"));
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): not an explicit success; ask the status inquiry`);
    case "declined":
      // BNI's table (ours, unconfirmed by BNI) sends its refusals over 200 and 4xx. The same code in
      // a server error (a proxy's, a failure on the way back) does not prove that nothing was booked.
      if (answer.status >= 500) return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}): a refusal code in a server error; outcome unknown, ask the status inquiry`);
      return bankAnswer("FAILED", code, message);
    case "token-refused":
      // Still refused after a fresh token, over BNI's 401 (as isTokenRefused reads it): BNI did not
      // process it. The code in any other answer proves nothing.
      if (answer.status === 401) return bankAnswer("FAILED", code, message);
      return bankAnswer("PENDING", code, `${message} (HTTP ${answer.status}, not BNI's 401); outcome unknown, ask the status inquiry`);
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
  const echoed = text(previous, "amount");
  if (echoed !== "" && wholeRupiah(echoed) !== ours.amount) return anotherRecord("BNI status inquiry", "amount", echoed, ours.amount);
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
