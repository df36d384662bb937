import { describeAnswer, type AttemptAnswer } from "./bank-inquiries";
import { bankKnowsAttempt, unanswered } from "./bank-outcome";
import { isFinal } from "./transfer-states";
import type { OperatorDecision, TransferRecord, TransferStore } from "./transfer-store";

/** What a person decided about a transfer in MANUAL_REVIEW, after checking with the bank. */
export interface OperatorSettlement {
  referenceNumber: string;
  /** SUCCESS or FAILED; anything else is refused. */
  state: string;
  /** Who decided: kept on the transfer. */
  operator: string;
  /** What the bank said, and where (its statement, its operations desk): kept, and shown to the app as it is written. */
  reason: string;
  /** The bank's reference of the booking, as its status inquiry gives it (reconcile compares them): required for SUCCESS, refused for FAILED. */
  bankReference?: string;
  /**
   * FAILED only: the person confirmed with the bank, by other means, that it will never book the
   * transfer, where its inquiry cannot say so: an attempt it still answers PENDING (BCA's refunded
   * 04 and canceled 05 are answered so, as are states a bank service does not know), or one it
   * could not be asked about. Without it such a FAILED is refused; with it, the answers it was
   * settled over are kept on the transfer (settledBy.overBankAnswers).
   */
  neverBooked?: boolean;
}

/** ", over the bank's answers 014#1 PENDING (04)" for a FAILED settled so (neverBooked), else "": as the operators' commands print a settlement. */
export function overBankAnswersNote(by: OperatorDecision): string {
  return by.overBankAnswers === undefined ? "" : `, over the bank's answers ${by.overBankAnswers}`;
}

/**
 * How long after a resolver's lease ends a settlement is still refused. The lease end is the
 * resolver's clock, `now` the operator's host's: a host running ahead would otherwise see the
 * lease over while the resolver is still asking the bank, and overwrite its answer.
 */
export const LEASE_CLOCK_ALLOWANCE_MS = 60_000;

/** A settlement refused before anything was written, with the reason. */
export class SettlementRefused extends Error {
  override readonly name = "SettlementRefused";
}

/**
 * The write of a settlement failed (the database went away, a write concern timed out): it may
 * have been recorded or not. Said apart from every other failure, which happens before anything
 * is written, so that nobody tells the bank or the app "nothing changed" when it may have.
 */
export class SettlementInDoubt extends Error {
  override readonly name = "SettlementInDoubt";
}

/** The settlement's own fields, trimmed, or the refusal: what can be said before the ledger is read. */
export function checkSettlement(input: OperatorSettlement): Required<OperatorSettlement> & { state: "SUCCESS" | "FAILED" } {
  const neverBooked = input.neverBooked === true;
  const { state } = input;
  const referenceNumber = input.referenceNumber.trim();
  const operator = input.operator.trim();
  const reason = input.reason.trim();
  const bankReference = (input.bankReference ?? "").trim();
  if (referenceNumber === "") throw new SettlementRefused("name the transfer: its referenceNumber (GRB...)");
  if (state !== "SUCCESS" && state !== "FAILED") throw new SettlementRefused(`the state must be SUCCESS or FAILED, not "${state}"`);
  if (operator === "") throw new SettlementRefused("say who decides");
  if (reason === "") throw new SettlementRefused("give the reason: what the bank said, and where");
  if (state === "SUCCESS" && bankReference === "") throw new SettlementRefused("SUCCESS needs the bank's reference of the booking");
  if (state === "FAILED" && bankReference !== "") throw new SettlementRefused("a FAILED transfer has no bank reference");
  if (state === "SUCCESS" && neverBooked) throw new SettlementRefused("\"never booked\" applies to FAILED only");
  return { referenceNumber, state, operator, reason, bankReference, neverBooked };
}

export interface OperatorSettleDeps {
  ledger: TransferStore;
  /** Asks each bank about every attempt of the transfer, now (askAboutAttempts). */
  askBank: (t: TransferRecord) => Promise<AttemptAnswer[]>;
}

/** What the banks' answers say against a settlement: why it is refused, or (FAILED, neverBooked) the answers it is settled over. */
export interface BankCheck {
  refusal?: string;
  overAnswers?: string;
}

/**
 * What the banks say now against a settlement. The resolver asks about a transfer in
 * MANUAL_REVIEW only every so often (GATEWAY_REVIEW_CHECK_MAX_MS at most), so a bank may have
 * decided since, while a person goes by what its desk said before.
 * - FAILED tells the app it may pay again: a booking of any attempt refuses it, always. An
 *   attempt the bank still answers PENDING may yet be booked, and one it could not be asked about
 *   may be booked already: either refuses it too, unless the person confirmed with the bank that it
 *   never will (neverBooked: BCA's refunded and canceled, and states a bank service does not know,
 *   are PENDING answers that stay so; a bank service may be down, or a partner gone).
 * - SUCCESS names a booking: its reference must be one the banks give for a booking of the
 *   transfer, and it is denied by a decline of the latest attempt when nothing is booked and every
 *   attempt was answered ("no record" included: an attempt that never left has none).
 * Nothing else refuses: no record on its own (the usual case of MANUAL_REVIEW; a statement may show
 * what the inquiry no longer does), an answer that could not be had for a SUCCESS, or a BCA id that
 * holds another transfer (the case a person is for).
 */
