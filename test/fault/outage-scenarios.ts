import type { AppAnswer, AppClient } from "./app-client";
import { RESOLVER_SETTLES_MS, type SandboxBank } from "./fault-system";
import type { FaultRun } from "./fault-run";
import { waitForResolver, waitUntilHeld } from "./ledger-read";
import { pause } from "./waits";
import { INTRABANK } from "./scenarios";

/**
 * A bank, or the service in front of it, down for a while, then back: transfers meanwhile are
 * refused before anything is sent, held PENDING, or (for apps that opted in) rerouted, never lost;
 * after the outage the breaker's probe lets traffic through again.
 */


/** A bank service stopped (SIGTERM) for a while, then restarted. */
export async function bankServiceOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  const component = `bank-${bank}` as const;
  await run.fs.system.stopComponent(component);
  run.faults += 1 + n;
  const during = await run.sendAll(client, Array.from({ length: n }, () => run.body(INTRABANK[bank])), 4);
  await run.fs.system.restart(component);
  return [...during, ...(await backAfterOutage(run, client, bank, n))];
}

/** The bank itself down: every endpoint (token and status included) answers `mode`, then the rule is cleared. */
export async function bankOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number, mode: "error-before" | "reset" = "error-before"): Promise<AppAnswer[]> {
  const admin = run.fs.sandbox(bank);
  await admin.addFault({ mode, endpoint: "all" });
  run.faults += n;
  const during = await run.sendAll(client, Array.from({ length: n }, () => run.body(INTRABANK[bank])), 4);
  await admin.clearFaults();
  return [...during, ...(await backAfterOutage(run, client, bank, n))];
}

/**
 * The bank's process stopped and started again. Its ledger lives in memory, so the run keeps a
 * copy of the bookings and of the request ids it got twice first, and waits for the resolver beforehand: a transfer still waiting
 * for an inquiry would otherwise ask a bank that has forgotten it.
 */
export async function bankProcessOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  await waitForResolver(run.db, RESOLVER_SETTLES_MS);
  const code = { bni: "009", bca: "014", mandiri: "800" }[bank];
  await run.snapshotSandbox(code);
  await run.fs.system.stopComponent(`sandbox-${bank}`);
  run.faults += 1 + n;
  const during = await run.sendAll(client, Array.from({ length: n }, () => run.body(INTRABANK[bank])), 4);
  await run.fs.system.restart(`sandbox-${bank}`);
  return [...during, ...(await backAfterOutage(run, client, bank, n))];
}

/** How long a bank may take to carry transfers again once it is back (breaker probe, channel reconnect). */
export const RECOVERY_BOUND_MS = 15_000;

/**
 * After an outage: transfers are sent one at a time until one succeeds (the breaker's probe, the
 * gRPC channel's reconnect), bounded by RECOVERY_BOUND_MS; then `n` more, which must all succeed.
 * The probes are real transfers: refused ones are FAILED "not sent" and are checked like the rest.
 */
async function backAfterOutage(run: FaultRun, client: AppClient, bank: SandboxBank, n: number): Promise<AppAnswer[]> {
  const answers: AppAnswer[] = [];
  const deadline = Date.now() + RECOVERY_BOUND_MS;
  for (;;) {
    const answer = await run.send(client, run.body(INTRABANK[bank]));
    answers.push(answer);
    if (answer.kind === "answer" && answer.status === "SUCCESS") break;
    if (Date.now() >= deadline) {
      run.problem(`${bank} did not carry a transfer within ${RECOVERY_BOUND_MS} ms after it was back (${answers.length} tries, last ${JSON.stringify(answer)})`);
      break;
    }
    await pause(500);
  }
  const after = Array.from({ length: n }, () => run.body(INTRABANK[bank]));
  for (const b of after) run.expectFinal(b, ["SUCCESS"], `${bank} is back after an outage and carried a transfer`);
  return [...answers, ...(await run.sendAll(client, after, 4))];
}

interface RoutedTransfer { route?: { bankCode?: string; usage?: string }; routing?: { reason?: string }[]; attempts?: { partnerBankCode?: string }[] }

/**
 * Fallback routing for an app that opted in (clients.fallbackRouting). First, BCA's service is
 * killed while its bank holds a call (ambiguous): that transfer stays with BCA and is resolved
 * there, never rerouted. Then BCA's service is down: transfers to BCA go interbank through BNI
 * and the decision is on the transfer. Returns what the ledger recorded for each group.
 */
export async function fallbackRouting(run: FaultRun, client: AppClient, n: number): Promise<{ unreachable: RoutedTransfer[]; ambiguous: RoutedTransfer[] }> {
  const clients = run.db.collection("clients");
  await clients.updateOne({ clientId: "3" }, { $set: { fallbackRouting: true } });
  try {
    await run.fs.registryReloaded(new Date());
    const held = run.body("bca", "latency");
    run.expectFinal(held, ["SUCCESS"], "ambiguous at BCA: resolved at BCA, never rerouted");
    run.faults++;
    const answer = run.send(client, held);
    await waitUntilHeld(run.fs.sandbox("bca"), held, 10_000); // the sandbox holds it for 3 s, the service waits up to 1.5 s: kill it meanwhile
    await run.fs.system.kill("bank-bca");
    await answer;

    run.faults += 1 + n;
    const rerouted = Array.from({ length: n }, () => run.body("bca"));
    for (const b of rerouted) run.expectFinal(b, ["SUCCESS"], "BCA's service down, fallback through BNI");
    await run.sendAll(client, rerouted, 4);
    await run.fs.system.restart("bank-bca");

    const read = async (clientReferenceNo: string) => (await run.db.collection<RoutedTransfer>("transfers").findOne({ clientReferenceNo })) ?? {};
    return {
      unreachable: await Promise.all(rerouted.map((b) => read(b.clientReferenceNo))),
      ambiguous: [await read(held.clientReferenceNo)],
    };
  } finally {
    await clients.updateOne({ clientId: "3" }, { $set: { fallbackRouting: false } });
    // Said as a problem, not thrown: a throw here would hide whatever failed above.
    await run.fs.registryReloaded(new Date()).catch((error: unknown) => { run.problem(`fallback switched off, but: ${String(error)}`); });
  }
}
