import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, repoRoot } from "@gerbang/shared";
import { testDatabaseUri } from "../../../test/database";
import { appToken, crashedTransfer, pastResendWait, startHarness, type Harness } from "./gateway-harness";
import { createTransferStore } from "./transfer-store";
import type { Failpoint } from "./failpoints";

// The gateway as a real process (main.ts, as scripts/system.ts runs it) with GATEWAY_FAILPOINT
// set, on the test database and the fake banks of a harness: it must SIGKILL itself at exactly
// that step, leave the ledger in the matching state, and a surviving instance's resolver must
// then finish the transfer with the bank booking it exactly once.

let h: Harness;
beforeAll(async () => { h = await startHarness("gw_failpoint"); });
afterAll(async () => { await h.close(); });
// A failpoint that did not fire leaves its gateway running: it must not outlive its test.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** `mayDieFirst`: a resolver's failpoint may fire before the servers listen; a request path's never does. */
async function startGatewayProcess(failpoint: Failpoint, env: Record<string, string> = {}, mayDieFirst = false): Promise<{ child: ChildProcess; url: string; exited: Promise<NodeJS.Signals | null> }> {
  const [httpPort, grpcPort] = await Promise.all([freePort(), freePort()]);
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "services/gateway/src/main.ts")], {
    cwd: repoRoot,
    env: {
      ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DATABASE: h.connection.name, LOG_LEVEL: "silent",
      GATEWAY_HTTP_PORT: String(httpPort), GATEWAY_GRPC_PORT: String(grpcPort), GATEWAY_OPS_PORT: "0", GATEWAY_FAILPOINT: failpoint,
      GATEWAY_RESOLVER_ENABLED: "false", GATEWAY_BANK_DEADLINE_MS: "2000", GATEWAY_LEASE_MS: "6000", ...env,
    },
    stdio: "ignore",
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => { child.once("exit", (_code, signal) => { resolve(signal); }); });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} before listening`);
    if (child.signalCode !== null && mayDieFirst) return { child, url, exited };
    if (child.signalCode !== null) throw new Error(`gateway killed by ${child.signalCode} before listening`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { child, url, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error("gateway process did not listen within 30 s");
}

const cases: [Failpoint, string, boolean][] = [
  // failpoint, ledger state left behind, whether the bank had booked it when the process died
  ["after-record", "SENDING", false],
  ["after-sending-mark", "SENDING", true],
  ["after-bank-answer", "SENDING", true],
  ["before-reply", "SUCCESS", true],
];

describe("GATEWAY_FAILPOINT: the gateway process kills itself at each step of a transfer", () => {
  it.each(cases)("%s: killed, ledger %s, then resolved with exactly one booking", async (failpoint, leftState, booked) => {
    // after-sending-mark: the bank takes 1.5 s (within the 2 s deadline), so the process dies
    // SENDING_MARK_SETTLE_MS after sending, while the call is at the bank, which books it anyway.
    h.banks["014"].setMode("SUCCESS", failpoint === "after-sending-mark" ? 1_500 : 0);
    const gateway = await startGatewayProcess(failpoint);
    const body = { clientReferenceNo: `FP-${failpoint}-${Date.now()}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK", amount: "7000" };
    const answer = await fetch(`${gateway.url}/api/v1/transfers`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body })}` }, body: JSON.stringify(body),
    }).then((r) => `HTTP ${r.status}`, (error: unknown) => String(error));
    expect(answer).toMatch(/fetch failed/); // no reply: the process died first
    expect(await gateway.exited).toBe("SIGKILL");

    const transfers = h.connection.db!.collection("transfers");
    const doc = await transfers.findOne({ clientReferenceNo: body.clientReferenceNo });
    expect(doc?.state).toBe(leftState);
    const reference = doc?.referenceNumber as string;
    for (let waited = 0; waited < 3_000 && booked && h.banks["014"].recorded(reference, 1) === undefined; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(h.banks["014"].recorded(reference, 1) === "SUCCESS").toBe(booked);

    // The dead instance's lease runs out and GATEWAY_RESEND_AFTER_MS passes (made so here instead of
    // waiting: the attempt may have left before the process died), and this instance's resolver takes over.
    const past = pastResendWait();
    await transfers.updateOne({ referenceNumber: reference }, { $set: { leaseUntil: past, nextCheckAt: past, "attempts.0.sentAt": past } });
    await h.gateway.resolver.runOnce();
    expect(await transfers.findOne({ referenceNumber: reference })).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, outcome: "SUCCESS" }] });
    expect(h.banks["014"].bookings(reference)).toBe(1);
    // Bookings alone cannot see a repeat of attempt 1 (the bank answers it "duplicate" and books
    // nothing): the calls say it was sent once, by whichever instance sent it.
    expect(h.banks["014"].calls.filter((c) => c.referenceNumber === reference).map((c) => c.attempt)).toEqual([1]);
  }, 60_000);
});

describe("GATEWAY_FAILPOINT: the resolver's re-send, killed at each step", () => {
  // A transfer a crash left SENDING before its bank call (the bank never saw it), its lease run out
  // and sent longer than GATEWAY_RESEND_AFTER_MS ago: the process's own resolver (the only one
  // running: the harness's is off) asks the bank (not found) and re-sends it under the same id.
  it.each([
    // failpoint, whether the bank had booked it when the process died
    ["resend-recorded", false],
    ["resend-answered", true],
  ] as const)("%s: killed, the re-send's answer not recorded, then resolved with exactly one booking", async (failpoint, booked) => {
    h.banks["014"].setMode("SUCCESS");
    const past = pastResendWait();
    const referenceNumber = `FPR${Date.now()}`;
    const record = crashedTransfer({ referenceNumber, clientReferenceNo: `FP-${failpoint}-${Date.now()}`, amount: "7100", sentAt: past, leaseOwner: "gateway-dead", leaseUntil: past, nextCheckAt: past });
    expect(await (await createTransferStore(h.connection)).insert(record)).toBe("inserted");
    const gateway = await startGatewayProcess(failpoint, { GATEWAY_RESOLVER_ENABLED: "true", GATEWAY_RESOLVER_INTERVAL_MS: "100" }, true);
    const transfers = h.connection.db!.collection("transfers");
    const timeout = new Promise<string>((resolve) => { setTimeout(resolve, 20_000, "still running after 20 s").unref(); });
    const ended = await Promise.race([gateway.exited, timeout]);
    if (ended !== "SIGKILL") throw new Error(`the process was not killed at ${failpoint} (${String(ended)}); the transfer: ${JSON.stringify(await transfers.findOne({ referenceNumber }))}`);


    const doc = await transfers.findOne({ referenceNumber });
    // The re-send was recorded (its time, under the dead process's lease) and nothing after it.
    expect(doc).toMatchObject({ state: "SENDING", attempts: [{ attempt: 1 }] });
    const [resent] = doc?.attempts as { outcome?: string; sentAt: Date }[];
    expect(resent).not.toHaveProperty("outcome");
    expect(resent?.sentAt.getTime()).toBeGreaterThan(past.getTime());
    expect(h.banks["014"].recorded(referenceNumber, 1) === "SUCCESS").toBe(booked);

    // The dead instance's lease runs out and the re-send's own wait passes (made so here), and this
    // instance's resolver takes over: it finds the booking, or re-sends once more under the same id.
    const later = pastResendWait();
    await transfers.updateOne({ referenceNumber }, { $set: { leaseUntil: later, nextCheckAt: later, "attempts.0.sentAt": later } });
    await h.gateway.resolver.runOnce();
    expect(await transfers.findOne({ referenceNumber })).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, outcome: "SUCCESS" }] });
    expect(h.banks["014"].bookings(referenceNumber)).toBe(1);
    // One call of attempt 1 either way: the dead process's re-send (resend-answered), else the survivor's (resend-recorded).
    expect(h.banks["014"].calls.filter((c) => c.referenceNumber === referenceNumber).map((c) => c.attempt)).toEqual([1]);
  }, 60_000);
});
