import { INTERBANK_LIMIT, INTRABANK_LIMIT } from "./amount";
import type { Accounts } from "./accounts";
import { memoryOnly, type Journal } from "./journal";

export type TransferKind = "INTRABANK" | "INTERBANK";

/** A validated transfer instruction, in the bank-neutral shape the core books. */
export interface TransferOrder {
  /** Duplicate-detection key: the request id, or dailyKey where the bank keys ids per day (BCA, Mandiri). */
  key: string;
  /** The bank-side request id as the client sent it (BNI requestUuid, BCA TransactionID, ...). */
  requestId: string;
  kind: TransferKind;
  sourceAccountNumber: string;
  beneficiaryAccountNumber: string;
  beneficiaryBankCode: string;
  amount: bigint;
  /** Echo fields a bank's status inquiry answers with (ReferenceID, TransactionDate, ...). */
  echo: Record<string, string>;
}

/** The duplicate-detection key of a bank that keeps its request ids unique per day (BCA, Mandiri): the day and the id. */
export function dailyKey(transactionDate: string, requestId: string): string {
  return `${transactionDate}/${requestId}`;
}

/** Why a transfer was declined; each bank maps these to its own codes in one switch. */
export type Refusal = "insufficient-funds" | "invalid-account" | "source-invalid" | "dormant" | "closed" | "limit-exceeded" | "cutoff";

/** One credit in the bank's books. */
export interface LedgerEntry {
  requestId: string;
  journalNo: string;
  sourceAccountNumber: string;
  beneficiaryAccountNumber: string;
  beneficiaryBankCode: string;
  amount: bigint;
  kind: TransferKind;
  bookedAt: Date;
}

export type Outcome =
  | { state: "PENDING" }
  | { state: "BOOKED"; entry: LedgerEntry }
  | { state: "REFUSED"; refusal: Refusal };

export interface RequestRecord {
  order: TransferOrder;
  outcome: Outcome;
  /** Claimed out of sight (fault `book-late`): the inquiry does not know it until it is settled. */
  hidden?: boolean;
}

/** A request id that came again (see Ledger.repeats). */
export interface Repeat {
  requestId: string;
  /** The first request with this id was still PENDING: the two raced. */
  whileInProgress: boolean;
}

export interface Ledger {
  /** What the bank's inquiry sees: a record claimed out of sight is not found until it is settled. */
  find(key: string): RequestRecord | undefined;
  /**
   * Claims the order's key (state PENDING); returns the earlier record when the key was used before.
   * `hidden`: the bank works on it out of sight, its inquiry not knowing it until it is settled.
   */
  claim(order: TransferOrder, hidden?: boolean): RequestRecord | undefined;
  /**
   * Books or refuses a claimed order in one synchronous step (checks, debit, credit, entry), so
   * concurrent requests can never interleave inside a booking. `forced` is a decline fault.
   */
  settle(key: string, forced?: Refusal): Outcome;
  entries(): LedgerEntry[];
  /** Orders claimed and not yet booked or refused: requests the bank is still working on (faults `latency`, `book-late`, `in-progress`). */
  held(): TransferOrder[];
  /**
   * Request ids that came again once the bank had them, in order, each marked when the first was
   * still in progress. The duplicate is refused here, so the books never show it; but a real
   * bank's duplicate check is its own (and may not see a request it has not committed yet): tests
   * read this to prove the client never sends an id the bank already has.
   */
  repeats(): Repeat[];
  /** Empties the ledger and the request registry (admin reset); journal numbers keep counting. */
  reset(): void;
}

