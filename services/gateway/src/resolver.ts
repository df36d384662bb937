import { jakartaDate, type Logger, type Partner } from "@gerbang/shared";
import type { BankCaller } from "./bank-client";
import { attemptFields, bankKnowsAttempt, type StatusAnswer } from "./bank-outcome";
import { nextCheckDelay, policyFor, reviewCheckDelay, type BankPolicies, type BankPolicy } from "./bank-policy";
import type { Failpoints } from "./failpoints";
import type { RegistrySnapshot } from "./registry";
import { sendWithFallback } from "./reroute";
import { decide, neverLeft, reviewDue, secondsSinceSent, type Decision } from "./resolver-decision";
import { protoUsage, sendAttempt, settleAnswer, type ManualReviewAlert } from "./settle";
import { newAttempt, resendOf, type Attempt, type TransferRecord, type TransferStore } from "./transfer-store";

/** The next search starts at least this many times the last one's duration later (search share <= 1/(1+4)). */
const SCAN_PACING = 4;
/** A freed place is refilled this much later, so places freed together share one search. */
const REFILL_DELAY_MS = 20;

export interface ResolverDeps {
  ledger: TransferStore;
  registry: () => RegistrySnapshot;
  bank: BankCaller;
  clock: () => Date;
  /** Names this instance in leases (the same id as its request path). */
  instanceId: string;
  policies: BankPolicies;
  leaseMs: number;
  batchSize: number;
  intervalMs: number;
  onManualReview: ManualReviewAlert;
  logger: Logger;
  /** TEST-ONLY crash points of a re-send (failpoints.ts). */
  failpoints: Failpoints;
  /** Observes each status inquiry and re-send (metrics). */
  onInquiry?: (bankCode: string, status: StatusAnswer["status"]) => void;
  onResend?: (bankCode: string) => void;
}

export interface Resolver {
  /** Starts the loop: up to `batchSize` transfers at once, a free place refilled as soon as one is done. */
  start(): void;
  /** Claims due transfers for the free places (atomic lease each) and resolves them; returns how many. */
  runOnce(): Promise<number>;
  /** Starts nothing more and waits for what it works on; what it held is released by its last updates. */
  stop(): Promise<void>;
}

/**
 * Resolves every transfer that is not final: answered PENDING, not answered, or left mid-way by a
 * crash. Each is leased atomically (TransferStore.claimDue), so with several gateway instances on
 * one database exactly one works on a transfer at a time, and a dead instance's lease expires.
 * Every write is conditional on the state it saw and on still holding the lease.
 *
 * The loop is a pool, not rounds: a bank whose inquiries take their whole deadline holds only the
 * places of its own transfers, while those of every other bank come and go around them.
 */
