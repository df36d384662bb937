import { randomBytes } from "node:crypto";
import { connectDatabase, type Connection } from "@gerbang/shared";
import type { AppAnswer, AppClient, SentRequest, TransferBody } from "./app-client";
import { runLimited } from "./app-client";
import { RESOLVER_SETTLES_MS, SANDBOX_OF_PARTNER, startFaultSystem, type FaultSystem, type SandboxBank } from "./fault-system";
import { checkInvariants, summaryLine, type BankLedgers, type LedgerTransfer, type RunFigures } from "./ledger-check";
import { readLedger, waitForResolver, waitUntilNoneHeld } from "./ledger-read";
import { magicAccount, pastJakartaMidnightIfWithin, type Booking, type FaultMode, type Repeat } from "@gerbang/shared/src/bank/testing";

/**
 * One fault run: the requests the apps sent and what they were told, the faults injected, and the
 * end-of-run check against the sandboxes' ledgers. Scenarios add to it; `finish` settles and
 * judges everything at once, so every scenario's transfers are checked by the same rules.
 */

/** Where a transfer goes. Beneficiaries are the sandboxes' fixture accounts (local-fixtures.ts). */
export type Destination = "bni" | "bca" | "mandiri" | "mandiri-008" | "interbank";

/** `sandbox`: the bank that books it (interbank goes through BNI). */
const DESTINATIONS: Record<Destination, { bankCode: string; account: string; name: string; sandbox: SandboxBank }> = {
  bni: { bankCode: "009", account: "0115476119", name: "ERRY JULIO", sandbox: "bni" },
  bca: { bankCode: "014", account: "0201245681", name: "KEN AROK", sandbox: "bca" },
  mandiri: { bankCode: "800", account: "1370098765431", name: "GAJAH MADA", sandbox: "mandiri" },
  "mandiri-008": { bankCode: "008", account: "1370098765432", name: "HAYAM WURUK", sandbox: "mandiri" },
  interbank: { bankCode: "002", account: "0340012345678", name: "SRI REJEKI", sandbox: "bni" }, // BRI: carried by BNI interbank
};

/** The sandbox that books a transfer to `to`. */
export const sandboxOf = (to: Destination): SandboxBank => DESTINATIONS[to].sandbox;

export const PLAIN_DESTINATIONS: readonly Destination[] = ["bni", "bca", "mandiri", "mandiri-008", "interbank"];

export interface FaultRun {
  readonly fs: FaultSystem;
  readonly db: Connection;
  readonly sent: SentRequest[];
  /** Faults injected so far (faulty requests, kills, restarts, outages). */
  faults: number;
  /** A transfer with a fresh clientReferenceNo and a distinct amount (so sums and BCA collisions are checkable). */
  body(to: Destination, magic?: FaultMode): TransferBody;
  /** Sends and records one request. */
  send(client: AppClient, body: TransferBody): Promise<AppAnswer>;
  sendAll(client: AppClient, bodies: TransferBody[], concurrency: number): Promise<AppAnswer[]>;
  /** The last answer each of these requests got (after any retries). */
  latest(bodies: readonly TransferBody[]): AppAnswer[];
  /** Like an app after an outage: re-sends every request whose last answer was none or 5xx, same reference, bounded rounds. */
  retryUnanswered(client: AppClient, rounds?: number): Promise<void>;
  /** What one transfer must end as, beyond the invariants (e.g. a decline is FAILED, a booking fault SUCCESS). */
  expectFinal(body: TransferBody, states: readonly string[], why: string): void;
  /** A scenario's own finding (a knob that did not work, a refusal that should not happen); fails the run. */
  problem(text: string): void;
  /** Keeps a sandbox's bookings and repeated request ids before it is restarted (it keeps both in memory). */
  snapshotSandbox(partnerBankCode: string): Promise<void>;
  /** Waits (bounded) for the resolver, reads both sides, checks, prints the summary line. */
  finish(): Promise<RunFigures>;
  close(): Promise<void>;
}

/** What a scenario said one of its transfers must end as. */
interface Expectation {
  clientReferenceNo: string;
  states: readonly string[];
  why: string;
}

