import type { AppAnswer, AppClient, TransferBody } from "./app-client";
import { FAULT_TIMINGS, type SandboxBank } from "./fault-system";
import { PLAIN_DESTINATIONS, type Destination, type FaultRun } from "./fault-run";
import { waitForResolver } from "./ledger-read";
import { FAULT_MODES, type FaultMode } from "./sandbox-admin";

/**
 * Scenarios without crashes: plain load, every sandbox fault mode (by magic account and by admin
 * rule), duplicate storms, outages of a bank service and of a bank. Each adds its requests and
 * faults to the run; the invariants are judged once, in run.finish().
 */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What each fault mode must end as (MISSION.md 5, sandbox/README.md "Faults"): a booking fault is
 * found by status inquiry (SUCCESS); a decline is FAILED; a request the bank never answered and
 * never booked was sent, so "not found" means ask again and, past the horizon, MANUAL_REVIEW,
 * never FAILED. error-before is the bank's explicit 5xx "system error, nothing done": a bank
 * service may read that as a refusal (FAILED) or as unclear (then MANUAL_REVIEW).
 */
export const EXPECTED_FINAL: Record<FaultMode, readonly string[]> = {
  latency: ["SUCCESS"],
  timeout: ["MANUAL_REVIEW"],
  "error-before": ["FAILED", "MANUAL_REVIEW"],
  "error-after": ["SUCCESS"],
  reset: ["MANUAL_REVIEW"],
  "reset-after": ["SUCCESS"],
  "insufficient-funds": ["FAILED"],
  "invalid-account": ["FAILED"],
  cutoff: ["FAILED"],
};

const INTRABANK: Record<SandboxBank, Destination> = { bni: "bni", bca: "bca", mandiri: "mandiri" };

/** `n` plain transfers over every route (three partners, the 008 alias, interbank via BNI). */
export async function plainLoad(run: FaultRun, client: AppClient, n: number, options: { concurrency: number; expectSuccess: boolean }): Promise<AppAnswer[]> {
  const bodies = Array.from({ length: n }, (_, i) => run.body(PLAIN_DESTINATIONS[i % PLAIN_DESTINATIONS.length]!));
  if (options.expectSuccess) for (const b of bodies) run.expectFinal(b, ["SUCCESS"], "plain transfer, no fault");
  return run.sendAll(client, bodies, options.concurrency);
}

/** Every fault mode at every bank through its magic beneficiary account, `repeat` times, all at once. */
export async function faultModesByMagicAccount(run: FaultRun, client: AppClient, banks: readonly SandboxBank[], repeat = 1): Promise<AppAnswer[]> {
  const bodies: TransferBody[] = [];
  for (let r = 0; r < repeat; r++) {
    for (const bank of banks) {
      for (const mode of FAULT_MODES) {
        const body = run.body(INTRABANK[bank], mode);
        run.expectFinal(body, EXPECTED_FINAL[mode], `magic account for ${mode} at ${bank}`);
        bodies.push(body);
      }
    }
  }
  run.faults += bodies.length;
  return run.sendAll(client, bodies, 12);
}

/**
 * Every fault mode once through the sandbox's admin endpoint (`times: 1`), one request at a time,
 * after the resolver has settled everything earlier: then no other request can take the rule.
 */
export async function faultModesByAdminRule(run: FaultRun, client: AppClient, banks: readonly SandboxBank[]): Promise<AppAnswer[]> {
  await waitForResolver(run.db, FAULT_TIMINGS.manualReviewHorizonMs + 10_000);
  const answers: AppAnswer[] = [];
  for (const [i, mode] of FAULT_MODES.entries()) {
    const bank = banks[i % banks.length]!;
    const admin = run.fs.sandbox(bank);
    await admin.addFault({ mode, times: 1, latencyMs: 800 });
    const body = run.body(INTRABANK[bank]);
    run.expectFinal(body, EXPECTED_FINAL[mode], `admin rule ${mode} at ${bank}`);
    run.faults++;
    answers.push(await run.send(client, body));
    await admin.clearFaults();
  }
  return answers;
}

/**
 * `n` requests with one clientReferenceNo at once, spread over `clients` (one or more gateway
 * instances). Returns the answers: every one must carry the same transfer (a duplicate is never
 * refused and never a second transfer); the invariants check the single booking.
 */
export async function duplicateStorm(run: FaultRun, clients: readonly AppClient[], n: number, to: Destination, magic?: FaultMode): Promise<AppAnswer[]> {
  const body = run.body(to, magic);
  run.expectFinal(body, magic === undefined ? ["SUCCESS"] : EXPECTED_FINAL[magic], `duplicate storm of ${n}`);
  run.faults += n - 1;
  return Promise.all(Array.from({ length: n }, (_, i) => run.send(clients[i % clients.length]!, body)));
}

/** The distinct references a set of answers carried. */
export function referencesOf(answers: readonly AppAnswer[]): string[] {
  return [...new Set(answers.flatMap((a) => (a.kind === "answer" && a.referenceNumber !== undefined ? [a.referenceNumber] : [])))];
}

/**
 * A bank service stopped (SIGTERM) for a while: transfers meanwhile are refused before anything
 * is sent or held PENDING, never lost; after the restart (and the breaker's probe) they succeed.
 */
export async function bankServiceOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  const component = `bank-${bank}` as const;
  await run.fs.system.stopComponent(component);
  run.faults++;
  const during = await run.sendAll(client, Array.from({ length: n }, () => run.body(INTRABANK[bank])), 4);
  await run.fs.system.restart(component);
  return [...during, ...(await backAfterOutage(run, client, bank, n))];
}

/**
 * The bank itself down (its every endpoint, token and status included, answers `mode`) for a
 * while, then back: the breaker cuts it off, the resolver keeps asking, nothing is lost.
 */
export async function bankOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number, mode: "error-before" | "reset" = "error-before"): Promise<AppAnswer[]> {
  const admin = run.fs.sandbox(bank);
  await admin.addFault({ mode, endpoint: "all" });
  run.faults += n;
  const during = await run.sendAll(client, Array.from({ length: n }, () => run.body(INTRABANK[bank])), 4);
  await admin.clearFaults();
  return [...during, ...(await backAfterOutage(run, client, bank, n))];
}

/** After an outage: past the breaker's reset time one probe goes through, then the rest; all must succeed. */
async function backAfterOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  await pause(FAULT_TIMINGS.breakerResetMs + 500);
  const after = Array.from({ length: n }, () => run.body(INTRABANK[bank]));
  for (const b of after) run.expectFinal(b, ["SUCCESS"], `${bank} is back after an outage`);
  const probe = await run.send(client, after[0]!);
  return [probe, ...(await run.sendAll(client, after.slice(1), 4))];
}
