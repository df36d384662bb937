import type { AppAnswer, AppClient, TransferBody } from "./app-client";
import { RESOLVER_SETTLES_MS, type SandboxBank } from "./fault-system";
import { PLAIN_DESTINATIONS, type Destination, type FaultRun } from "./fault-run";
import { NOT_FINAL, readTransfer, waitForResolver, waitForTransfers } from "./ledger-read";
import { FAULT_MODES, magicAccount, type FaultMode } from "@gerbang/shared/src/bank/testing";

/**
 * Scenarios without crashes or outages: plain load, every sandbox fault mode (by magic account
 * and by admin rule, on transfers and on status inquiries), duplicate storms. Each adds its
 * requests and faults to the run; the invariants are judged once, in run.finish().
 */

/**
 * What each fault mode must end as when the fault stays (a magic account: every send to it meets
 * the fault) (MISSION.md 5, sandbox/README.md "Faults"): a booking fault is found by status
 * inquiry (SUCCESS); a decline is FAILED; a request the bank never answered and never booked was
 * sent, so "not found" means ask again, re-send the same attempt after GATEWAY_RESEND_AFTER_MS
 * (which meets the fault again) and, after the last re-send, MANUAL_REVIEW, never FAILED.
 * Written from the banks' published meanings, not from the services' mappings.
 */
export const EXPECTED_FINAL: Record<FaultMode, readonly string[]> = {
  latency: ["SUCCESS"],
  timeout: ["MANUAL_REVIEW"],
  // A 5xx with the bank's "system error" code (BNI 0900, BCA ESB-99-999, Mandiri 96): no bank says
  // nothing was booked under it, so it is unclear, as a timeout is; FAILED would let the app pay again.
  "error-before": ["MANUAL_REVIEW"],
  "error-after": ["SUCCESS"],
  reset: ["MANUAL_REVIEW"],
  "reset-after": ["SUCCESS"],
  "insufficient-funds": ["FAILED"],
  "invalid-account": ["FAILED"],
  cutoff: ["FAILED"],
  // Cut without an answer, booked out of sight 1.5 s after it arrived: "not found" at first, but
  // no re-send before GATEWAY_RESEND_AFTER_MS (4.5 s here), by when the inquiry finds the booking. A
  // re-send sooner would reach the bank while it still works on the first (a repeat, a problem).
  "book-late": ["SUCCESS"],
  // BNI and Mandiri publish no 429; their sandboxes send an API gateway's bare one, an answer their
  // services do not know: asked about and re-sent, like a timeout. BCA's is below (AT_BCA).
  "rate-limited": ["MANUAL_REVIEW"],
  // Answered "in progress" at once (BCA's ESB-82-025; BNI's and Mandiri's codes are ours), booked
  // 1.5 s later: PENDING to the app, and the inquiry says in progress until it finds the booking.
  "in-progress": ["SUCCESS"],
  // Booked at once, never answered: the bank service's time budget ends the call (PENDING), and
  // the first inquiry finds the booking.
  "timeout-after": ["SUCCESS"],
};

/** A fault that fires once (an admin rule): the same-id re-send finds the bank well and books. */
export const EXPECTED_FINAL_ONCE: Record<FaultMode, readonly string[]> = {
  ...EXPECTED_FINAL, timeout: ["SUCCESS"], reset: ["SUCCESS"], "error-before": ["SUCCESS"], "rate-limited": ["SUCCESS"],
};

/**
 * BCA publishes its 429 (ESB-14-010) as refused before any processing: not sent, FAILED 003 (this
 * app has no fallback), whether or not the fault would fire again.
 */
const AT_BCA: Partial<Record<FaultMode, readonly string[]>> = { "rate-limited": ["FAILED"] };

/** What a transfer meeting `mode` at `bank` must end as, from `table` (the fault staying, or firing once). */
export function expectedAt(bank: SandboxBank, mode: FaultMode, table: Record<FaultMode, readonly string[]>): readonly string[] {
  return (bank === "bca" ? AT_BCA[mode] : undefined) ?? table[mode];
}

export const INTRABANK: Record<SandboxBank, Destination> = { bni: "bni", bca: "bca", mandiri: "mandiri" };

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
        run.expectFinal(body, expectedAt(bank, mode, EXPECTED_FINAL), `magic account for ${mode} at ${bank}`);
        bodies.push(body);
      }
    }
  }
  run.faults += bodies.length;
  return run.sendAll(client, bodies, 12);
}

