import { createAppClient, type AppAnswer, type TransferBody } from "./app-client";
import { FAULT_TIMINGS, RESOLVER_SETTLES_MS, type SandboxBank } from "./fault-system";
import { PLAIN_DESTINATIONS, sandboxOf, type Destination, type FaultRun } from "./fault-run";
import { readTransfer, sameTransfer, waitForResolver, waitForTransfers, waitUntilHeld } from "./ledger-read";
import { killedWithin } from "./service-process";
import { pause, waitUntil } from "./waits";

/**
 * Scenarios with crashes: kill -9 of a gateway at each step of a transfer (GATEWAY_FAILPOINT) and
 * under load, kill -9 of a bank service mid-call, a database restart mid-load, a second gateway
 * instance killed while it holds leases, a graceful stop under load. After each, the app does
 * what a real app does (asks again with the same clientReferenceNo) and the resolver finishes.
 */

export type GatewayFailpoint = "after-record" | "after-sending-mark" | "after-bank-answer" | "before-reply";
export const GATEWAY_FAILPOINTS: readonly GatewayFailpoint[] = ["after-record", "after-sending-mark", "after-bank-answer", "before-reply"];

/**
 * What a transfer must end as after its gateway died at that step. Recorded but never sent: the
 * bank has no record, so it may be sent again under the same bank-side id and succeeds. Sent, the
 * bank still working on it (a magic latency account: on loopback an answer would otherwise come
 * before the failpoint's 1 s mark, and the step would be after-bank-answer's): the bank books it
 * and the inquiry finds it. Later steps: the bank booked.
 */
const AFTER_FAILPOINT: Record<GatewayFailpoint, readonly string[]> = {
  "after-record": ["SUCCESS"],
  "after-sending-mark": ["SUCCESS"],
  "after-bank-answer": ["SUCCESS"],
  "before-reply": ["SUCCESS"],
};

const FAILPOINT_DEATH_MS = 15_000;

/**
 * What the ledger and the bank show of a transfer right after its gateway died, before anything
 * can move it (the dead instance's lease holds it from the others): every step ends SUCCESS, so
 * only this shows the kill landed at its step, not before or after it.
 */
async function leftAt(run: FaultRun, bank: SandboxBank, body: TransferBody): Promise<{ state: string; answered: boolean; reachedBank: boolean; booked: boolean }> {
  const transfer = await readTransfer(run.db, body.clientReferenceNo);
  const same = sameTransfer(body);
  const admin = run.fs.sandbox(bank);
  const booked = (await admin.ledger()).some(same);
  return {
    state: transfer?.state ?? "not recorded",
    answered: transfer?.attempts[0]?.outcome !== undefined,
    reachedBank: booked || (await admin.held()).some(same),
    booked,
  };
}

/**
 * A call the gateway handed on just before it died may still be on its way to the bank (through
 * the bank service): for after-sending-mark, whether it arrives is watched for 2 s (the bank holds
 * it 3 s), not judged at once on a slow machine. Not longer: the dead gateway's lease (5.5 s from
 * the record) must still hold it, or another's re-send could be what reaches the bank.
 */
async function leftAtWatching(run: FaultRun, bank: SandboxBank, body: TransferBody, point: GatewayFailpoint) {
  let left = await leftAt(run, bank, body);
  for (let waited = 0; point === "after-sending-mark" && !left.reachedBank && waited < 2_000; waited += 100) {
    await pause(100);
    left = await leftAt(run, bank, body);
  }
  return left;
}

/** What each step must leave behind when the gateway dies there. */
const LEFT_AT: Record<GatewayFailpoint, Partial<Awaited<ReturnType<typeof leftAt>>>> = {
  "after-record": { state: "SENDING", answered: false, reachedBank: false, booked: false },
  // At the bank (held for 3 s: magic latency) when the gateway dies, 1 s after it left; booked or
  // not by the time it is read, on a slow machine.
  "after-sending-mark": { state: "SENDING", answered: false, reachedBank: true },
  "after-bank-answer": { state: "SENDING", answered: false, reachedBank: true, booked: true },
  "before-reply": { state: "SUCCESS", answered: true, reachedBank: true, booked: true },
};