export async function createFaultRun(fs: FaultSystem): Promise<FaultRun> {
  const db = await connectDatabase({ uri: fs.system.mongodbUri, dbName: fs.system.databaseName });
  const tag = randomBytes(3).toString("hex").toUpperCase();
  let counter = 0;
  const sent: SentRequest[] = [];
  const snapshots: BankLedgers = {};
  const repeatsBefore: Partial<Record<SandboxBank, Repeat[]>> = {};
  const last = new Map<string, SentRequest>();
  const expectations: Expectation[] = [];
  const findings: string[] = [];
  const send = async (client: AppClient, body: TransferBody) => {
    const answer = await client.transfer(body);
    const request = { body, answer };
    sent.push(request);
    last.set(body.clientReferenceNo, request);
    return answer;
  };
  const unanswered = () => [...last.values()].filter(({ answer }) => answer.kind === "none" || answer.httpStatus >= 500).map((r) => r.body);
  const run: FaultRun = {
    fs, db, sent, faults: 0,
    body: (to, magic) => {
      counter++;
      const d = DESTINATIONS[to];
      const account = magic === undefined ? d.account : magicAccount(magic);
      return {
        clientReferenceNo: `${fs.label}-${tag}-${counter}`,
        beneficiaryBankCode: d.bankCode,
        beneficiaryAccountNumber: account,
        beneficiaryAccountName: d.name,
        amount: String(10_000 + counter),
      };
    },
    send,
    sendAll: (client, bodies, concurrency) => runLimited(bodies, concurrency, (body) => send(client, body)),
    latest: (bodies) => bodies.map((b) => last.get(b.clientReferenceNo)?.answer ?? { kind: "none", error: "never sent" }),
    retryUnanswered: async (client, rounds = 5) => {
      for (let round = 0; round < rounds && unanswered().length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
        await run.sendAll(client, unanswered(), 8);
      }
    },
    expectFinal: (body, states, why) => { expectations.push({ clientReferenceNo: body.clientReferenceNo, states, why }); },
    problem: (text) => { findings.push(text); },
    snapshotSandbox: async (code) => {
      const bank = SANDBOX_OF_PARTNER[code];
      if (bank === undefined) throw new Error(`no sandbox for partner ${code}`);
      snapshots[code] = withBookings(snapshots[code], await fs.sandbox(bank).ledger());
      repeatsBefore[bank] = [...(repeatsBefore[bank] ?? []), ...await fs.sandbox(bank).repeats()];
    },
    finish: async () => {
      const open = await waitForResolver(db, RESOLVER_SETTLES_MS);
      findings.push(...await banksDone(fs, repeatsBefore), ...fs.unexpectedExits());
      const ledgers: BankLedgers = {};
      for (const [code, bank] of Object.entries(SANDBOX_OF_PARTNER)) {
        ledgers[code] = withBookings(snapshots[code], await fs.sandbox(bank).ledger());
      }
      const transfers = await readLedger(db);
      const figures = checkInvariants({ transfers, ledgers, sent, faults: run.faults });
      figures.problems.push(...unmetExpectations(transfers, expectations));
      figures.problems.push(...findings);
      const line = summaryLine(figures);
      const details = [
        `[fault ${fs.label}] ${line}`,
        `  (requests ${sent.length}, bookings ${figures.bookings}, manual review ${figures.manualReview}, not final after the wait ${open.length}; logs in ${fs.logDir})`,
        ...figures.problems.slice(0, 40).map((p) => `  ${p}`),
      ];
      process.stdout.write(`${details.join("\n")}\n`);
      return figures;
    },
    close: () => db.close(),
  };
  return run;
}

/**
 * A bank still working on a request may book it after the books are read: the check would not see
 * that booking. Every bank must be done first (bounded by the longest latency fault). And a sandbox
 * answers a second send of an id it has as a duplicate, so its books never show one; a real bank's
 * check is its own (it may miss a request not yet committed). A correct gateway re-sends an id only
 * after the bank's inquiry said it does not have it, so every repeat is counted as a problem.
 */
