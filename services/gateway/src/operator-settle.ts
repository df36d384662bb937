import { isFinal } from "./transfer-states";
import type { TransferRecord, TransferStore } from "./transfer-store";

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
  return { referenceNumber, state, operator, reason, bankReference };
}

/**
 * Settles a transfer the resolver gave up on. MANUAL_REVIEW is where the bank's status inquiry
 * could not decide (the bank does not know the attempt past its horizon, or a BCA id collision);
 * only a person who has checked with the bank can. Only MANUAL_REVIEW may be settled so: every
 * other unresolved state is still the resolver's, and final states never change. One
 * compare-and-set, as every other write: if the bank's answer settles it meanwhile (the resolver
 * still asks about it), that answer stands and this is refused. The same settlement again is
 * answered with the one recorded, unchanged.
 */
export async function settleByOperator(ledger: TransferStore, input: OperatorSettlement, now: Date): Promise<TransferRecord> {
  const { referenceNumber, state, operator, reason, bankReference } = checkSettlement(input);
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
  const settled = await ledger.transition(seen, state, {
    settledBy: { operator, reason, at: now },
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
