import { deriveRequestId, DIGITS, UPPER_ALPHANUMERIC } from "@gerbang/shared";
import type { SentRequest } from "./app-client";
import type { Booking } from "@gerbang/shared/src/bank/testing";

/**
 * The end-of-run invariants of MISSION.md section 5, computed from the gateway's ledger, the
 * sandboxes' own ledgers of bookings (the banks' truth) and what the apps were told. Pure, so
 * the rules themselves are unit-tested (ledger-check.test.ts) against hand-made ledgers.
 *
 *   stuck    a transfer not final (SENDING, PENDING) after the bounded wait for the
 *            resolver, or in MANUAL_REVIEW without a reason
 *   lost     a SUCCESS the bank never booked; a booking whose transfer is not SUCCESS, or that no
 *            transfer owns (money left the escrow and our ledger does not say so); an answer whose
 *            referenceNumber the ledger does not hold; an app told SUCCESS whose transfer is not
 *   doubled  a transfer booked more than once; two transfers for one clientReferenceNo; an app
 *            told FAILED (it may pay again) whose transfer was booked
 * Each finding is also written out as a problem line naming the references involved.
 */

/** The fields of a ledger document the invariants need. */
export interface LedgerTransfer {
  referenceNumber: string;
  clientId: string;
  clientReferenceNo: string;
  state: string;
  amount: string;
  sourceAccountNumber: string;
  beneficiaryAccountNumber: string;
  /**
   * allocatedRequestId: the id a bank service stored for the attempt before sending it (BCA's allocated TransactionIDs).
   * sourceAccountNumber: the escrow the attempt was sent from, when recorded (a reroute sends attempt 2 from another).
   */
  attempts: { attempt: number; partnerBankCode: string; outcome?: string; bankRequestId?: string; allocatedRequestId?: string; sourceAccountNumber?: string }[];
  /** Why a person has to look (MANUAL_REVIEW only); empty when the gateway gave none. */
  reviewReason: string;
}

export type BankLedgers = Record<string, Booking[]>; // by partner bank code: "009", "014", "800"

export interface RunFigures {
  transfers: number;
  faults: number;
  lost: number;
  doubled: number;
  stuck: number;
  /** MANUAL_REVIEW transfers (with a reason): allowed, but reported. */
  manualReview: number;
  bookings: number;
  problems: string[];
}

/** How each partner's service writes the bank-side request id of an attempt (services/bank-*: service.ts). */
const REQUEST_ID_FORMAT: Record<string, { alphabet: string; length: number }> = {
  "009": { alphabet: UPPER_ALPHANUMERIC, length: 16 },
  "014": { alphabet: DIGITS, length: 8 },
  "800": { alphabet: UPPER_ALPHANUMERIC, length: 16 },
};

export function requestIdOf(partnerBankCode: string, referenceNumber: string, attempt: number): string | undefined {
  const format = REQUEST_ID_FORMAT[partnerBankCode];
  return format === undefined ? undefined : deriveRequestId(referenceNumber, attempt, format.alphabet, format.length);
}

const FINAL = new Set(["SUCCESS", "FAILED"]);

/** The one summary line every run prints, in the shape the issue asks for. */
export function summaryLine(f: RunFigures): string {
  return `transfers ${f.transfers}, faults ${f.faults}, lost ${f.lost}, doubled ${f.doubled}, stuck ${f.stuck}`;
}

export function checkInvariants(input: { transfers: LedgerTransfer[]; ledgers: BankLedgers; sent: SentRequest[]; faults: number }): RunFigures {
  const f: RunFigures = { transfers: input.transfers.length, faults: input.faults, lost: 0, doubled: 0, stuck: 0, manualReview: 0, bookings: 0, problems: [] };
  const bookingsOf = matchBookings(input.transfers, input.ledgers, f);
  for (const t of input.transfers) {
    const booked = bookingsOf.get(t.referenceNumber) ?? [];
    const ref = `${t.referenceNumber} (${t.clientReferenceNo})`;
    if (t.state === "MANUAL_REVIEW") {
      f.manualReview++;
      if (t.reviewReason.trim() === "") { f.stuck++; f.problems.push(`stuck: ${ref} is MANUAL_REVIEW without a reason`); }
    } else if (!FINAL.has(t.state)) {
      f.stuck++;
      f.problems.push(`stuck: ${ref} is still ${t.state} (attempts ${t.attempts.length}, booked ${booked.length})`);
      continue; // whether its booking counts is decided once it is final
    }
    if (booked.length > 1) {
      f.doubled++;
      f.problems.push(`doubled: ${ref} booked ${booked.length} times (${booked.map((b) => b.requestId).join(", ")})`);
    }
    if (t.state === "SUCCESS" && booked.length === 0) { f.lost++; f.problems.push(`lost: ${ref} is SUCCESS but no bank booked it`); }
    if (t.state !== "SUCCESS" && booked.length > 0) { f.lost++; f.problems.push(`lost: ${ref} is ${t.state} but was booked (${booked.map((b) => b.requestId).join(", ")})`); }
  }
  checkDuplicateReferences(input.transfers, f);
  checkAnswers(input.transfers, input.sent, bookingsOf, f);
  checkSums(input.transfers, input.ledgers, bookingsOf, f);
  return f;
}