export function createResolver(deps: ResolverDeps): Resolver {
  const owner = deps.instanceId;
  let running = false;
  let stopping = false;
  const working = new Set<Promise<void>>();
  let scanning: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  // The last search filled every free place: more may be due, so a place freed is refilled at once.
  let moreDue = false;

  // How long the last search for due transfers took. On a database that cannot use the
  // (state, nextCheckAt) index for it (FerretDB as released scanned the whole ledger) this grows
  // with the ledger; the loop paces itself on it so the search never takes more than a fifth of
  // the database's time away from the request path. On MongoDB and on the patched embedded
  // FerretDB the search is an index lookup and the pacing never applies.
  let lastScanMs = 0;
  let lastScanEnd = 0;

  const work = (record: TransferRecord): Promise<void> => {
    const done: Promise<void> = resolveOne(record)
      .catch((error: unknown) => {
        // The lease runs out and the transfer is due again: the next search (here or elsewhere) retries.
        deps.logger.error({ err: error, referenceNumber: record.referenceNumber }, "resolver could not work on a transfer");
      })
      .finally(() => {
        working.delete(done);
        schedule(moreDue ? REFILL_DELAY_MS : deps.intervalMs);
      });
    working.add(done);
    return done;
  };

  // Searches run one at a time (the loop's and runOnce()'s alike), each for the places free when it starts.
  let searches: Promise<unknown> = Promise.resolve();
  /** Claims as many due transfers as there are free places and starts each; the started work. */
  const claimAndStart = (): Promise<Promise<void>[]> => {
    const search = searches.then(async () => {
      const free = deps.batchSize - working.size;
      if (stopping || free <= 0) return [];
      const scanStarted = Date.now();
      const claimed = await deps.ledger.claimDue(owner, deps.leaseMs, deps.clock(), free);
      lastScanEnd = Date.now();
      lastScanMs = lastScanEnd - scanStarted;
      moreDue = claimed.length === free;
      return claimed.map(work);
    });
    searches = search.catch(() => undefined);
    return search;
  };

  const runOnce = async (): Promise<number> => {
    const started = await claimAndStart();
    await Promise.all(started);
    return started.length;
  };

  /** The next search, after `pauseMs` and no sooner than the pacing allows; an earlier one already set stands. */
  const schedule = (pauseMs: number) => {
    if (!running || stopping || scanning !== undefined) return;
    const at = Math.max(Date.now() + pauseMs, lastScanEnd + lastScanMs * SCAN_PACING);
    if (timer !== undefined && timerAt <= at) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(scan, at - Date.now());
  };

  const scan = () => {
    timer = undefined;
    if (working.size >= deps.batchSize) return; // the next transfer done schedules the next search
    scanning = claimAndStart()
      .then(() => undefined, (error: unknown) => {
        deps.logger.error({ err: error }, "resolver could not search for due transfers");
        moreDue = false;
      })
      .finally(() => {
        scanning = undefined;
        schedule(moreDue ? 0 : deps.intervalMs);
      });
  };

  const resolveOne = async (record: TransferRecord): Promise<void> => {
    if (stopping) return; // claimed by a search that ended after stop(): its lease is handed back on close
    const attempt = record.attempts.at(-1);
    const partner = deps.registry().partners.find((p) => p.bankCode === attempt?.partnerBankCode);
    if (attempt === undefined || partner === undefined) {
      const policy = policyFor(deps.policies, record.route.bankCode);
      const now = deps.clock();
      // Its bank cannot be asked; past the horizon a person must know, as for any unresolved attempt.
      if (attempt !== undefined && record.state !== "MANUAL_REVIEW" && reviewDue(attempt, policy, deps.leaseMs, now)) {
        await review(record, `partner ${attempt.partnerBankCode} of attempt ${attempt.attempt} is not in the registry, so the bank cannot be asked; unresolved ${secondsSinceSent(attempt, now)} s after it was sent`, policy, now);
        return;
      }
      deps.logger.error({ referenceNumber: record.referenceNumber, bankCode: attempt?.partnerBankCode }, "unresolved transfer without a known partner; asked again later");
      const pauseMs = record.state === "MANUAL_REVIEW" ? reviewCheckDelay(policy, attempt?.sentAt, now) : policy.backoffMaxMs;
      await deps.ledger.amend(record, owner, { lease: null, nextCheckAt: new Date(now.getTime() + pauseMs) }, now);
      return;
    }
    const policy = policyFor(deps.policies, partner.bankCode);
    // The answer tells what the bank had when it was asked, not when the answer came back: a slow
    // "not found" must not count as one given resendAfterMs after the send.
    const askedAt = deps.clock();
    const inquiry = await deps.bank.status(partner, {
      referenceNumber: record.referenceNumber, attempt: attempt.attempt, usage: protoUsage(attempt.usage), transactionDate: attempt.transactionDate,
      amount: record.amount, sourceAccountNumber: record.sourceAccountNumber, beneficiaryAccountNumber: record.beneficiaryAccountNumber,
    }, policy.deadlineMs);
    deps.onInquiry?.(partner.bankCode, inquiry.status);
    const now = deps.clock();
    const decision = decide(record.state, attempt, inquiry, policy, askedAt, deps.leaseMs);
    deps.logger.debug({ referenceNumber: record.referenceNumber, attempt: attempt.attempt, inquiry: inquiry.status, decision: decision.kind }, "status inquiry");
    await act(record, attempt, partner, inquiry, decision, policy, now);
  };

  /** To MANUAL_REVIEW with the reason, asked again at review pace; the alert fires once it is recorded. */
  const review = async (record: TransferRecord, reason: string, policy: BankPolicy, now: Date) => {
    const reviewed = await deps.ledger.transition(record, "MANUAL_REVIEW", {
      reviewReason: reason, lease: null, nextCheckAt: new Date(now.getTime() + reviewCheckDelay(policy, record.attempts.at(-1)?.sentAt, now)), checks: (record.checks ?? 0) + 1,
    }, now, owner);
    if (reviewed !== undefined) deps.onManualReview(reviewed, reason);
  };

  const act = async (record: TransferRecord, attempt: Attempt, partner: Partner, inquiry: StatusAnswer, decision: Decision, policy: BankPolicy, now: Date) => {
    const ref = record.referenceNumber;
    const from = record.state;
    switch (decision.kind) {
      case "final": {
        const done = await deps.ledger.transition(record, decision.state, {
          answer: { attempt: attempt.attempt, answeredAt: now, ...attemptFields({ ...inquiry, outcome: decision.state }) },
          bankResponseCode: inquiry.bankCode ?? "", bankResponseMessage: inquiry.bankMessage ?? "", bankReference: inquiry.bankReference ?? "",
          lease: null, nextCheckAt: null,
        }, now, owner);
        if (done !== undefined) deps.logger.info({ referenceNumber: ref, from, state: decision.state }, "transfer resolved by status inquiry");
        // Someone else wrote it since this round read it (another instance, a person's settlement):
        // what the bank said must not vanish without a trace if the two disagree.
        else deps.logger.warn({ referenceNumber: ref, from, bankSaid: decision.state, bankCode: inquiry.bankCode, bankReference: inquiry.bankReference }, "the bank's explicit answer could not be recorded: the transfer changed meanwhile");
        return;
      }
      case "review":
        await review(record, decision.reason, policy, now);
        return;
      case "wait": {
        const checks = (record.checks ?? 0) + 1;
        const nextCheckAt = new Date(now.getTime() + (from === "MANUAL_REVIEW" ? reviewCheckDelay(policy, attempt.sentAt, now) : nextCheckDelay(policy, checks)));
        // The bank knows the attempt: recorded as its outcome where none says so yet (no outcome
        // after a crash, or a resend's "not sent", which says nothing about the send it repeated).
        // A collision's PENDING is not that, and recorded here it would erase what a person settling
        // this transfer needs (e.g. that it never left).
        const evidence = bankKnowsAttempt(inquiry) && (attempt.outcome === undefined || attempt.outcome === "NOT_SENT")
          ? { answer: { attempt: attempt.attempt, outcome: "PENDING" as const } } : {};
        const patch = { ...evidence, checks, nextCheckAt, lease: null };
        if (from === "SENDING") await deps.ledger.transition(record, "PENDING", patch, now, owner);
        else await deps.ledger.amend(record, owner, patch, now);
        return;
      }
      case "resend":
        await resend(record, attempt, partner, now);
        return;
    }
  };

  /**
   * Re-sends the same attempt (same bank-side request id) through the partner that was just asked
   * (looking it up again could find it gone after the resend was recorded), then records the
   * answer as the request path would, a reroute included. An attempt that never left, dated before
   * today in Jakarta, is not re-sent but followed by a new attempt dated today (see dueToday).
   */
  const resend = async (record: TransferRecord, attempt: Attempt, partner: Partner, now: Date) => {
    if (stopping) return; // no new bank call from an instance on its way out: its leases are handed back, the next instance sends
    const lease = { owner, until: new Date(now.getTime() + deps.leaseMs) };
    const unsent = neverLeft(attempt);
    const next = unsent ? dueToday(attempt, now) : undefined;
    const patch = { ...(next === undefined ? { resend: resendOf(attempt, now) } : { attempts: [...record.attempts, next] }), lease, nextCheckAt: lease.until, checks: 0 };
    const sending = record.state === "SENDING"
      ? await deps.ledger.amend(record, owner, patch, now)
      : await deps.ledger.transition(record, "SENDING", patch, now, owner);
    if (sending === undefined) return;
    deps.failpoints.hit("resend-recorded");
    const sent = next ?? attempt; // what the bank call reads of it (number, date, route) the re-send's patch leaves as it was
    if (next === undefined) {
      deps.onResend?.(partner.bankCode); // the metric counts same-id re-sends
      deps.logger.info({ referenceNumber: record.referenceNumber, attempt: sent.attempt, bankCode: partner.bankCode }, "re-sending an attempt the bank does not know (same request id)");
    } else deps.logger.info({ referenceNumber: record.referenceNumber, attempt: sent.attempt, bankCode: partner.bankCode, neverSent: attempt.attempt, datedThen: attempt.transactionDate }, "sending a new attempt dated today in place of one that never left, dated an earlier day");
    // A re-send of an attempt that may have left is never rerouted (rerouteUnreachable checks that
    // no send of it can have left) and its answer speaks only for itself; one of an attempt that
    // never left is as final as a first send's, and a refusal as unreachable is rerouted for an app
    // that allows it, as the request path's is.
    const route = { partner, usage: sent.usage, beneficiaryBankName: sending.beneficiaryBankName };
    const last = await sendWithFallback(deps, owner, { record: sending, attempt: sent, route }, async (s) => {
      const answer = await sendAttempt(deps, s, { owner, stopping });
      if (answer !== undefined) deps.failpoints.hit("resend-answered");
      return answer;
    });
    if (last.answer === undefined) return;
    await settleAnswer(deps, last.record, last.attempt.attempt, last.answer,
      { owner, policy: policyFor(deps.policies, last.route.partner.bankCode), send: unsent ? "first" : "resend", now: deps.clock() });
  };

  return {
    start: () => {
      running = true;
      schedule(0);
    },
    runOnce,
    stop: async () => {
      stopping = true;
      clearTimeout(timer);
      await searches;
      while (working.size > 0) await Promise.all(working);
    },
  };
}

/**
 * The attempt to send in place of one that never left, when that one is dated before today in
 * Jakarta: the next attempt, same partner, route and escrow, dated today. Banks take a transfer
 * dated today only (BCA refuses any other TransactionDate, ESB-82-004), so the old one re-sent
 * would be declined for its date alone. A new attempt, with its own bank-side id, is safe only
 * because no send of the old one reached the bank (every one "not sent"), the promise a reroute
 * relies on too; the old one stays in the record, and reconcile asks about it as about any other.
 * Re-dating the old attempt instead would send its id under a day it was never reserved for.
 * "Today" is this instance's clock: one running ahead of the bank's by seconds around midnight gets
 * the new attempt declined for its date (FAILED, nothing booked), the same window a first send has.
 * It is made only where decide() would re-send the old one (fewer than MAX_RESENDS so far; after
 * that a person decides), and has MAX_RESENDS of its own.
 */
function dueToday(attempt: Attempt, now: Date): Attempt | undefined {
  if (attempt.transactionDate >= jakartaDate(now)) return undefined;
  return newAttempt(attempt.attempt + 1, { bankCode: attempt.partnerBankCode, usage: attempt.usage }, attempt.sourceAccountNumber, now);
}