/** A gateway with GATEWAY_FAILPOINT takes one transfer and must SIGKILL itself; a fresh one is started and the app asks again. */
export async function gatewayFailpoint(run: FaultRun, point: GatewayFailpoint, to: Destination): Promise<{ died: boolean; first: AppAnswer; again: AppAnswer }> {
  const doomed = await run.fs.spawnGateway(`gateway-failpoint-${point}`, { GATEWAY_FAILPOINT: point });
  const body = point === "after-sending-mark" ? run.body(to, "latency") : run.body(to);
  run.expectFinal(body, AFTER_FAILPOINT[point], `gateway killed at ${point}`);
  run.faults++;
  const first = await run.send(createAppClient(doomed.origin, FAULT_TIMINGS.appTimeoutMs), body);
  const died = await killedWithin(doomed, FAILPOINT_DEATH_MS);
  if (!died) await doomed.kill();
  const left = await leftAtWatching(run, sandboxOf(to), body, point);
  if (Object.entries(LEFT_AT[point]).some(([what, expected]) => left[what as keyof typeof left] !== expected)) {
    run.problem(`gateway killed at ${point} (${body.clientReferenceNo}) left ${JSON.stringify(left)}, not ${JSON.stringify(LEFT_AT[point])}: the kill did not land at its step`);
  }
  const restarted = await run.fs.spawnGateway(`gateway-after-${point}`);
  const again = await run.send(createAppClient(restarted.origin, FAULT_TIMINGS.appTimeoutMs), body);
  // Graceful stop: it hands back its leases, so the system's gateway resolves the rest.
  await restarted.stop();
  return { died, first, again };
}

/** kill -9 of the system's gateway with `n` transfers in flight; restart; the apps ask again. */
export function gatewayKillUnderLoad(run: FaultRun, n: number): Promise<AppAnswer[]> {
  return gatewayDownUnderLoad(run, n, "kill -9", () => run.fs.gateway.kill(), { cutsRequests: true });
}

/** SIGTERM of the system's gateway with transfers in flight: it finishes or hands back what it holds; restart. */
export function gatewayGracefulStopUnderLoad(run: FaultRun, n: number): Promise<AppAnswer[]> {
  return gatewayDownUnderLoad(run, n, "SIGTERM", () => run.fs.gateway.stop(), { cutsRequests: false });
}

/**
 * Takes the system's gateway down once a third of `n` transfers were answered, restarts it, and lets
 * the apps ask again. `cutsRequests`: the way down leaves requests unanswered (kill -9, with 10 in
 * flight); one that cut none tested nothing, and is a problem.
 */
async function gatewayDownUnderLoad(run: FaultRun, n: number, how: string, takeDown: () => Promise<void>, o: { cutsRequests: boolean }): Promise<AppAnswer[]> {
  const app = run.fs.app;
  const before = run.sent.length;
  const bodies = plainBodies(run, n);
  const load = run.sendAll(app, bodies, 10);
  await waitUntil(() => run.sent.length - before >= n / 3, 60_000, `a third of the load answered before ${how}`);
  await takeDown();
  run.faults++;
  await load;
  await run.fs.gateway.restart();
  const cut = countUnanswered(run, before);
  if (o.cutsRequests && cut === 0) run.problem(`${how} under load left no request unanswered: it met no request, the scenario proved nothing`);
  run.faults += cut;
  await run.retryUnanswered(app);
  return run.latest(bodies);
}

/**
 * kill -9 of a bank service while the bank holds the call (magic latency account, 3 s): the
 * gateway must not read the dropped call as "not sent"; the bank books; the resolver finds it.
 */
export async function bankServiceKillMidCall(run: FaultRun, bank: SandboxBank): Promise<AppAnswer> {
  const body = run.body(bank, "latency");
  run.expectFinal(body, ["SUCCESS"], `bank-${bank} killed while the bank held the call`);
  run.faults++;
  const answer = run.send(run.fs.app, body);
  // The sandbox holds the call for 3 s, the bank service waits up to 1.5 s: kill it meanwhile.
  await waitUntilHeld(run.fs.sandbox(bank), body, 10_000);
  await run.fs.system.kill(`bank-${bank}`);
  const answered = await answer;
  await run.fs.system.restart(`bank-${bank}`);
  return answered;
}

