import { maskAccount } from "@gerbang/shared";
import type { BankErrors, SandboxContext } from "./context";
import { faultForAccount, parseFaultHeader, type Endpoint, type Fault } from "./faults";
import { fail, header, send, type Exchange, type Reply } from "./http";
import type { LedgerEntry, Refusal, RequestRecord, TransferOrder } from "./ledger";

/**
 * The fault of one request: the X-Sandbox-Fault header, else (for a transfer) a magic beneficiary
 * account, else the next admin rule for this endpoint and `account` (the beneficiary the request is
 * about: the transfer's, or that of the transfer a status inquiry asks about). A malformed header
 * is the bank's invalid-request error.
 */
export function pickFault(ex: Exchange, ctx: SandboxContext, errors: BankErrors, endpoint: Endpoint, account?: string): Fault | undefined {
  const value = header(ex.req, "x-sandbox-fault");
  if (value !== undefined) {
    const fault = parseFaultHeader(value, endpoint);
    if (!fault.ok) fail(errors.invalidRequest(fault.error));
    return fault.value;
  }
  const byAccount = endpoint === "transfer" && account !== undefined ? faultForAccount(account) : undefined;
  return byAccount ?? ctx.faults.take(endpoint, account);
}

export interface Steps {
  /** Runs first (claims a request id); an answer here ends the request, e.g. a duplicate. */
  before?: () => Reply | undefined;
  /** The work and its answer (booking, issuing a token, an inquiry). */
  main: () => Reply;
}

/**
 * A status inquiry of the request keyed `key`, under its fault: admin rules that name an account
 * meet inquiries of transfers to it. `reply` reads the record when the answer is due (after any latency).
 */
export async function serveStatus(ex: Exchange, ctx: SandboxContext, errors: BankErrors, key: string, reply: (record: RequestRecord | undefined) => Reply): Promise<void> {
  const fault = pickFault(ex, ctx, errors, "status", ctx.ledger.find(key)?.order.beneficiaryAccountNumber);
  await serveWithFault(ex, ctx, errors, fault, { main: () => reply(ctx.ledger.find(key)) });
}

/** Runs the steps under a fault exactly as the README's fault table says. */
export async function serveWithFault(ex: Exchange, ctx: SandboxContext, errors: BankErrors, fault: Fault | undefined, steps: Steps): Promise<void> {
  if (fault !== undefined) ex.log.fault = fault.mode;
  const early = (): boolean => {
    const reply = steps.before?.();
    if (reply !== undefined) send(ex, reply);
    return reply !== undefined;
  };
  switch (fault?.mode) {
    case "timeout":
      ctx.holds.hold(ex);
      return;
    case "reset":
      cut(ex);
      return;
    case "error-before":
      send(ex, errors.systemError());
      return;
    case "rate-limited":
      send(ex, errors.rateLimited());
      return;
    case "latency":
      // The request id is claimed (PENDING) while the bank "works", so an inquiry meanwhile sees
      // it in progress and a duplicate meanwhile is refused.
      if (early()) return;
      if (await ctx.holds.sleep(fault.latencyMs)) send(ex, steps.main());
      return;
    case "book-late":
      await bookLater(ex, ctx, fault.latencyMs, early, steps.main, () => { cut(ex); });
      return;
    case "in-progress":
      await bookLater(ex, ctx, fault.latencyMs, early, steps.main, () => { send(ex, errors.inProgress()); });
      return;
    case "error-after":
      if (early()) return;
      steps.main();
      send(ex, errors.timeoutAfter());
      return;
    case "reset-after":
      if (early()) return;
      steps.main();
      cut(ex);
      return;
    case "timeout-after":
      // Booked at once, never answered: the client's own time budget ends the call.
      if (early()) return;
      steps.main();
      ctx.holds.hold(ex);
      return;
    case "insufficient-funds":
    case "invalid-account":
    case "cutoff":
    case undefined:
      if (early()) return;
      send(ex, steps.main());
      return;
  }
}

/**
 * Claimed, then at once `first` (book-late: the connection cut without an answer, the claim out of
 * sight, so the inquiry does not know the id; in-progress: the bank's "in progress" answer, the
 * inquiry saying so), and booked `ms` later.
 */
async function bookLater(ex: Exchange, ctx: SandboxContext, ms: number, early: () => boolean, main: () => Reply, first: () => void): Promise<void> {
  if (early()) return;
  first();
  if (await ctx.holds.sleep(ms)) main();
}

/** Resets the connection without an answer: a TCP RST, as a bank's dropped connection sends, not a closing FIN (logged as a reset). */
function cut(ex: Exchange): void {
  ex.log.status = "reset";
  ex.req.socket.resetAndDestroy();
}

export interface TransferReplies {
  booked(entry: LedgerEntry, order: TransferOrder): Reply;
  refused(refusal: Refusal, order: TransferOrder): Reply;
  duplicate(existing: RequestRecord): Reply;
}

const FORCED: Partial<Record<Fault["mode"], Refusal>> = {
  "insufficient-funds": "insufficient-funds",
  "invalid-account": "invalid-account",
  cutoff: "cutoff",
};

/** The shared transfer skeleton: fault, duplicate detection, atomic booking, the bank's answer. */
export async function serveTransfer(ex: Exchange, ctx: SandboxContext, errors: BankErrors, order: TransferOrder, replies: TransferReplies): Promise<void> {
  Object.assign(ex.log, { requestId: order.requestId, beneficiary: maskAccount(order.beneficiaryAccountNumber) });
  const fault = pickFault(ex, ctx, errors, "transfer", order.beneficiaryAccountNumber);
  const forced = fault === undefined ? undefined : FORCED[fault.mode];
  await serveWithFault(ex, ctx, errors, fault, {
    before: () => {
      const existing = ctx.ledger.claim(order, fault?.mode === "book-late");
      return existing === undefined ? undefined : replies.duplicate(existing);
    },
    main: () => {
      const outcome = ctx.ledger.settle(order.key, forced);
      switch (outcome.state) {
        case "BOOKED":
          return replies.booked(outcome.entry, order);
        case "REFUSED":
          ex.log.refusal = outcome.refusal;
          return replies.refused(outcome.refusal, order);
        case "PENDING":
          throw new Error("a settled transfer cannot be pending");
      }
    },
  });
}