/** `journal`: where the books survive a restart (make run); by default they live in memory only. */
export function createLedger(accounts: Accounts, now: () => number, journal: Journal = memoryOnly): Ledger {
  let records = new Map<string, RequestRecord>();
  let entries: LedgerEntry[] = [];
  let repeats: Repeat[] = [];
  let sequence = 0;
  // Journal numbers stay unique across restarts: 7 digits of the start time, then a counter.
  const prefix = String(now() % 10_000_000).padStart(7, "0");

  const check = (order: TransferOrder): Refusal | undefined => {
    const source = accounts.find(order.sourceAccountNumber);
    // A bank debits only the calling company's own accounts (BCA's ESB-82-008 "company account
    // invalid"): a beneficiary's account, credited by earlier tests, must not pay for a wrong source.
    if (source?.corporate !== true) return "source-invalid";
    if (source.status !== "ACTIVE") return source.status === "DORMANT" ? "dormant" : "closed";
    const limit = order.kind === "INTRABANK" ? INTRABANK_LIMIT : INTERBANK_LIMIT;
    if (order.amount > limit) return "limit-exceeded";
    if (order.kind === "INTRABANK") {
      const beneficiary = accounts.find(order.beneficiaryAccountNumber);
      if (beneficiary === undefined || beneficiary === source) return "invalid-account";
      if (beneficiary.status !== "ACTIVE") return beneficiary.status === "DORMANT" ? "dormant" : "closed";
    }
    if (source.balance < order.amount) return "insufficient-funds";
    return undefined;
  };

  /** Moves the money of a booking check() allowed (or the journal recorded) and files its entry. */
  const book = (entry: LedgerEntry) => {
    const source = accounts.find(entry.sourceAccountNumber);
    if (source === undefined) throw new Error("book: source vanished after the check");
    source.balance -= entry.amount;
    if (entry.kind === "INTRABANK") {
      const beneficiary = accounts.find(entry.beneficiaryAccountNumber);
      if (beneficiary === undefined) throw new Error("book: beneficiary vanished after the check");
      beneficiary.balance += entry.amount;
    }
    entries.push(entry);
  };

  for (const event of journal.replay()) {
    if ("rollback" in event) {
      records.delete(event.rollback);
      continue;
    }
    if ("claim" in event) {
      records.set(event.claim.key, { order: event.claim, outcome: { state: "PENDING" } });
      continue;
    }
    const record = records.get(event.settle);
    if (record === undefined) throw new Error(`journal: ${event.settle} settled but never claimed`);
    if (event.outcome.state === "BOOKED") book(event.outcome.entry);
    record.outcome = event.outcome;
  }
  // A request the bank was still working on when it stopped was never committed: as a real core
  // rolls such a transaction back, it is forgotten (the inquiry says not found, and the same id
  // may come again). Kept, it would stay "in progress" for good, since nothing would settle it.
  for (const [key, record] of records) {
    if (record.outcome.state !== "PENDING") continue;
    journal.append({ rollback: key });
    records.delete(key);
  }

  return {
    find: (key) => {
      const record = records.get(key);
      return record?.hidden === true ? undefined : record;
    },
    claim(order, hidden = false) {
      const existing = records.get(order.key);
      if (existing !== undefined) {
        repeats.push({ requestId: order.requestId, whileInProgress: existing.outcome.state === "PENDING" });
        return existing;
      }
      journal.append({ claim: order });
      records.set(order.key, { order, outcome: { state: "PENDING" }, ...(hidden ? { hidden } : {}) });
      return undefined;
    },
    settle(key, forced) {
      const record = records.get(key);
      if (record === undefined) throw new Error("settle: the key was never claimed");
      if (record.outcome.state !== "PENDING") return record.outcome;
      delete record.hidden; // settled: the inquiry sees it from now on
      const { order } = record;
      const refusal = forced ?? check(order);
      if (refusal !== undefined) {
        const refused: Outcome = { state: "REFUSED", refusal };
        journal.append({ settle: key, outcome: refused });
        record.outcome = refused;
        return refused;
      }
      sequence += 1;
      const entry: LedgerEntry = {
        requestId: order.requestId,
        journalNo: prefix + String(sequence).padStart(6, "0"),
        sourceAccountNumber: order.sourceAccountNumber,
        beneficiaryAccountNumber: order.beneficiaryAccountNumber,
        beneficiaryBankCode: order.beneficiaryBankCode,
        amount: order.amount,
        kind: order.kind,
        bookedAt: new Date(now()),
      };
      const booked: Outcome = { state: "BOOKED", entry };
      // Written before the money moves: a booking the bank may have answered is never forgotten.
      journal.append({ settle: key, outcome: booked });
      book(entry);
      record.outcome = booked;
      return booked;
    },
    entries: () => [...entries],
    held: () => [...records.values()].filter((r) => r.outcome.state === "PENDING").map((r) => r.order),
    repeats: () => repeats.map((r) => ({ ...r })),
    reset() {
      journal.clear();
      records = new Map();
      entries = [];
      repeats = [];
    },
  };
}
