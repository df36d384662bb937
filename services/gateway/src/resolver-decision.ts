import { CLOCK_TOLERANCE_SECONDS } from "@gerbang/shared";
import { isIdCollision, type StatusAnswer } from "./bank-outcome";
import type { BankPolicy } from "./bank-policy";
import type { TransferState } from "./transfer-states";
import type { Attempt } from "./transfer-store";

/** What the resolver does with a transfer after asking the bank about its current attempt. */
export type Decision =
  | { kind: "final"; state: "SUCCESS" | "FAILED" }
  /**
   * Send the SAME attempt again (same bank-side id, so the bank can never book it twice); one that
   * never left and is dated an earlier day is followed by a new attempt instead (the resolver's dueToday).
   */
  | { kind: "resend" }
  | { kind: "wait"; reason: string }
  | { kind: "review"; reason: string };

/**
 * Re-sends of one attempt before a person looks. An attempt that may have left is re-sent while
 * the bank keeps answering NOT_FOUND, and one whose call this gateway keeps not making (shutdown,
 * a lease too short) stays "never left" and is sent on every NOT_FOUND, its horizon not started:
 * without a cap either could go round forever. (A "not sent" from the bank service to a send of
 * an attempt that never left is final at once: FAILED 003, or a reroute for an app with fallback
 * routing.)
 */
export const MAX_RESENDS = 3;

/**
 * True only when no send of the attempt can have reached the bank: its last call and every one a
 * re-send repeated (earlierSends) were "not sent". Anything else may have left: an attempt without
 * an outcome may have died after the send as well as before it (a crash, an answer the ledger
 * could not take), and a refused re-send says nothing about the send it repeated. A re-sent attempt
 * recorded before earlierSends existed has no such history, so it may have left.
 */
export function neverLeft(attempt: Attempt): boolean {
  const earlier = attempt.earlierSends ?? [];
  return attempt.outcome === "NOT_SENT" && earlier.length === (attempt.resends ?? 0) && earlier.every((send) => send.outcome === "NOT_SENT");
}

/**
 * When the attempt first went out in a way that may have reached the bank: its oldest send not
 * answered "not sent" (earlierSends), else its latest. The horizon counts from there, not from the
 * latest re-send: that first send's record is the one that may leave the bank's inquiry window.
 */
export function firstMayHaveLeftAt(attempt: Attempt): Date {
  return (attempt.earlierSends ?? []).find((send) => send.outcome !== "NOT_SENT")?.sentAt ?? attempt.sentAt;
}

/** An attempt unresolved this long after it may first have reached the bank needs a person (the bank's horizon). */
function pastHorizon(attempt: Attempt, policy: BankPolicy, now: Date): boolean {
  return now.getTime() - firstMayHaveLeftAt(attempt).getTime() >= policy.manualReviewAfterMs;
}

/**
 * An attempt that may have left, which the bank has had time to finish, still within the horizon:
 * one the bank does not know may be re-sent, where the bank's refusal of a seen id is trusted.
 */
function resendableAfterLeaving(attempt: Attempt, policy: BankPolicy, now: Date): boolean {
  return policy.resendIfMayHaveLeft && now.getTime() - attempt.sentAt.getTime() >= policy.resendAfterMs && !pastHorizon(attempt, policy, now);
}

/**
 * When the attempt's latest send that may have reached the bank was made: its current one unless
 * answered "not sent", else the latest such in earlierSends (a refused re-send says nothing of the
 * send it repeated). A re-send whose repeated send is missing from earlierSends (recorded before it
 * existed) counts from its own time, the latest the missing one can have been made.
 */
function lastMayHaveLeftAt(attempt: Attempt): Date | undefined {
  const earlier = attempt.earlierSends ?? [];
  if (attempt.outcome !== "NOT_SENT" || earlier.length < (attempt.resends ?? 0)) return attempt.sentAt;
  return earlier.filter((send) => send.outcome !== "NOT_SENT").at(-1)?.sentAt;
}

/**
 * A send of the attempt may still land: a sender stalled before the call can still make it until
 * its service token expires, with the sender's lease (leaseMs after the send at most), give or take
 * the token check's clock tolerance, and the bank may then take resendAfterMs to finish it. Until
 * then nothing the bank says or does not say about the attempt is settled: a re-send made just
 * before the horizon, or the last re-send of all, or the send a refused re-send repeated, must not
 * reach a person, who could settle FAILED on the bank's "no record" while that send can still book.
 */
function latestSendMayStillLand(attempt: Attempt, policy: BankPolicy, leaseMs: number, now: Date): boolean {
  const at = lastMayHaveLeftAt(attempt);
  return at !== undefined && now.getTime() - at.getTime() < sendMayLandWithinMs(policy, leaseMs);
}

/**
 * How long after it was made a send may still be booked: it may reach the bank as late as its
 * sender's lease ends, as its token's clock tolerance allows, and the bank may take the re-send wait
 * to finish it from there.
 */
