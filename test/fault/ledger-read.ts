import type { Connection } from "@gerbang/shared";
import type { SandboxAdmin } from "@gerbang/shared/src/bank/testing";
import type { LedgerTransfer } from "./ledger-check";

/**
 * Reads the gateway's ledger (the `transfers` collection) straight from the system's database,
 * the way an auditor would, and waits (bounded) for the resolver to settle what is not final.
 */

/** The states the resolver still works on. */
export const NOT_FINAL: readonly string[] = ["SENDING", "PENDING"];

interface RawTransfer {
  _id?: unknown; referenceNumber?: unknown; clientId?: unknown; clientReferenceNo?: unknown; state?: unknown; amount?: unknown;
  sourceAccountNumber?: unknown; beneficiaryAccountNumber?: unknown; attempts?: unknown;
  [field: string]: unknown;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * The reason a MANUAL_REVIEW transfer carries. The gateway's field for it is read from the known
 * candidates, so the check does not depend on one spelling; an empty answer counts as "no reason".
 */
function reviewReason(doc: RawTransfer): string {
  const nested = doc.manualReview as { reason?: unknown } | undefined;
  return [doc.reviewReason, doc.manualReviewReason, nested?.reason, doc.reason].map(text).find((r) => r !== "") ?? "";
}

export function toLedgerTransfer(doc: RawTransfer): LedgerTransfer {
  const attempts = Array.isArray(doc.attempts) ? (doc.attempts as Record<string, unknown>[]) : [];
  return {
    // The ledger keys documents by referenceNumber (_id) and keeps the field too; either will do.
    referenceNumber: text(doc.referenceNumber) === "" ? text(doc._id) : text(doc.referenceNumber),
    clientId: text(doc.clientId),
    clientReferenceNo: text(doc.clientReferenceNo),
    state: text(doc.state),
    amount: text(doc.amount),
    sourceAccountNumber: text(doc.sourceAccountNumber),
    beneficiaryAccountNumber: text(doc.beneficiaryAccountNumber),
    attempts: attempts.map((a) => ({
      attempt: typeof a.attempt === "number" ? a.attempt : 0,
      partnerBankCode: text(a.partnerBankCode),
      ...(typeof a.outcome === "string" ? { outcome: a.outcome } : {}),
      ...(typeof a.bankRequestId === "string" ? { bankRequestId: a.bankRequestId } : {}),
      ...(typeof a.sourceAccountNumber === "string" ? { sourceAccountNumber: a.sourceAccountNumber } : {}),
    })),
    reviewReason: reviewReason(doc),
  };
}

/** The TransactionIDs the BCA service allocated, by `reference#attempt` (services/bank-bca/src/transaction-id-store.ts). */
async function bcaAllocations(connection: Connection): Promise<Map<string, string>> {
  const docs = await connection.collection("bca_transaction_ids").find({}).toArray();
  return new Map(docs.map((d) => [`${text(d.referenceNumber)}#${String(d.attempt)}`, text(d.transactionId)]));
}

export async function readLedger(connection: Connection): Promise<LedgerTransfer[]> {
  const docs = await connection.collection<RawTransfer>("transfers").find({}).toArray();
  const allocated = await bcaAllocations(connection);
  return docs.map(toLedgerTransfer).map((t) => ({
    ...t,
    attempts: t.attempts.map((a) => {
      const id = a.partnerBankCode === "014" ? allocated.get(`${t.referenceNumber}#${a.attempt}`) : undefined;
      return id === undefined ? a : { ...a, allocatedRequestId: id };
    }),
  }));
}

/**
 * Polls until no transfer is SENDING or PENDING, at most `timeoutMs`; returns what is
 * still not final then (the caller counts it as stuck, never waits longer). Once a second: on the
 * embedded database every query scans the collection, and the suite must not be the load it measures.
 */
export async function waitForResolver(connection: Connection, timeoutMs: number): Promise<LedgerTransfer[]> {
  const deadline = Date.now() + timeoutMs;
  let open: LedgerTransfer[] = [];
  for (;;) {
    let read = false;
    try {
      open = (await connection.collection<RawTransfer>("transfers").find({ state: { $in: NOT_FINAL } }).toArray()).map(toLedgerTransfer);
      read = true;
    } catch {
      // The database may be coming back after a restart; the deadline still bounds the wait.
    }
    // Only a read that worked can say nothing is open: a failed first poll must not end the wait.
    if ((read && open.length === 0) || Date.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** One transfer as the ledger holds it now, by the app's reference; undefined when it is not there. */
export async function readTransfer(connection: Connection, clientReferenceNo: string): Promise<LedgerTransfer | undefined> {
  const doc = await connection.collection<RawTransfer>("transfers").findOne({ clientReferenceNo });
  return doc === null ? undefined : toLedgerTransfer(doc);
}

/** Bounded wait until every one of these transfers is in the ledger in an accepted state (e.g. SENDING before a kill). */
export async function waitForTransfers(
  connection: Connection, clientReferenceNos: readonly string[], accept: (t: LedgerTransfer) => boolean, timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = [...clientReferenceNos];
  while (Date.now() < deadline) {
    const docs = await connection.collection<RawTransfer>("transfers").find({ clientReferenceNo: { $in: missing } }).toArray();
    const done = new Set(docs.map(toLedgerTransfer).filter(accept).map((t) => t.clientReferenceNo));
    missing = missing.filter((ref) => !done.has(ref));
    if (missing.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`transfers ${missing.join(", ")} did not reach the expected state within ${timeoutMs} ms`);
}

/** Whether a bank's booking or held request is this transfer (every fault run's transfer has an amount of its own). */
export const sameTransfer = (transfer: { amount: string; beneficiaryAccountNumber: string }) =>
  (r: { amount: string; beneficiaryAccountNumber: string }): boolean => r.amount === transfer.amount && r.beneficiaryAccountNumber === transfer.beneficiaryAccountNumber;

/**
 * Bounded wait until the bank holds this transfer (fault `latency`: taken, not yet booked), so a
 * kill lands while the call is at the bank, not before it got there (which is another scenario:
 * the gateway then cannot know whether it left, and the transfer ends in manual review).
 */
export async function waitUntilHeld(bank: SandboxAdmin, transfer: { amount: string; beneficiaryAccountNumber: string }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const held = await bank.held();
    if (held.some(sameTransfer(transfer))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the bank at ${bank.origin} did not hold the transfer of ${transfer.amount} within ${timeoutMs} ms`);
}

/** Waits, at most `timeoutMs`, until the bank holds no request it has not booked or refused yet; returns how many it still holds. */
export async function waitUntilNoneHeld(bank: SandboxAdmin, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = (await bank.held()).length;
    if (held === 0 || Date.now() >= deadline) return held;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
