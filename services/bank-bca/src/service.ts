import {
  BANK_CODES, describeMismatch, bankAnswer, createTokenCache, failedPrecondition, jakartaDate, jakartaDaysBefore, RefusedError, resolveEndpoint, text, wholeRupiah,
  type BankAdapter, type BankAnswer, type BankCallContext, type HttpAnswer, type StatusInput, type StatusOutcome, type TransferInput,
} from "@gerbang/shared";
import { createBcaApi, fetchBcaToken, statusUrl, type BcaApi, type BcaCredentials } from "./bank-api";
import { isCutOff, isDuplicateId, mapStatusAnswer, mapTransferAnswer, otherAttempt, type SentAttempt } from "./mapping";
import type { TransactionIds } from "./transaction-id-store";

export interface BcaAdapterDeps {
  credentials: BcaCredentials;
  /** `{{hostBCA}}` value, e.g. http://127.0.0.1:7004. */
  host: string;
  /** `Origin` header registered with BCA. */
  origin: string;
  /** Budget of one token request. */
  timeoutMs: number;
  /** Where each attempt's TransactionID is allocated (unique per day). */
  transactionIds: TransactionIds;
}

/** What BCA echoes of the attempt a call is about. */
const sentAttempt = (input: TransferInput | StatusInput, ctx: BankCallContext): SentAttempt => ({ requestId: ctx.requestId, transactionDate: input.transactionDate });

/** The route variable BCA's endpoints use. */
export const HOST_VARIABLE = "hostBCA";

/**
 * Asks the status inquiry about an attempt BCA has answered: its answer, or why there is none. A
 * failure to ask is never "not sent": the transfer reached BCA, and a refused inquiry or token
 * request would otherwise escape as a refusal and be read as "nothing booked".
 */
async function askAfterAnswer(api: BcaApi, input: TransferInput, ctx: BankCallContext): Promise<{ inquiry: HttpAnswer & { kind: "answered" }; status: BankAnswer<StatusOutcome> } | { failed: string }> {
  const route = ctx.lookupRoute("STATUS_INQUIRY");
  if (route === undefined || statusUrl(route, ctx.requestId, input.transactionDate) === undefined) return { failed: "no usable STATUS_INQUIRY route" };
  let inquiry: HttpAnswer;
  try {
    inquiry = await api.status(route, input.transactionDate, ctx);
  } catch (error) {
    if (error instanceof RefusedError) return { failed: `inquiry failed: ${error.message}` };
    throw error;
  }
  if (inquiry.kind !== "answered") return { failed: inquiry.detail };
  // Before the callers compare amount and accounts: a record for another id or date is no collision, it says nothing.
  const other = otherAttempt(inquiry.body, sentAttempt(input, ctx));
  if (other !== undefined) return { failed: `the inquiry answered about another record: ${describeMismatch(other)}` };
  return { inquiry, status: mapStatusAnswer(inquiry, sentAttempt(input, ctx)) };
}

/**
 * ESB-82-003 means the TransactionID was used today already. Our ids are allocated one per attempt
 * (transaction-id-store.ts), so it is our own earlier send of this attempt (a resend after a timeout
 * or a crash), and the inquiry tells its outcome. Still, the inquiry's answer is taken only if
 * amount, source and beneficiary are this transfer's (an id used by something other than this
 * service, or sent before ids were allocated); otherwise PENDING with the reason, which the
 * gateway's resolver takes to manual review. See README.md "TransactionID collisions".
 */
export async function settleDuplicate(api: BcaApi, input: TransferInput, ctx: BankCallContext): Promise<BankAnswer> {
  const unknown = (why: string) => bankAnswer("PENDING", "ESB-82-003", `TransactionID ${ctx.requestId} already used today; the status inquiry did not say whose it is (${why})`);
  const asked = await askAfterAnswer(api, input, ctx);
  if ("failed" in asked) return unknown(asked.failed);
  const { inquiry, status } = asked;
  if (inquiry.status !== 200) return unknown(status.bankMessage);
  if (!isThisTransfer(inquiry, input)) {
    return bankAnswer("PENDING", "ESB-82-003",
      `TransactionID ${ctx.requestId} collides with another transfer booked at BCA today (amount or accounts differ); this transfer was not executed under it: manual review`);
  }
  if (status.status === "NOT_FOUND") return bankAnswer("PENDING", status.bankCode, "duplicate TransactionID but the inquiry does not find it; outcome unknown");
  if (status.status === "UNKNOWN") return unknown(status.bankMessage);
  return { ...status, status: status.status, bankMessage: `duplicate of our earlier send; ${status.bankMessage}` };
}

/**
 * ESB-82-026 (cut-off) is the one refusal BCA publishes over HTTP 500, and a production client
 * retries it only "after checking" (bank-apis.md 2.1): a 500 can also come from a failure after
 * the booking. So the decline stands only once the inquiry shows this transfer refused under the
 * TransactionID; a booking it finds is the outcome. Anything else leaves the transfer PENDING for
 * the gateway's resolver, "no such transaction" included: asked a moment after the answer, it may
 * not show a booking yet, and NOT_FOUND is never read as FAILED anywhere else either.
 */
