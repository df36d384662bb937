import type { Connection, Logger } from "@gerbang/shared";
import { askAboutAttempts, describeAnswer, openBankInquiries, type BankInquiries } from "./bank-inquiries";
import type { PolicySettings } from "./bank-policy";
import { unanswered, type StatusAnswer } from "./bank-outcome";
import { overBankAnswersNote } from "./operator-settle";
import { isFinal } from "./transfer-states";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An instant of a reconcile range: an ISO date-time with Z or an offset, or a bare date, read as
 * the start of that day in Jakarta (the banks' day). Anything else is refused rather than guessed:
 * `new Date()` reads "2025-01-15" as 07:00 in Jakarta, a time without an offset in the host's zone,
 * "2025-02-30" as 2 March and "1" as 2001, and the report would cover a range nobody asked for.
 */
export function parseReconcileInstant(text: string): Date | undefined {
  const date = DATE.exec(text);
  const dateTime = DATE_TIME.exec(text);
  // Groups that did not take part (no seconds, Z) are undefined, which the types do not say.
  const parts = (date ?? dateTime)?.slice(1).map((p: string | undefined) => Number(p ?? 0));
  if (parts === undefined) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = parts;
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const realDay = calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  if (!realDay || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return undefined;
  return new Date(date === null ? text : `${text}T00:00:00+07:00`);
}

/** One disagreement between our ledger and a bank, or a transfer that is not final. */
export interface Mismatch {
  referenceNumber: string;
  clientReferenceNo: string;
  state: string;
  /** What each bank said per attempt, e.g. "014#1 SUCCESS". */
  bank: string[];
  problem: string;
}

export interface ReconcileReport {
  transfers: number;
  asked: number;
  /** Inquiries a bank service answered (anything but "not sent" or no answer): none of many means nothing was compared. */
  answered: number;
  mismatches: Mismatch[];
  /** True when the range held more transfers than the limit (the rest were not checked). */
  truncated: boolean;
}

export interface ReconcileDeps extends BankInquiries {
  ledger: TransferStore;
}

/** Wires reconcile() on a database with the gateway's bank settings (the reconcile command). */
export async function reconcileLedger(connection: Connection, config: PolicySettings, logger: Logger, from: Date, to: Date): Promise<ReconcileReport> {
  const inquiries = await openBankInquiries(connection, config, logger);
  try {
    return await reconcile({ ...inquiries, ledger: await createTransferStore(connection) }, from, to);
  } finally {
    inquiries.close();
  }
}

/**
 * Compares the ledger with the banks for transfers created or changed in [from, to): every attempt, "not
 * sent" ones included, is looked up with GetTransferStatus (askAboutAttempts), and the ledger must agree. SUCCESS needs
 * exactly one booking at the banks, FAILED none, and neither anything still pending; a transfer that is not final
 * is listed too (with its review reason), and so is any attempt the bank could not be asked about.
 * Changed, too: a transfer settled (by a person, or by the bank's late answer) after the run that
 * covered its creation must be checked again, or a FAILED the bank booked would never be seen.
 */
export async function reconcile(deps: ReconcileDeps, from: Date, to: Date, limit = 100_000): Promise<ReconcileReport> {
  const transfers = await deps.ledger.listCreatedOrChangedBetween(from, to, limit + 1);
  const truncated = transfers.length > limit;
  const mismatches: Mismatch[] = [];
  let asked = 0;
  let answered = 0;
  for (const t of transfers.slice(0, limit)) {
    const answers = await askAboutAttempts(deps, t);
    asked += answers.length;
    answered += answers.filter(({ answer }) => answer.status !== "NOT_SENT" && answer.status !== "NO_ANSWER").length;
    const found = problemOf(t, answers.map((x) => x.answer));
    // A person settled it: say so, with their reason, beside whatever the banks say now.
    const problem = found === undefined || t.settledBy === undefined ? found
      : `${found} (settled by ${t.settledBy.operator} at ${t.settledBy.at.toISOString()}${overBankAnswersNote(t.settledBy)}: ${t.settledBy.reason})`;
    if (problem !== undefined) {
      mismatches.push({
        referenceNumber: t.referenceNumber, clientReferenceNo: t.clientReferenceNo, state: t.state, problem,
        bank: answers.map(describeAnswer),
      });
    }
  }
  return { transfers: Math.min(transfers.length, limit), asked, answered, mismatches, truncated };
}

/**
 * Every disagreement of a final transfer, the bookings first: an attempt the bank could not be
 * asked about must not hide a booking another attempt shows (a FAILED that was paid).
 */
function problemOf(t: TransferRecord, answers: StatusAnswer[]): string | undefined {
  if (!isFinal(t.state)) return [`not final (${t.state})`, t.reviewReason].filter((part) => part !== undefined).join(": ");
  const booked = answers.filter((a) => a.status === "SUCCESS").length;
  const unasked = answers.filter(unanswered);
  // One booking, but of another attempt than the ledger's (a rerouted transfer's first bank booked,
  // the second did not): the ledger names the wrong bank, reference and escrow.
  const ledgerBooked = t.attempts.findIndex((a) => a.outcome === "SUCCESS");
  const bankBooked = answers.findIndex((a) => a.status === "SUCCESS");
  // The bank's reference of its booking, which the app was given: a person settling SUCCESS types
  // it, and a typo there is what the app would reconcile against.
  const bookedAs = answers[bankBooked]?.bankReference ?? "";
  const problems = [
    booked > 1 && `booked ${booked} times at the bank`,
    t.state === "FAILED" && booked === 1 && "ledger FAILED but the bank booked it",
    // With an attempt not asked, no booking found proves nothing: that is said below instead.
    t.state === "SUCCESS" && booked === 0 && unasked.length === 0 && "ledger SUCCESS but the bank has no booking",
    t.state === "SUCCESS" && booked === 1 && ledgerBooked >= 0 && bankBooked !== ledgerBooked
      && `ledger SUCCESS by attempt ${ledgerBooked + 1}, but the bank booked attempt ${bankBooked + 1}`,
    // (Of the attempt the ledger names, or the one a person settled: another attempt's booking is said above.)
    t.state === "SUCCESS" && booked === 1 && (ledgerBooked < 0 || ledgerBooked === bankBooked) && bookedAs !== "" && t.bankReference !== bookedAs
      && `ledger SUCCESS with bank reference "${t.bankReference}", but the bank's booking is "${bookedAs}"`,
    // A transfer with more than one attempt (a reroute, a new day's): one still pending at a bank may yet book a second time.
    answers.some((a) => a.status === "PENDING") && `ledger ${t.state} but the bank still has an attempt pending`,
    unasked.length > 0 && `the bank could not be asked: ${unasked.map((a) => a.error ?? a.bankMessage ?? a.status).join("; ")}`,
  ].filter((p): p is string => typeof p === "string");
  return problems.length === 0 ? undefined : problems.join("; ");
}