export function sendMayLandWithinMs(policy: Pick<BankPolicy, "resendAfterMs">, leaseMs: number): number {
  return leaseMs + CLOCK_TOLERANCE_SECONDS * 1000 + policy.resendAfterMs;
}

/** Whether an unresolved attempt goes to a person now: past the horizon, and no send of it can still land. */
export function reviewDue(attempt: Attempt, policy: BankPolicy, leaseMs: number, now: Date): boolean {
  return pastHorizon(attempt, policy, now) && !latestSendMayStillLand(attempt, policy, leaseMs, now);
}

/** Seconds since the attempt may first have reached the bank (what the horizon counts). */
export function secondsSinceSent(attempt: Attempt, now: Date): number {
  return Math.round((now.getTime() - firstMayHaveLeftAt(attempt).getTime()) / 1000);
}

/**
 * The resolver's rules, in one place:
 * - an explicit SUCCESS or FAILED from the bank is final (also out of MANUAL_REVIEW);
 * - MANUAL_REVIEW is otherwise left to a person: asked again slowly, never re-sent;
 * - a BCA id collision goes to MANUAL_REVIEW at once, never to a new attempt;
 * - NOT_FOUND for an attempt that never left: send it again with the same attempt number (its
 *   answer counts as a first send's: a refusal is final), at most MAX_RESENDS times, then MANUAL_REVIEW
 *   once the last send can no longer land (latestSendMayStillLand); one dated an earlier day is
 *   followed by a new attempt dated today instead (the resolver's dueToday);
 * - NOT_FOUND for one that may have left (it has no outcome after a crash, too): the same, when
 *   the bank was asked resendAfterMs or more after the send (a send that reached the bank at once
 *   is finished by then; one that reached it late may still be in flight, which the same bank-side
 *   id makes harmless) and only before the horizon (an old attempt's record
 *   may have left the bank's inquiry window, not its books), unless the bank's policy says
 *   resendIfMayHaveLeft: false. Times are taken when the bank was asked (askedAt): its answer
 *   says what it had then;
 * - otherwise, NOT_FOUND, PENDING, or no usable answer to the inquiry (UNKNOWN, the bank service
 *   silent): ask again later, and once the attempt was sent longer ago than the bank's horizon,
 *   MANUAL_REVIEW with the reason, but not while a send of it may still land (a re-send made
 *   shortly before: latestSendMayStillLand).
 * NOT_FOUND is never FAILED: the request may still be on its way, or the bank may have lost its
 * record of a booking. A re-send is safe because it carries the same bank-side id, which the bank
 * never books twice.
 */
export function decide(state: TransferState, attempt: Attempt, inquiry: StatusAnswer, policy: BankPolicy, askedAt: Date, leaseMs: number): Decision {
  if (inquiry.status === "SUCCESS" || inquiry.status === "FAILED") return { kind: "final", state: inquiry.status };
  const said = describe(inquiry);
  if (state === "MANUAL_REVIEW") return { kind: "wait", reason: said };
  if (inquiry.status === "PENDING" && isIdCollision(inquiry)) return { kind: "review", reason: `BCA TransactionID collision: ${inquiry.bankMessage ?? ""}` };
  if (inquiry.status === "NOT_FOUND" && (neverLeft(attempt) || resendableAfterLeaving(attempt, policy, askedAt))) {
    const resends = attempt.resends ?? 0;
    if (resends < MAX_RESENDS) return { kind: "resend" }; // same bank-side id: safe even while an earlier send may still land
    if (latestSendMayStillLand(attempt, policy, leaseMs, askedAt)) return { kind: "wait", reason: said };
    return { kind: "review", reason: `attempt ${attempt.attempt} at bank ${attempt.partnerBankCode} re-sent ${resends} times and the bank still has no record of it (last answer: ${attempt.error ?? attempt.bankMessage ?? attempt.outcome ?? "none"})` };
  }
  if (reviewDue(attempt, policy, leaseMs, askedAt)) {
    return { kind: "review", reason: `attempt ${attempt.attempt} at bank ${attempt.partnerBankCode} unresolved ${secondsSinceSent(attempt, askedAt)} s after it was sent (horizon ${Math.round(policy.manualReviewAfterMs / 1000)} s); last inquiry: ${said}` };
  }
  return { kind: "wait", reason: said };
}

function describe(inquiry: StatusAnswer): string {
  switch (inquiry.status) {
    case "NOT_FOUND": return `the bank has no record of it (${inquiry.bankCode ?? ""})`;
    case "PENDING": return `still pending at the bank (${inquiry.bankCode ?? ""} ${inquiry.bankMessage ?? ""})`.trim();
    case "UNKNOWN": return `no usable answer from the bank (${inquiry.bankMessage ?? ""})`;
    case "NO_ANSWER": case "NOT_SENT": return `the bank service could not be asked (${inquiry.error ?? inquiry.status})`;
    case "SUCCESS": case "FAILED": return inquiry.status;
  }
}