/**
 * Every fault mode through the sandbox's admin endpoint (`times: 1`), one request at a time,
 * after the resolver has settled everything earlier. A rule names no account, so it goes to the
 * next request the bank gets: before one is set at a bank, the transfer sent there before it is
 * final, or the resolver's re-send of it (a timeout, a reset) could take the rule meant for the
 * next one. Modes rotate over `banks`; with `everyBank`, every mode runs at every bank, the banks
 * taking turns so each waits little.
 */
export async function faultModesByAdminRule(run: FaultRun, client: AppClient, banks: readonly SandboxBank[], everyBank = false): Promise<AppAnswer[]> {
  await waitForResolver(run.db, RESOLVER_SETTLES_MS);
  const plan = everyBank ? FAULT_MODES.flatMap((mode) => banks.map((bank) => ({ bank, mode }))) : FAULT_MODES.map((mode, i) => ({ bank: banks[i % banks.length]!, mode }));
  const answers: AppAnswer[] = [];
  const lastSentTo = new Map<SandboxBank, string>();
  for (const { bank, mode } of plan) {
    const before = lastSentTo.get(bank);
    if (before !== undefined) {
      await waitForTransfers(run.db, [before], (t) => !NOT_FINAL.includes(t.state), RESOLVER_SETTLES_MS)
        .catch((error: unknown) => { run.problem(`admin rule ${mode} at ${bank}: ${String(error)}`); });
    }
    const admin = run.fs.sandbox(bank);
    await admin.addFault({ mode, times: 1, latencyMs: 800 });
    const body = run.body(INTRABANK[bank]);
    run.expectFinal(body, expectedAt(bank, mode, EXPECTED_FINAL_ONCE), `admin rule ${mode} at ${bank}`);
    run.faults++;
    answers.push(await run.send(client, body));
    // Only a recorded transfer can be re-sent (whatever the app heard); one refused before that leaves nothing to wait for.
    if (await readTransfer(run.db, body.clientReferenceNo) !== undefined) lastSentTo.set(bank, body.clientReferenceNo);
    // Most modes end as a plain transfer would: only the rule's use shows the fault was met.
    if ((await admin.faults()).length > 0) run.problem(`admin rule ${mode} at ${bank} was never used: ${body.clientReferenceNo} met no fault`);
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
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => run.send(clients[i % clients.length]!, body)));
  // Only the request whose insert won made the transfer; each other one must say it is a replay.
  const made = answers.filter((a) => a.kind === "answer" && a.referenceNumber !== undefined && a.replayed === false).length;
  if (made > 1) run.problem(`duplicate storm of ${n} (${body.clientReferenceNo}): ${made} answers said they made the transfer, not replayed`);
  return answers;
}

/** The distinct references a set of answers carried. */
export function referencesOf(answers: readonly AppAnswer[]): string[] {
  return [...new Set(answers.flatMap((a) => (a.kind === "answer" && a.referenceNumber !== undefined ? [a.referenceNumber] : [])))];
}

/**
 * The bank's status inquiry fails for a while (admin rules on the `status` endpoint) while
 * transfers wait for it (magic latency): the resolver keeps asking and finds the bookings. The
 * rules name the latency account, so only these transfers' inquiries meet them: the transfers in
 * MANUAL_REVIEW (other magic accounts) are asked about all along and would use them up otherwise.
 * Every rule must have been met by the time these transfers are resolved.
 */
export async function statusInquiryFaults(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  await waitForResolver(run.db, RESOLVER_SETTLES_MS); // earlier latency transfers at this bank are settled: asked no more
  const admin = run.fs.sandbox(bank);
  const account = magicAccount("latency");
  await admin.addFault({ mode: "error-before", endpoint: "status", times: 3, account });
  await admin.addFault({ mode: "reset", endpoint: "status", times: 2, account });
  await admin.addFault({ mode: "error-after", endpoint: "status", times: 2, account });
  const bodies = Array.from({ length: n }, () => run.body(INTRABANK[bank], "latency"));
  for (const b of bodies) run.expectFinal(b, ["SUCCESS"], `booked while ${bank}'s status inquiry was failing`);
  run.faults += n + 7;
  const answers = await run.sendAll(client, bodies, n);
  await waitForResolver(run.db, RESOLVER_SETTLES_MS);
  const unused = await admin.faults();
  if (unused.length > 0) run.problem(`status inquiry rules at ${bank} not all met by its transfers: ${JSON.stringify(unused)}`);
  await admin.clearFaults();
  return answers;
}
