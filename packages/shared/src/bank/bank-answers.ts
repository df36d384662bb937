import type { BankAnswer, StatusOutcome } from "./bank-adapter";
import { text, type HttpAnswer } from "./bank-http";
import { unavailable } from "./refused-error";

/** Builds a BankAnswer; keeps mapping.ts files to the bank's own vocabulary. */
export function bankAnswer<S extends StatusOutcome>(status: S, bankCode: string, bankMessage: string, bankReference = ""): BankAnswer<S> {
  return { status, bankCode, bankMessage, bankReference };
}

export type NoAnswer = Extract<HttpAnswer, { kind: "no-answer" }>;

/**
 * What "no answer" means for a call. No connection to the bank (refused, host not found, budget
 * over while connecting) means the request never left, so the call is refused as UNAVAILABLE ("not sent"). Anything else (timeout, reset, cancel) may have
 * reached the bank: PENDING, to be settled by a status inquiry, never FAILED.
 */
export function noAnswerOutcome(answer: NoAnswer, what: string): BankAnswer<"PENDING"> {
  if (!answer.sent) throw unavailable(`${what}: ${answer.detail}`);
  return bankAnswer("PENDING", "", `${what}: ${answer.detail}; outcome unknown, ask the status inquiry`);
}

/**
 * A status inquiry that got no usable answer: the bank's error code, or none. UNKNOWN, never
 * PENDING: it says nothing about the transfer, not even that the bank knows it.
 */
export function inquiryNotAnswered(bankCode: string, why: string): BankAnswer<"UNKNOWN"> {
  return bankAnswer("UNKNOWN", bankCode, `status inquiry not answered: ${why}`);
}

/** No answer to a status inquiry: refused as "not sent" when it never left (as noAnswerOutcome), else UNKNOWN. */
export function noAnswerToInquiry(answer: NoAnswer, what: string): BankAnswer<"UNKNOWN"> {
  if (!answer.sent) throw unavailable(`${what}: ${answer.detail}`);
  return inquiryNotAnswered("", `${what}: ${answer.detail}`);
}

type Answered = Extract<HttpAnswer, { kind: "answered" }>;
const unrecognised = (answer: Answered, what: string) => `${what}: HTTP ${answer.status} without a recognisable bank answer`;

/** An HTTP answer the bank's API does not define (an HTML error page, a proxy's 502, ...). */
export function unrecognisedAnswer(answer: Answered, what: string): BankAnswer<"PENDING"> {
  return bankAnswer("PENDING", "", `${unrecognised(answer, what)}; outcome unknown`);
}

/** The same for a status inquiry: UNKNOWN, it says nothing about the transfer. */
export function unrecognisedInquiryAnswer(answer: Answered, what: string): BankAnswer<"UNKNOWN"> {
  return inquiryNotAnswered("", unrecognised(answer, what));
}

/** Whole rupiah of a bank's amount text, "150000" or "150000.00"; undefined for anything else (a fraction is not ours). */
export function wholeRupiah(amount: string): string | undefined {
  const match = /^(\d{1,16})(\.\d{1,2})?$/.exec(amount);
  if (match?.[1] === undefined || /[1-9]/.test(match[2] ?? "")) return undefined;
  return BigInt(match[1]).toString();
}

/**
 * A refusal code's answer to a transfer: FAILED only over the one HTTP status the bank's table
 * sends it with (`published`). The same code over any other (a proxy's error, another 2xx or 4xx,
 * a code the real bank uses with another meaning) is no proof that nothing was booked: PENDING,
 * for `inquiry` to decide.
 */
export function refusalAnswer(published: number | undefined, httpStatus: number, coded: { code: string; message: string }, inquiry: string): BankAnswer<"FAILED" | "PENDING"> {
  if (httpStatus === published) return bankAnswer("FAILED", coded.code, coded.message);
  return bankAnswer("PENDING", coded.code, `${coded.message} (HTTP ${httpStatus}, not the ${published ?? "?"} this refusal comes with): outcome unknown, ask ${inquiry}`);
}

/** A field a bank's answer may echo of the attempt: its name, what was sent, and how to read the echo (as is by default). */
export interface Echo { field: string; sent: string; read?: (echoed: string) => string | undefined }

/** An echoed field that is not what the attempt sent: the answer is about another payment or record. */
export interface EchoMismatch { field: string; theirs: string; ours: string }

/** The first of `echoes` that `body` echoes with another value than was sent; undefined when all match or are not echoed. */
export function echoedOther(body: unknown, echoes: readonly Echo[]): EchoMismatch | undefined {
  for (const { field, sent, read = (v: string): string | undefined => v } of echoes) {
    const echoed = text(body, field);
    if (echoed !== "" && read(echoed) !== sent) return { field, theirs: echoed, ours: sent };
  }
  return undefined;
}

/** "its amount is 5000, ours 10000": how every answer about another payment names it. */
export function describeMismatch(other: EchoMismatch): string {
  return `its ${other.field} is ${other.theirs}, ours ${other.ours}`;
}

/**
 * A transfer's success whose echo names another payment (another id, date or amount than the one
 * sent): whatever it booked, it does not say ours was. PENDING, for the status inquiry to decide.
 */
export function successOfAnotherPayment(what: string, other: EchoMismatch): BankAnswer<"PENDING"> {
  return bankAnswer("PENDING", "", `${what} answered success about another payment: ${describeMismatch(other)}; ask the status inquiry`);
}

/**
 * A status inquiry answered with a record whose echo (amount, id) is not this attempt's: its
 * outcome is another payment's, and read as ours it could end this transfer SUCCESS unbooked or
 * FAILED booked. UNKNOWN: nothing learnt about this transfer.
 */
export function anotherRecord(what: string, other: EchoMismatch): BankAnswer<"UNKNOWN"> {
  return inquiryNotAnswered("", `${what} answered about another record: ${describeMismatch(other)}`);
}