export async function confirmCutOff(api: BcaApi, input: TransferInput, ctx: BankCallContext, declined: BankAnswer): Promise<BankAnswer> {
  const unconfirmed = (why: string) => bankAnswer("PENDING", declined.bankCode, `${declined.bankMessage}, not confirmed by the status inquiry (${why}); outcome unknown`);
  const asked = await askAfterAnswer(api, input, ctx);
  if ("failed" in asked) return unconfirmed(asked.failed);
  const { inquiry, status } = asked;
  if (!isThisTransfer(inquiry, input)) return unconfirmed(status.bankMessage);
  if (status.status === "FAILED") return declined;
  if (status.status === "SUCCESS") return { ...status, status: "SUCCESS", bankMessage: `booked despite the cut-off answer; ${status.bankMessage}` };
  return unconfirmed(status.bankMessage);
}

/** True when a status record found under our TransactionID has this transfer's amount and accounts. */
function isThisTransfer(inquiry: HttpAnswer & { kind: "answered" }, input: TransferInput | StatusInput): boolean {
  return wholeRupiah(text(inquiry.body, "Amount")) === input.amount &&
    text(inquiry.body, "SourceAccountNumber") === input.sourceAccountNumber &&
    text(inquiry.body, "BeneficiaryAccountNumber") === input.beneficiaryAccountNumber;
}

/** Days BCA's status inquiry looks back (bank-apis.md 2.2): its "not found" about an older day proves nothing. */
const INQUIRY_WINDOW_DAYS = 31; // the BCA sandbox answers "not found" past it too (sandbox/src/bca/routes.ts)

/**
 * BCA's status inquiry looks back INQUIRY_WINDOW_DAYS: its "not found" about an older day says
 * nothing of a booking, and read as NOT_FOUND it would tell reconcile, or a person, that the
 * transfer was never booked. Such an answer is UNKNOWN. (yyyy-MM-dd dates compare as strings.)
 */
export function beyondInquiryWindow(transactionDate: string, now: number): boolean {
  return transactionDate < jakartaDaysBefore(now, INQUIRY_WINDOW_DAYS);
}

/**
 * BCA behind the shared skeleton: TransactionID = 8 digits, unique per day at BCA, allocated per
 * attempt in the database (transaction-id-store.ts); intrabank transfers only (the legacy API's
 * domestic transfer is another endpoint, not in the routes table); status by TransactionID and date.
 */
export function createBcaAdapter(deps: BcaAdapterDeps): BankAdapter {
  const origin = resolveEndpoint(`https://{{${HOST_VARIABLE}}}/`, { [HOST_VARIABLE]: deps.host });
  const tokens = createTokenCache({ fetchToken: (signal) => fetchBcaToken(origin, deps.credentials, signal), fetchTimeoutMs: deps.timeoutMs });
  const api = createBcaApi(deps.credentials, tokens, { origin: deps.origin });
  return {
    bank: "bca",
    bankCode: BANK_CODES.bca,
    usages: ["TRANSFER"],
    requestId: (key) => deps.transactionIds.allocate(key),
    close: () => { deps.transactionIds.close(); },
    transfer: async (input, ctx) => {
      // BCA books today's TransactionDate only (bank-apis.md 2.1, inferred: ESB-82-004), and its
      // TransactionID is unique per day, a day it does not define. Were it to take an earlier
      // date after all, a re-send of an attempt sent before midnight, booked but "not found" yet,
      // could be booked again if its day is the one it is processed on. So none leaves here: the
      // refusal is "not sent", and the gateway keeps asking about that attempt.
      const today = jakartaDate(Date.now());
      if (input.transactionDate !== today) {
        throw failedPrecondition(`TransactionDate ${input.transactionDate} is not today in Jakarta (${today}): BCA books today's only, so it is not sent`);
      }
      const answer = await api.transfer(input, ctx);
      if (isDuplicateId(answer)) return settleDuplicate(api, input, ctx);
      const mapped = mapTransferAnswer(answer, sentAttempt(input, ctx));
      return isCutOff(mapped) ? confirmCutOff(api, input, ctx, mapped) : mapped;
    },
    status: async (input, ctx) => {
      if (statusUrl(ctx.route, ctx.requestId, input.transactionDate) === undefined) {
        throw failedPrecondition(`STATUS_INQUIRY route ${ctx.route.url} has no {TransactionID}`);
      }
      const inquiry = await api.status(ctx.route, input.transactionDate, ctx);
      const status = mapStatusAnswer(inquiry, sentAttempt(input, ctx));
      if (status.status === "NOT_FOUND" && beyondInquiryWindow(input.transactionDate, Date.now())) {
        return bankAnswer("UNKNOWN", status.bankCode, `BCA's inquiry looks back ${INQUIRY_WINDOW_DAYS} days; its "not found" for ${input.transactionDate} says nothing of a booking`);
      }
      // A record under our TransactionID that is not this transfer's: its outcome is not ours.
      if (status.status !== "UNKNOWN" && status.status !== "NOT_FOUND" && inquiry.kind === "answered" && !isThisTransfer(inquiry, input)) {
        return bankAnswer("PENDING", "ESB-82-003",
          `TransactionID ${ctx.requestId} holds another transfer at BCA (amount or accounts differ); this transfer's outcome is unknown: manual review`);
      }
      return status;
    },
  };
}
