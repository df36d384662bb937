import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { LedgerEntry, Outcome, TransferOrder } from "./ledger";

/**
 * What a sandbox bank must not forget across a restart, as a real bank would not: every request
 * it claimed and how each was settled. One JSON line per event, appended synchronously inside the
 * ledger's synchronous booking step; the ledger replays the lines when it starts.
 */
export type JournalEvent = { claim: TransferOrder } | { settle: string; outcome: Outcome } | { rollback: string };

export interface Journal {
  /** The events written so far, oldest first. */
  replay(): JournalEvent[];
  append(event: JournalEvent): void;
  /** Forgets everything (admin reset). */
  clear(): void;
}

/** The default: the bank forgets everything when its process ends (tests, benchmarks). */
export const memoryOnly: Journal = { replay: () => [], append: () => undefined, clear: () => undefined };

export function fileJournal(file: string): Journal {
  return {
    replay: () => (existsSync(file) ? parseLines(readFileSync(file, "utf8"), file) : []),
    append: (event) => { appendFileSync(file, `${JSON.stringify(event, encodeBigInt)}\n`); },
    clear: () => { writeFileSync(file, ""); },
  };
}

function parseLines(text: string, file: string): JournalEvent[] {
  const lines = text.split("\n");
  const events: JournalEvent[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    try {
      events.push(revive(JSON.parse(line) as StoredEvent));
    } catch (error) {
      // A line cut short by a crash mid-write can only be the last one: that event never finished.
      if (i === lines.length - 1) break;
      throw new Error(`${file}:${i + 1}: not a journal line`, { cause: error });
    }
  }
  return events;
}

// Amounts are bigint (whole rupiah), which JSON cannot carry: written as decimal strings and
// read back by position, never by guessing from a string's shape.
function encodeBigInt(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** A line as JSON.parse returns it: amounts and dates still strings. */
type StoredEvent =
  | { rollback: string }
  | { claim: Omit<TransferOrder, "amount"> & { amount: string } }
  | { settle: string; outcome: Exclude<Outcome, { state: "BOOKED" }> | { state: "BOOKED"; entry: Omit<LedgerEntry, "amount" | "bookedAt"> & { amount: string; bookedAt: string } } };

function revive(event: StoredEvent): JournalEvent {
  if ("rollback" in event) return event;
  if ("claim" in event) return { claim: { ...event.claim, amount: BigInt(event.claim.amount) } };
  const { outcome } = event;
  if (outcome.state !== "BOOKED") return { settle: event.settle, outcome };
  return { settle: event.settle, outcome: { state: "BOOKED", entry: { ...outcome.entry, amount: BigInt(outcome.entry.amount), bookedAt: new Date(outcome.entry.bookedAt) } } };
}
