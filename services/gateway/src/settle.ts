import { TransferUsage, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import type { Logger, Partner } from "@gerbang/shared";
import type { BankCaller } from "./bank-client";
import { attemptFields, isIdCollision, type BankAnswer } from "./bank-outcome";
import { leaseCoversCall, nextCheckDelay, policyFor, reviewCheckDelay, type BankPolicies, type BankPolicy } from "./bank-policy";
import type { TransferState } from "./transfer-states";
import type { Attempt, TransferRecord, TransferStore, Usage } from "./transfer-store";

/** Told whenever a transfer enters MANUAL_REVIEW (alert: error log line and metric). */
export type ManualReviewAlert = (record: TransferRecord, reason: string) => void;

/** The Transfer request of one attempt, as the bank service receives it (same for a resend). */
export function bankRequestOf(record: TransferRecord, attempt: Attempt): BankTransferServiceTransferRequest {
  return {
    referenceNumber: record.referenceNumber, attempt: attempt.attempt, transactionDate: attempt.transactionDate,
    usage: protoUsage(attempt.usage),
    sourceAccountNumber: record.sourceAccountNumber, sourceAccountName: record.sourceAccountName,
    beneficiaryBankCode: record.beneficiaryBankCode, beneficiaryBankName: record.beneficiaryBankName,
    beneficiaryAccountNumber: record.beneficiaryAccountNumber, beneficiaryAccountName: record.beneficiaryAccountName,
    amount: record.amount, currency: record.currency, remark: record.remark,
  };
}

/**
 * Records that this instance did not make the call of a send it just recorded (its lease too short
 * after a slow write, it is shutting down, or the write threw although it landed): the attempt's
 * outcome is "not sent", with why.
 * Without it the ledger could not tell a call not made from one a crash cut short, and at a bank
 * whose policy forbids re-sending an attempt that may have left (resendIfMayHaveLeft) the resolver
 * would leave it to a person instead of sending it. The lease is kept: the resolver takes the
 * transfer once it runs out. A write that fails leaves the attempt reading "may have left", the
 * safe side.
 */
export async function recordNotCalled(deps: { ledger: TransferStore; logger: Logger }, record: TransferRecord, attemptNo: number, o: { owner: string; why: string; now: Date }): Promise<void> {
  deps.logger.warn({ referenceNumber: record.referenceNumber, attempt: attemptNo, why: o.why }, "not sent: the resolver asks the bank once the lease runs out, and sends");
  const patch = { answer: { attempt: attemptNo, outcome: "NOT_SENT" as const, error: `not called: ${o.why}`, answeredAt: o.now } };
  const recorded = await deps.ledger.amend(record, o.owner, patch, o.now).catch((error: unknown) => {
    deps.logger.warn({ err: error, referenceNumber: record.referenceNumber }, "could not record the call not made; the attempt reads as one that may have left");
    return null;
  });
  // Lost to another write (a lease handed back at shutdown, a resolver that took over): that one stands.
  if (recorded === undefined) deps.logger.warn({ referenceNumber: record.referenceNumber }, "the call not made was not recorded: the transfer changed meanwhile; the attempt reads as one that may have left");
}

/**
 * The lease the bank call of a send just recorded runs under, when it may start: never once its
 * sender is stopping (an instance on its way out hands its leases back; the next one sends), and
 * only while that lease still covers the whole call (leaseCoversCall: a write that landed late can
 * leave too little of it). If not, no call is made, and that is recorded (recordNotCalled): the
 * resolver sends it once the lease runs out. The call's token ends with the lease (bank-client.ts).
 */
export async function leaseForCall(
  deps: { ledger: TransferStore; logger: Logger; clock: () => Date }, record: TransferRecord, attemptNo: number, o: { owner: string; policy: BankPolicy; stopping: boolean },
): Promise<Date | undefined> {
  const now = deps.clock();
  if (!o.stopping && leaseCoversCall(record.leaseUntil, o.policy, now)) return record.leaseUntil;
  await recordNotCalled(deps, record, attemptNo, { owner: o.owner, why: o.stopping ? "this instance is shutting down" : "lease too short for the call after a slow write", now });
  return undefined;
}

/**
 * The bank call of a send just recorded, through its partner with that bank's deadline, when it may
 * start (leaseForCall): the answer, or undefined when no call was made (and that is recorded).
 * `around` sees the call on its way (the request path's failpoints and metrics).
 */
export async function sendAttempt(
  deps: { ledger: TransferStore; logger: Logger; clock: () => Date; bank: BankCaller; policies: BankPolicies },
  send: { record: TransferRecord; attempt: Attempt; route: { partner: Partner } },
  o: { owner: string; stopping: boolean },
  around: (call: Promise<BankAnswer>, bankCode: string) => Promise<BankAnswer> = (call) => call,
): Promise<BankAnswer | undefined> {
  const { partner } = send.route;
  const policy = policyFor(deps.policies, partner.bankCode);
  const leaseUntil = await leaseForCall(deps, send.record, send.attempt.attempt, { owner: o.owner, policy, stopping: o.stopping });
  if (leaseUntil === undefined) return undefined;
  return around(deps.bank.transfer(partner, bankRequestOf(send.record, send.attempt), policy.deadlineMs, leaseUntil), partner.bankCode);
}

export function protoUsage(usage: Usage): TransferUsage {
  return usage === "TRANSFER" ? TransferUsage.TRANSFER_USAGE_TRANSFER : TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK;
}

/**
 * Where an answer to a Transfer call takes a SENDING transfer. Only explicit SUCCESS and FAILED
 * are final; a BCA id collision needs a person; PENDING and no answer wait for a status inquiry.
 * FAILED and NOT_SENT are final only on a first send, where nothing else can be in flight (the
 * resolver's send of an attempt that never left counts as one). A re-send of an attempt that may
 * have left repeats an earlier send that may still land: its refusal (not sent, or declined: a
 * rotated key, a signature the bank refused) speaks only for the re-send, so the transfer stays
 * PENDING and the status inquiry, which knows the request id, decides.
 */
export function stateAfter(answer: BankAnswer, send: "first" | "resend"): TransferState {
  switch (answer.outcome) {
    case "SUCCESS": return "SUCCESS";
    case "FAILED":
    case "NOT_SENT": return send === "first" ? "FAILED" : "PENDING";
    case "PENDING": return isIdCollision(answer) ? "MANUAL_REVIEW" : "PENDING";
    case "NO_ANSWER": return "PENDING";
  }
}

export interface SettleDeps {
  ledger: TransferStore;
  onManualReview: ManualReviewAlert;
}

/**
 * Records the answer to attempt `attemptNo` of a SENDING transfer in one conditional update (still
 * SENDING, still leased by `owner`), releasing the lease. Undefined when someone else moved it.
 */
export async function settleAnswer(
  deps: SettleDeps, record: TransferRecord, attemptNo: number, answer: BankAnswer,
  o: { owner: string; policy: BankPolicy; send: "first" | "resend"; now: Date },
): Promise<TransferRecord | undefined> {
  const to = stateAfter(answer, o.send);
  const final = to === "SUCCESS" || to === "FAILED";
  const reviewReason = to === "MANUAL_REVIEW" ? `bank ${record.attempts[attemptNo - 1]?.partnerBankCode ?? "?"} answered ${answer.bankCode ?? ""}: ${answer.bankMessage ?? ""}` : undefined;
  // Manual review is still asked about, at review pace; PENDING gets its first inquiry soon.
  const recheckMs = to === "MANUAL_REVIEW" ? reviewCheckDelay(o.policy, record.attempts[attemptNo - 1]?.sentAt, o.now) : nextCheckDelay(o.policy, 0);
  const updated = await deps.ledger.transition(record, to, {
    answer: { attempt: attemptNo, answeredAt: o.now, ...attemptFields(answer) },
    ...(final ? { bankResponseCode: answer.bankCode ?? "", bankResponseMessage: answer.bankMessage ?? "", bankReference: answer.bankReference ?? "" } : {}),
    lease: null,
    nextCheckAt: final ? null : new Date(o.now.getTime() + recheckMs),
    checks: 0,
    ...(reviewReason === undefined ? {} : { reviewReason }),
  }, o.now, o.owner);
  if (updated !== undefined && reviewReason !== undefined) deps.onManualReview(updated, reviewReason);
  return updated;
}