async function banksDone(fs: FaultSystem, repeatsBefore: Partial<Record<SandboxBank, Repeat[]>>): Promise<string[]> {
  const findings: string[] = [];
  for (const bank of Object.values(SANDBOX_OF_PARTNER)) {
    const stillHeld = await waitUntilNoneHeld(fs.sandbox(bank), 10_000);
    if (stillHeld > 0) findings.push(`sandbox ${bank} still works on ${stillHeld} request(s) after the wait: its books are not final`);
    const repeats = [...(repeatsBefore[bank] ?? []), ...await fs.sandbox(bank).repeats()];
    if (repeats.length > 0) {
      const raced = repeats.filter((r) => r.whileInProgress).length;
      findings.push(`sandbox ${bank} got request id(s) it already had ${repeats.length} time(s), ${raced} while still working on the first: ${repeats.slice(0, 5).map((r) => r.requestId).join(", ")}`);
    }
  }
  return findings;
}

/**
 * Each transfer a scenario stated an outcome for must have it; and MANUAL_REVIEW only where a
 * scenario said it may come (a fault that stays): anywhere else a person would be paged for a
 * transfer the system should have settled by itself.
 */
function unmetExpectations(transfers: LedgerTransfer[], expectations: readonly Expectation[]): string[] {
  const problems: string[] = [];
  const byClientRef = new Map(transfers.map((t) => [t.clientReferenceNo, t]));
  for (const e of expectations) {
    const t = byClientRef.get(e.clientReferenceNo);
    if (t === undefined || !e.states.includes(t.state)) {
      const found = t === undefined ? "not in the ledger" : t.referenceNumber + " " + t.state;
      problems.push(`expected ${e.states.join(" or ")} (${e.why}): ${e.clientReferenceNo} is ${found}`);
    }
  }
  const reviewAllowed = new Set(expectations.filter((e) => e.states.includes("MANUAL_REVIEW")).map((e) => e.clientReferenceNo));
  for (const t of transfers) {
    if (t.state === "MANUAL_REVIEW" && !reviewAllowed.has(t.clientReferenceNo)) {
      problems.push(`unexpected MANUAL_REVIEW: ${t.referenceNumber} (${t.clientReferenceNo}): ${t.reviewReason}`);
    }
  }
  return problems;
}

/** Longer than any fault file runs (the longest, full-faults, about 75 s here), with room for a slow machine. */
const MIDNIGHT_GUARD_MS = 5 * 60_000;

/** The three partner banks, for scenarios that go through every one. */
export const ALL_BANKS = ["bni", "bca", "mandiri"] as const;

/**
 * One system of real processes and one run for the calling test file: started in beforeAll,
 * stopped in afterAll. The returned function hands them to each test; a failed start fails every
 * test with this message instead of a TypeError. A file's run ends within a few minutes: one that
 * would cross Jakarta midnight starts after it, since a re-send after it carries the day before
 * and BCA refuses that (a fault the admin rule fires once would end in review, not SUCCESS).
 */
export function useFaultRun(label: string): () => { fs: FaultSystem; run: FaultRun } {
  let fs: FaultSystem | undefined;
  let run: FaultRun | undefined;
  beforeAll(async () => {
    await pastJakartaMidnightIfWithin(MIDNIGHT_GUARD_MS);
    fs = await startFaultSystem(label);
    run = await createFaultRun(fs);
  }, 90_000 + MIDNIGHT_GUARD_MS);
  afterAll(async () => {
    await run?.close();
    await fs?.stop();
  }, 60_000);
  return () => {
    if (fs === undefined || run === undefined) throw new Error("the system did not start (see beforeAll)");
    return { fs, run };
  };
}

/** The bookings seen before (a restarted sandbox forgets its own) and those it holds now, each once. */
function withBookings(before: Booking[] | undefined, now: Booking[]): Booking[] {
  const seen = new Map<string, Booking>((before ?? []).map((b) => [bookingKey(b), b]));
  for (const b of now) seen.set(bookingKey(b), b);
  return [...seen.values()];
}

/**
 * One booking, as seen in a snapshot and again in the ledger after it: the same request id, journal
 * number and time. Not the request id alone: two bookings under one id (what a bank's duplicate check
 * must prevent, e.g. after a sandbox restart forgot the first) must both be counted.
 */
function bookingKey(b: Booking): string {
  return `${b.requestId}|${b.journalNo}|${b.bookedAt}`;
}
