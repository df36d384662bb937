/**
 * The sandboxes' admin endpoints (sandbox/README.md, "Admin endpoints"): fault rules for the next
 * requests, and the bank's own ledger of bookings, which is the ground truth the gateway's ledger
 * is checked against. Used by the fault suite, the benchmark and, through sandbox-process.ts, by the bank services' tests.
 */

import type { FaultMode } from "../../sandbox-faults";

export { FAULT_MODES, magicAccount, type FaultMode } from "../../sandbox-faults";

export interface FaultRule {
  mode: FaultMode;
  times?: number;
  latencyMs?: number;
  endpoint?: "transfer" | "status" | "token" | "all";
  /** Only requests about a transfer to this beneficiary account (the transfer, or an inquiry of it). */
  account?: string;
}

/** One booking in a sandbox's ledger, keyed by the bank-side request id. */
export interface Booking {
  requestId: string;
  journalNo: string;
  sourceAccountNumber: string;
  beneficiaryAccountNumber: string;
  beneficiaryBankCode: string;
  amount: string;
  kind: "INTRABANK" | "INTERBANK";
  bookedAt: string;
}

/** A request the bank has taken and is still working on (faults `latency`, `book-late`, `in-progress`): neither booked nor refused yet. */
export type HeldRequest = Omit<Booking, "journalNo" | "bookedAt">;

/** A request id that came again once the bank had it; `whileInProgress`: the first was still being worked on (the two raced). */
export interface Repeat {
  requestId: string;
  whileInProgress: boolean;
}

export interface SandboxAdmin {
  readonly origin: string;
  addFault(rule: FaultRule): Promise<void>;
  /** The rules still armed: a rule with `times` leaves the list once used up. */
  faults(): Promise<FaultRule[]>;
  clearFaults(): Promise<void>;
  ledger(): Promise<Booking[]>;
  held(): Promise<HeldRequest[]>;
  /** Request ids that came again once the bank had them (answered as duplicates, never booked). */
  repeats(): Promise<Repeat[]>;
  /** Access tokens the bank refused on API calls since it started (expired, unknown). */
  refusedTokens(): Promise<number>;
  /** Empty books, fixture balances, no fault rules. */
  reset(): Promise<void>;
}

async function expectOk(res: Response, what: string): Promise<string> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return text;
}

export function createSandboxAdmin(origin: string): SandboxAdmin {
  const timeout = () => AbortSignal.timeout(10_000);
  return {
    origin,
    addFault: async (rule) => {
      const res = await fetch(`${origin}/_sandbox/faults`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule), signal: timeout(),
      });
      await expectOk(res, `adding fault ${rule.mode} at ${origin}`);
    },
    faults: async () => {
      const text = await expectOk(await fetch(`${origin}/_sandbox/faults`, { signal: timeout() }), `reading the fault rules at ${origin}`);
      return (JSON.parse(text) as { rules: FaultRule[] }).rules;
    },
    clearFaults: async () => {
      await expectOk(await fetch(`${origin}/_sandbox/faults`, { method: "DELETE", signal: timeout() }), `clearing faults at ${origin}`);
    },
    ledger: async () => {
      const text = await expectOk(await fetch(`${origin}/_sandbox/ledger`, { signal: timeout() }), `reading the ledger at ${origin}`);
      return (JSON.parse(text) as { entries: Booking[] }).entries;
    },
    held: async () => {
      const text = await expectOk(await fetch(`${origin}/_sandbox/held`, { signal: timeout() }), `reading the held requests at ${origin}`);
      return (JSON.parse(text) as { requests: HeldRequest[] }).requests;
    },
    repeats: async () => {
      const text = await expectOk(await fetch(`${origin}/_sandbox/repeats`, { signal: timeout() }), `reading the repeated request ids at ${origin}`);
      return (JSON.parse(text) as { repeats: Repeat[] }).repeats;
    },
    refusedTokens: async () => {
      const text = await expectOk(await fetch(`${origin}/_sandbox/stats`, { signal: timeout() }), `reading the stats at ${origin}`);
      return (JSON.parse(text) as { refusedTokens: number }).refusedTokens;
    },
    reset: async () => {
      await expectOk(await fetch(`${origin}/_sandbox/reset`, { method: "POST", signal: timeout() }), `resetting ${origin}`);
    },
  };
}