/** Owner of each booking: the transfer one of whose attempts has this request id at this bank and the same amount and accounts. */
function matchBookings(transfers: LedgerTransfer[], ledgers: BankLedgers, f: RunFigures): Map<string, Booking[]> {
  const candidates = candidatesByRequestId(transfers);
  const owned = new Map<string, Booking[]>();
  for (const [bank, bookings] of Object.entries(ledgers)) {
    for (const b of bookings) {
      f.bookings++;
      // BCA's 8-digit ids can collide between transfers: the content decides which one it was,
      // the source being the escrow that attempt was sent from.
      const owner = (candidates.get(`${bank}:${b.requestId}`) ?? []).find(({ t, source }) =>
        BigInt(t.amount) === BigInt(b.amount) && source === b.sourceAccountNumber && t.beneficiaryAccountNumber === b.beneficiaryAccountNumber)?.t;
      if (owner === undefined) {
        f.lost++;
        f.problems.push(`lost: orphan booking at ${bank}: request id ${b.requestId}, journal ${b.journalNo}, amount ${b.amount}, no transfer of ours owns it`);
        continue;
      }
      owned.set(owner.referenceNumber, [...(owned.get(owner.referenceNumber) ?? []), b]);
    }
  }
  return owned;
}

/**
 * Transfers by `bank:requestId` of each of their attempts: the id the bank service allocated for it
 * (else the one derived from (reference, attempt)), and the one it reported.
 */
function candidatesByRequestId(transfers: LedgerTransfer[]): Map<string, { t: LedgerTransfer; source: string }[]> {
  const candidates = new Map<string, { t: LedgerTransfer; source: string }[]>();
  for (const t of transfers) {
    for (const a of t.attempts) {
      const sentUnder = a.allocatedRequestId ?? requestIdOf(a.partnerBankCode, t.referenceNumber, a.attempt);
      const ids = new Set([sentUnder, a.bankRequestId].filter((x): x is string => x !== undefined && x !== ""));
      const source = a.sourceAccountNumber ?? t.sourceAccountNumber;
      for (const id of ids) {
        const key = `${a.partnerBankCode}:${id}`;
        const list = candidates.get(key) ?? [];
        if (!list.some((c) => c.t === t && c.source === source)) list.push({ t, source });
        candidates.set(key, list);
      }
    }
  }
  return candidates;
}

function checkDuplicateReferences(transfers: LedgerTransfer[], f: RunFigures): void {
  const byKey = new Map<string, string[]>();
  for (const t of transfers) {
    const key = `${t.clientId}/${t.clientReferenceNo}`;
    byKey.set(key, [...(byKey.get(key) ?? []), t.referenceNumber]);
  }
  for (const [key, refs] of byKey) {
    if (refs.length > 1) { f.doubled++; f.problems.push(`doubled: clientReferenceNo ${key} has ${refs.length} transfers: ${refs.join(", ")}`); }
  }
}

/** What the apps were told must be what the ledger holds; a final answer never changes. */
function checkAnswers(transfers: LedgerTransfer[], sent: SentRequest[], bookingsOf: Map<string, Booking[]>, f: RunFigures): void {
  const byClientRef = new Map(transfers.map((t) => [t.clientReferenceNo, t]));
  for (const { body, answer } of sent) {
    if (answer.kind !== "answer" || answer.referenceNumber === undefined) continue;
    const t = byClientRef.get(body.clientReferenceNo);
    if (t?.referenceNumber !== answer.referenceNumber) {
      f.lost++;
      f.problems.push(`lost: ${body.clientReferenceNo} was answered with ${answer.referenceNumber}, the ledger holds ${t?.referenceNumber ?? "nothing"}`);
      continue;
    }
    if (answer.status === "SUCCESS" && t.state !== "SUCCESS") {
      f.lost++;
      f.problems.push(`lost: ${t.referenceNumber} was answered SUCCESS and is now ${t.state}`);
    }
    // A FAILED transfer that was booked anyway is already counted as lost above.
    if (answer.status === "FAILED" && t.state !== "FAILED") {
      f.doubled++;
      f.problems.push(`doubled: ${t.referenceNumber} was answered FAILED (the app may pay again) and is now ${t.state}, booked ${(bookingsOf.get(t.referenceNumber) ?? []).length}`);
    }
  }
}

/** Per bank: SUCCESS amounts in our ledger = amounts the bank booked for us. */
function checkSums(transfers: LedgerTransfer[], ledgers: BankLedgers, bookingsOf: Map<string, Booking[]>, f: RunFigures): void {
  const ours = new Map<string, bigint>();
  for (const t of transfers) {
    if (t.state !== "SUCCESS") continue;
    const booking = bookingsOf.get(t.referenceNumber)?.[0];
    const bank = booking === undefined ? t.attempts.at(-1)?.partnerBankCode ?? "?" : bankOfBooking(ledgers, booking);
    ours.set(bank, (ours.get(bank) ?? 0n) + BigInt(t.amount));
  }
  for (const bank of new Set([...ours.keys(), ...Object.keys(ledgers)])) {
    const booked = (ledgers[bank] ?? []).reduce((sum, b) => sum + BigInt(b.amount), 0n);
    const recorded = ours.get(bank) ?? 0n;
    if (booked !== recorded) f.problems.push(`sums: at ${bank} our SUCCESS transfers total ${recorded}, the bank booked ${booked}`);
  }
}

function bankOfBooking(ledgers: BankLedgers, booking: Booking): string {
  return Object.entries(ledgers).find(([, list]) => list.includes(booking))?.[0] ?? "?";
}