/** A bank service with BANK_FAILPOINT=after-bank-answer dies once the bank has answered; the normal one comes back. */
export async function bankServiceFailpoint(run: FaultRun, bank: SandboxBank): Promise<{ died: boolean; answer: AppAnswer }> {
  // Only this scenario's transfer may reach the doomed service: a resolver's re-send of an earlier
  // scenario's transfer would fire its failpoint first (seen once: a re-send killed it, and this
  // transfer found the service gone, FAILED "not sent"). Nothing open, nothing re-sent.
  const open = await waitForResolver(run.db, RESOLVER_SETTLES_MS);
  if (open.length > 0) run.problem(`bank-${bank} failpoint: ${open.length} transfer(s) still open after ${RESOLVER_SETTLES_MS} ms, whose re-sends could reach the doomed service first`);
  await run.fs.system.kill(`bank-${bank}`);
  const doomed = await run.fs.spawnBankService(bank, { BANK_FAILPOINT: "after-bank-answer" });
  // The gateway's channel to the killed service is in reconnect backoff (at most the breaker's
  // reset time, +20% jitter): a transfer sent in it is refused "not sent" at once and never reaches
  // the doomed service (seen once: FAILED, and the service lived). Past it, the channel connects.
  await pause(3 * FAULT_TIMINGS.breakerResetMs);
  const body = run.body(bank);
  run.expectFinal(body, ["SUCCESS"], `bank-${bank} killed after the bank answered`);
  run.faults++;
  const answer = await run.send(run.fs.app, body);
  const died = await killedWithin(doomed, FAILPOINT_DEATH_MS);
  if (!died) await doomed.kill();
  const left = await leftAt(run, bank, body);
  if (!left.booked) run.problem(`bank-${bank} killed after the bank answered (${body.clientReferenceNo}), yet the bank has not booked it: the kill did not land after the bank's answer`);
  await run.fs.system.restart(`bank-${bank}`);
  return { died, answer };
}

/** The database stops and comes back while `n` transfers are being sent; the apps ask again afterwards. */
export async function databaseRestartMidLoad(run: FaultRun, n: number, downMs: number): Promise<AppAnswer[]> {
  const app = run.fs.app;
  const before = run.sent.length;
  const bodies = plainBodies(run, n);
  const load = run.sendAll(app, bodies, 6);
  await waitUntil(() => run.sent.length - before >= n / 4, 60_000, "a quarter of the load answered before the database restart");
  await run.fs.system.restartDatabase(downMs);
  run.faults++;
  await load;
  run.faults += countUnanswered(run, before);
  await run.retryUnanswered(app);
  return run.latest(bodies);
}

/**
 * A second gateway instance takes transfers the bank holds (latency), then dies with their leases:
 * the system's gateway takes them over once the leases expire, and nothing is booked twice.
 */
export async function secondInstanceKilledHoldingLeases(run: FaultRun, n: number): Promise<AppAnswer[]> {
  const second = await run.fs.spawnGateway("gateway-second-killed");
  const client = createAppClient(second.origin, FAULT_TIMINGS.appTimeoutMs);
  const banks: SandboxBank[] = ["bni", "bca", "mandiri"];
  const bodies = Array.from({ length: n }, (_, i) => run.body(banks[i % banks.length]!, "latency"));
  for (const b of bodies) run.expectFinal(b, ["SUCCESS"], "held by a gateway instance that was killed");
  const load = run.sendAll(client, bodies, n);
  await waitForTransfers(run.db, bodies.map((b) => b.clientReferenceNo), (t) => t.state === "SENDING", 15_000);
  await second.kill();
  run.faults += 1 + n;
  await load;
  await run.retryUnanswered(run.fs.app);
  return run.latest(bodies);
}

function plainBodies(run: FaultRun, n: number): TransferBody[] {
  return Array.from({ length: n }, (_, i) => run.body(PLAIN_DESTINATIONS[i % PLAIN_DESTINATIONS.length]!));
}

function countUnanswered(run: FaultRun, from: number): number {
  return run.sent.slice(from).filter(({ answer }) => answer.kind === "none" || answer.httpStatus >= 500).length;
}