export function checkWithBank(state: "SUCCESS" | "FAILED", bankReference: string, answers: readonly AttemptAnswer[], neverBooked = false): BankCheck {
  const said = (of: readonly AttemptAnswer[]) => of.map(describeAnswer).join(", ");
  const booked = answers.filter(({ answer }) => answer.status === "SUCCESS");
  if (state === "FAILED") {
    if (booked.length > 0) return { refusal: `the bank booked it: ${said(booked)}, reference ${booked.map(({ answer }) => answer.bankReference ?? "?").join(", ")}` };
    const pending = answers.filter(({ answer }) => bankKnowsAttempt(answer));
    const unasked = answers.filter(({ answer }) => unanswered(answer));
    if (pending.length + unasked.length === 0) return {};
    if (neverBooked) return { overAnswers: said([...pending, ...unasked]) };
    const why = [
      pending.length > 0 && `the bank still has it pending: ${said(pending)}`,
      unasked.length > 0 && `the bank could not be asked: ${unasked.map((a) => [describeAnswer(a), a.answer.error ?? a.answer.bankMessage ?? ""].join(" ").trim()).join(", ")}`,
    ].filter((part): part is string => typeof part === "string");
    return { refusal: `${why.join("; ")} (if the bank confirmed, by other means, that it will never book it, e.g. refunded or canceled, settle again with NEVER_BOOKED=yes)` };
  }
  const references = booked.map(({ answer }) => answer.bankReference ?? "").filter((r) => r !== "");
  if (references.length > 0 && !references.includes(bankReference)) {
    return { refusal: `the bank's booking (${said(booked)}) has reference ${references.map((r) => JSON.stringify(r)).join(", ")}, not "${bankReference}"` };
  }
  const latest = answers.at(-1);
  const allAnswered = !answers.some(({ answer }) => unanswered(answer));
  if (booked.length === 0 && allAnswered && latest?.answer.status === "FAILED") {
    return { refusal: `the bank declined the latest attempt: ${said([latest])} ${latest.answer.bankMessage ?? ""}`.trim() };
  }
  return {};
}

/**
 * Settles a transfer the resolver gave up on. MANUAL_REVIEW is where the bank's status inquiry
 * could not decide (the bank does not know the attempt past its horizon, or a BCA id collision);
 * only a person who has checked with the bank can. Only MANUAL_REVIEW may be settled so: every
 * other unresolved state is still the resolver's, and final states never change. One
 * compare-and-set, as every other write: if the bank's answer settles it meanwhile (the resolver
 * still asks about it), that answer stands and this is refused. Just before it, the banks are
 * asked once more, and a decision their answers do not allow is refused (checkWithBank). The
 * same settlement again is answered with the one recorded, unchanged.
 */
export async function settleByOperator(deps: OperatorSettleDeps, input: OperatorSettlement, now: Date): Promise<TransferRecord> {
  const { ledger } = deps;
  const { referenceNumber, state, operator, reason, bankReference, neverBooked } = checkSettlement(input);
  const seen = await ledger.findByReferenceNumber(referenceNumber);
  if (seen === undefined) throw new SettlementRefused(`no transfer ${referenceNumber}`);
  // The same decision already recorded (a re-run after "outcome unknown" found it landed): it
  // stands, nothing is written, and the caller is answered with it (settledBy.at says when).
  if (seen.state === state && seen.settledBy?.operator === operator && seen.settledBy.reason === reason && (state === "FAILED" || seen.bankReference === bankReference)) return seen;
  if (seen.state !== "MANUAL_REVIEW") {
    const why = isFinal(seen.state) ? "final states never change" : "the resolver is still settling it with the bank";
    throw new SettlementRefused(`transfer ${referenceNumber} is ${seen.state}, not MANUAL_REVIEW: ${why}`);
  }
  // A resolver holding the lease is asking the bank right now: its answer, if explicit, must not be
  // overwritten by a decision taken without it.
  if (seen.leaseUntil !== undefined && seen.leaseUntil.getTime() + LEASE_CLOCK_ALLOWANCE_MS > now.getTime()) {
    const after = new Date(seen.leaseUntil.getTime() + LEASE_CLOCK_ALLOWANCE_MS).toISOString();
    // A gateway that stopped hands its leases back by ending them at that moment: the same wait.
    throw new SettlementRefused(`transfer ${referenceNumber} may be being asked about at the bank right now (a gateway held it until ${seen.leaseUntil.toISOString()}, on its clock); look at it again after ${after}`);
  }
  const bank = checkWithBank(state, bankReference, await deps.askBank(seen), neverBooked);
  if (bank.refusal !== undefined) throw new SettlementRefused(`${state} for transfer ${referenceNumber} is refused on what the bank says now: ${bank.refusal}`);
  const settled = await ledger.transition(seen, state, {
    settledBy: { operator, reason, at: now, ...(bank.overAnswers === undefined ? {} : { overBankAnswers: bank.overAnswers }) },
    bankResponseMessage: `settled by an operator after checking with the bank: ${reason}`,
    ...(state === "SUCCESS" ? { bankReference } : {}),
    lease: null,
    nextCheckAt: null,
  }, now).catch((error: unknown) => {
    throw new SettlementInDoubt(`the database failed while the settlement of ${referenceNumber} was being written (${error instanceof Error ? error.message : String(error)}): it may or may not be recorded; look at it again before telling anyone`, { cause: error });
  });
  if (settled === undefined) throw new SettlementRefused(`transfer ${referenceNumber} changed meanwhile (the bank's answer may have settled it); look at it again`);
  return settled;
}
