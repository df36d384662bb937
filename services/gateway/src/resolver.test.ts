import { jakartaDate, jakartaDaysBefore } from "@gerbang/shared";
import { createClientStore } from "./client-store";
import { crashedTransfer, keepClearOfJakartaMidnight, LOCAL, startHarness, testSettings, until, updateMentions, withLedgerFault, type Harness } from "./gateway-harness";
import { MAX_RESENDS, neverLeft } from "./resolver-decision";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";
import { statusOf } from "./transfer-view";
import type { TransferState } from "./transfer-states";

// The resolver against the real database and fake bank services on loopback: transfers are put in
// the ledger as a crash or an unclear answer would leave them, then resolver rounds are run by hand
// (the loop is off in tests) and the ledger and the fake banks' own ledgers are checked.

let h: Harness;
let ledger: TransferStore;
beforeAll(async () => {
  h = await startHarness("gw_resolver", { pendingRecheckMs: 1, resolverBackoffMs: [1], resendAfterMs: 30_000, manualReviewAfterMs: 60_000 });
  ledger = await createTransferStore(h.connection);
});
afterAll(async () => { await h.close(); });
keepClearOfJakartaMidnight();
beforeEach(() => { h.resetBanks(); });

let seq = 0;
const past = (ms: number) => new Date(Date.now() - ms);

/**
 * Sent this long ago, an attempt a crash left without an outcome is re-sent on NOT_FOUND: it is past
 * GATEWAY_RESEND_AFTER_MS (30 s here), for it may have left before the crash.
 */
const CRASHED_AGO_MS = 31_000;

/** A transfer to 014 as the request path writes it, left as a crash (no outcome) or an unclear answer leaves it. */
async function leftBehind(o: { state?: TransferState; outcome?: "PENDING" | "NO_ANSWER" | "NOT_SENT"; sentAgoMs?: number; leaseOwner?: string; leaseUntil?: Date; transactionDate?: string } = {}): Promise<TransferRecord> {
  seq++;
  const sentAt = past(o.sentAgoMs ?? (o.outcome === undefined ? CRASHED_AGO_MS : 5_000));
  const record = crashedTransfer({
    referenceNumber: `RSV${Date.now()}${seq}`, clientReferenceNo: `RSV-${Date.now()}-${seq}`, amount: String(10_000 + seq), sentAt,
    leaseOwner: o.leaseOwner ?? "gateway-dead", leaseUntil: o.leaseUntil ?? past(1_000), nextCheckAt: past(1_000),
    ...(o.transactionDate === undefined ? {} : { transactionDate: o.transactionDate }),
  });
  expect(await ledger.insert(record)).toBe("inserted");
  if (o.outcome !== undefined || (o.state !== undefined && o.state !== "SENDING")) {
    const to = o.state ?? "PENDING";
    await ledger.transition((await ledger.findByReference("3", record.referenceNumber))!, to, {
      ...(o.outcome === undefined ? {} : { answer: { attempt: 1, outcome: o.outcome } }), lease: null, nextCheckAt: past(1_000),
      ...(to === "MANUAL_REVIEW" ? { reviewReason: "test" } : {}),
    }, new Date());
  }
  return (await ledger.findByReference("3", record.referenceNumber))!;
}

const read = async (t: TransferRecord) => (await ledger.findByReference("3", t.referenceNumber))!;
const bca = () => h.banks["014"];
const asked = (t: TransferRecord) => bca().statusCalls.filter((c) => c.referenceNumber === t.referenceNumber).length;
const sent = (t: TransferRecord) => bca().calls.filter((c) => c.referenceNumber === t.referenceNumber);

describe("resolver: transfers a crash left behind", () => {
  it("re-sends an attempt the bank never saw (crash after recording) with the same attempt number, once", async () => {
    const t = await leftBehind();
    await h.gateway.resolver.runOnce();
    const after = await read(t);
    expect(after).toMatchObject({ state: "SUCCESS", bankResponseCode: "00" });
    expect(after.leaseOwner).toBeUndefined();
    expect(after.nextCheckAt).toBeUndefined();
    expect(asked(t)).toBe(1);
    expect(sent(t).map((c) => c.attempt)).toEqual([1]);
    expect(bca().bookings(t.referenceNumber)).toBe(1);
  });

  it("does not re-send a crashed attempt sooner than GATEWAY_RESEND_AFTER_MS after it was sent: it may have left before the crash", async () => {
    const t = await leftBehind({ sentAgoMs: 5_000 });
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING", checks: 1 });
    expect(asked(t)).toBe(1);
    expect(sent(t)).toHaveLength(0);
  });

  it("takes the bank's SUCCESS for a transfer booked before the crash, without sending it again", async () => {
    const t = await leftBehind();
    bca().settle(t.referenceNumber, 1, "SUCCESS");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, outcome: "SUCCESS" }] });
    expect(sent(t)).toHaveLength(0);
  });

  it("takes the bank's explicit FAILED as final", async () => {
    const t = await leftBehind({ outcome: "NO_ANSWER" });
    bca().settle(t.referenceNumber, 1, "FAILED");
    await h.gateway.resolver.runOnce();
    expect((await read(t)).state).toBe("FAILED");
  });

  it("leaves a transfer alone while another instance's lease runs", async () => {
    const t = await leftBehind({ leaseOwner: "gateway-alive", leaseUntil: new Date(Date.now() + 60_000) });
    await h.gateway.resolver.runOnce();
    expect(asked(t)).toBe(0);
    expect((await read(t)).state).toBe("SENDING");
  });
});

describe("resolver: PENDING and NOT_FOUND", () => {
  it("asks a PENDING transfer again on the backoff schedule until the bank finishes it", async () => {
    const t = await leftBehind({ outcome: "PENDING" });
    bca().settle(t.referenceNumber, 1, "PENDING");
    await h.gateway.resolver.runOnce();
    const waiting = await read(t);
    expect(waiting).toMatchObject({ state: "PENDING", checks: 1 });
    // The first re-check (checks 1) waits resolverBackoffMs[0] = 1 ms (this file's policy) from the
    // round's clock, which the same write stores as updatedAt.
    expect(waiting.nextCheckAt!.getTime() - waiting.updatedAt.getTime()).toBe(1);
    bca().settle(t.referenceNumber, 1, "SUCCESS");
    await new Promise((resolve) => setTimeout(resolve, 5)); // the 1 ms backoff has passed
    await h.gateway.resolver.runOnce();
    expect((await read(t)).state).toBe("SUCCESS");
    expect(asked(t)).toBe(2);
    expect(sent(t)).toHaveLength(0);
  });

  it("never re-sends or fails an attempt known to have left that the bank does not find while the bank may still book it: it waits", async () => {
    const t = await leftBehind({ outcome: "NO_ANSWER" }); // sent 5 s ago; GATEWAY_RESEND_AFTER_MS is 30 s here
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING", checks: 1 });
    expect(sent(t)).toHaveLength(0);
  });

  it("judges a slow \"not found\" by when the bank was asked: asked before GATEWAY_RESEND_AFTER_MS, answered after, it waits", async () => {
    // An instance whose deadline outlasts the slow answer (the harness's 2 s would cut it off: no answer, nothing learnt).
    const patient = await h.startAnother({ bankDeadlineMs: 10_000, leaseMs: 20_000 });
    const t = await leftBehind({ outcome: "NO_ANSWER", sentAgoMs: 25_000 });
    bca().setStatusMode("ledger", 6_000); // NOT_FOUND, given 6 s later: asked at ~25 s (setting up may take up to 5 s on a loaded machine), answered at ~31 s
    await patient.resolver.runOnce();
    expect(asked(t)).toBe(1);
    expect(h.logs.some((line) => line.includes(t.referenceNumber) && line.includes("\"inquiry\":\"NOT_FOUND\"") && line.includes("\"decision\":\"wait\""))).toBe(true);
    expect(sent(t)).toHaveLength(0);
    expect(await read(t)).toMatchObject({ state: "PENDING", checks: 1 });
  });

  it("re-sends it, same attempt and bank-side id, once GATEWAY_RESEND_AFTER_MS have passed and the bank still does not know it", async () => {
    const t = await leftBehind({ outcome: "NO_ANSWER", sentAgoMs: 31_000 }); // a timeout whose request never got to the bank's books
    await h.gateway.resolver.runOnce();
    expect(sent(t).map((c) => c.attempt)).toEqual([1]);
    expect(await read(t)).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, outcome: "SUCCESS", resends: 1 }] });
    expect(bca().bookings(t.referenceNumber)).toBe(1);
    // The re-send's service token ends with the resolver's lease (6 s in the harness), not after 60 s.
    expect((bca().tokenExpiresAt(sent(t)[0]!) ?? Infinity) - Date.now() / 1000).toBeLessThanOrEqual(testSettings().leaseMs / 1000);
  });

  it("takes it to MANUAL_REVIEW past the horizon, with the reason, an alert line and the counter", async () => {
    const t = await leftBehind({ outcome: "NO_ANSWER", sentAgoMs: 3_600_000 });
    await h.gateway.resolver.runOnce();
    const reviewed = await read(t);
    expect(reviewed.state).toBe("MANUAL_REVIEW");
    expect(reviewed.reviewReason).toMatch(/attempt 1 at bank 014 unresolved .* the bank has no record of it/);
    expect(sent(t)).toHaveLength(0);
    const alert = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.alert === "manual-review" && l.referenceNumber === t.referenceNumber);
    expect(alert).toMatchObject({ level: 50, bankCode: "014" });
    const metrics = await h.metrics();
    expect(metrics).toMatch(/gerbang_gateway_manual_review_total\{bank="014"\} [1-9]/);
    expect(metrics).toMatch(/gerbang_gateway_unresolved_transfers\{state="MANUAL_REVIEW"\} [1-9]/);
  });

  it("keeps asking a MANUAL_REVIEW transfer slowly and settles it on an explicit answer", async () => {
    const t = await leftBehind({ state: "MANUAL_REVIEW", outcome: "NO_ANSWER" });
    await h.gateway.resolver.runOnce();
    const still = await read(t);
    expect(still.state).toBe("MANUAL_REVIEW");
    expect(still.nextCheckAt!.getTime()).toBeGreaterThan(Date.now() + 30_000); // backoff max (60 s by default)
    expect(await ledger.amend(still, "gateway-test", { nextCheckAt: past(1) }, new Date())).toBeUndefined(); // not its lease: no change
    expect((await read(t)).nextCheckAt!.getTime()).toBeGreaterThan(Date.now());
    bca().settle(t.referenceNumber, 1, "SUCCESS");
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1) } });
    await h.gateway.resolver.runOnce();
    expect((await read(t)).state).toBe("SUCCESS");
    expect(sent(t)).toHaveLength(0);
  });

  it("says so when the bank's explicit answer comes after another write: it is logged, not lost without a trace", async () => {
    // An instance whose deadline outlasts the held answer on a loaded machine (the harness's 2 s could cut it off: nothing learnt, nothing logged).
    const patient = await h.startAnother({ bankDeadlineMs: 10_000, leaseMs: 20_000 });
    const t = await leftBehind({ state: "MANUAL_REVIEW", outcome: "NO_ANSWER" });
    bca().settle(t.referenceNumber, 1, "SUCCESS");
    const answer = bca().holdStatus();
    const round = patient.resolver.runOnce();
    await until("the bank is asked", () => asked(t) === 1);
    // Meanwhile something else writes the transfer (a person's settlement, another instance).
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $inc: { rev: 1 } });
    answer();
    await round;
    expect((await read(t)).state).toBe("MANUAL_REVIEW");
    expect(h.logs.some((line) => line.includes(t.referenceNumber) && line.includes("\"bankSaid\":\"SUCCESS\"") && line.includes("the bank's explicit answer could not be recorded"))).toBe(true);
  });

  it("asks a transfer in MANUAL_REVIEW less often the longer it waits: a tenth of the time since it was sent, at most GATEWAY_REVIEW_CHECK_MAX_MS", async () => {
    const hour = 3_600_000;
    const pauseAfterInquiry = async (o: { state?: TransferState; sentAgoMs: number }) => {
      const t = await leftBehind({ state: o.state ?? "MANUAL_REVIEW", outcome: "NO_ANSWER", sentAgoMs: o.sentAgoMs });
      await h.gateway.resolver.runOnce();
      const after = await read(t);
      expect(after.state).toBe("MANUAL_REVIEW");
      return after.nextCheckAt!.getTime() - after.updatedAt.getTime();
    };
    // A tenth of the time since it was sent, which includes the inquiry's own few milliseconds.
    const expectATenth = (pauseMs: number, sentAgoMs: number) => {
      expect(pauseMs).toBeGreaterThanOrEqual(sentAgoMs / 10);
      expect(pauseMs).toBeLessThanOrEqual(sentAgoMs / 10 + 1_000);
    };
    expectATenth(await pauseAfterInquiry({ state: "PENDING", sentAgoMs: hour }), hour); // entering review past the horizon
    expectATenth(await pauseAfterInquiry({ sentAgoMs: 5 * hour }), 5 * hour);
    expect(await pauseAfterInquiry({ sentAgoMs: 48 * hour })).toBe(hour); // the 1 h default cap
    expect(await pauseAfterInquiry({ sentAgoMs: 60_000 })).toBe(60_000); // never below GATEWAY_RESOLVER_BACKOFF_MAX_MS
  });

  it("sends a BCA TransactionID collision to MANUAL_REVIEW at once, never as a new attempt", async () => {
    const t = await leftBehind({ outcome: "PENDING" });
    bca().setStatusMode("collision");
    await h.gateway.resolver.runOnce();
    const reviewed = await read(t);
    expect(reviewed).toMatchObject({ state: "MANUAL_REVIEW", attempts: [{ attempt: 1 }] });
    expect(reviewed.reviewReason).toMatch(/collision/);
    expect(sent(t)).toHaveLength(0);
  });

  it("keeps a reviewed transfer's attempt as it was when BCA says its TransactionID holds another transfer", async () => {
    const t = await leftBehind({ state: "MANUAL_REVIEW", outcome: "NOT_SENT" });
    bca().setStatusMode("collision");
    try {
      await h.gateway.resolver.runOnce();
    } finally {
      bca().setStatusMode("ledger");
    }
    expect(asked(t)).toBe(1);
    // That PENDING is about someone else's transfer: this attempt's "not sent" is what a person needs.
    expect(await read(t)).toMatchObject({ state: "MANUAL_REVIEW", checks: 1, attempts: [{ attempt: 1, outcome: "NOT_SENT" }] });
    expect(sent(t)).toHaveLength(0);
  });

  it("waits when the bank service cannot be asked, and does not touch the attempt", async () => {
    const t = await leftBehind();
    bca().setStatusMode("unavailable");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING", checks: 1 });
    expect((await read(t)).attempts[0]!.outcome).toBeUndefined();
    expect(sent(t)).toHaveLength(0);
  });

  it("takes a failed inquiry (UNKNOWN) as no proof the attempt left: a crash before sending is still re-sent once the bank says NOT_FOUND", async () => {
    const t = await leftBehind();
    bca().setStatusMode("unknown");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING", checks: 1 });
    expect((await read(t)).attempts[0]!.outcome).toBeUndefined(); // a PENDING from the bank would have been kept as proof
    bca().setStatusMode("ledger");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "SUCCESS" });
    expect(sent(t).map((c) => c.attempt)).toEqual([1]);
    expect(bca().bookings(t.referenceNumber)).toBe(1);
  });

  it("keeps a re-send that could not be sent PENDING (the original may still land), never FAILED", async () => {
    const t = await leftBehind();
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect((await read(t)).state).toBe("PENDING");
    bca().setMode("SUCCESS");
    // The re-send's "not sent" says nothing of the crashed send it repeated, which may have left:
    // not re-sent at once, but once GATEWAY_RESEND_AFTER_MS have passed since the re-send.
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1) } });
    await h.gateway.resolver.runOnce();
    expect([(await read(t)).state, sent(t).length]).toEqual(["PENDING", 1]);
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1), "attempts.0.sentAt": past(CRASHED_AGO_MS) } });
    await h.gateway.resolver.runOnce();
    expect((await read(t)).state).toBe("SUCCESS");
    expect(sent(t).map((c) => c.attempt)).toEqual([1, 1]);
    expect(bca().bookings(t.referenceNumber)).toBe(1);
  });
});

describe("resolver: the answer to a send of an attempt that never left", () => {
  it("is as final as a first send's: nothing it repeats can still land, so a decline is FAILED and a refusal before sending 003", async () => {
    const declined = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000 });
    bca().setMode("FAILED");
    await h.gateway.resolver.runOnce();
    expect(await read(declined)).toMatchObject({ state: "FAILED", attempts: [{ attempt: 1, outcome: "FAILED", resends: 1 }] });

    const unsent = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000 });
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(unsent)).toMatchObject({ state: "FAILED", attempts: [{ attempt: 1, outcome: "NOT_SENT", resends: 1 }] });
    bca().setMode("SUCCESS");
    expect(bca().bookings(declined.referenceNumber) + bca().bookings(unsent.referenceNumber)).toBe(0);
  });
});

describe("resolver: an attempt that never left, its partner unreachable when it is sent", () => {
  /** Client 3, whose transfers leftBehind() writes, with fallback routing on or off (off as seeded). */
  const fallbackRouting = async (on: boolean) => {
    await (await createClientStore(h.connection)).upsertClient({ ...LOCAL, fallbackRouting: on });
    await h.gateway.refreshRegistry();
  };
  const routes = () => h.connection.db!.collection("routes");
  const MANDIRI_INTERBANK = { bankCode: "800", usage: "TRANSFER_INTERBANK" };
  afterEach(async () => {
    await routes().deleteOne(MANDIRI_INTERBANK);
    await fallbackRouting(false); // reloads the registry
  });
  const bni = () => h.banks["009"];

  it("is rerouted interbank through the next partner for an app with fallback routing, as the request path's first send is: booked once, there", async () => {
    await fallbackRouting(true);
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000 });
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({
      state: "SUCCESS", sourceAccountNumber: "0115470003", route: { bankCode: "009", usage: "TRANSFER_INTERBANK" },
      attempts: [
        { attempt: 1, partnerBankCode: "014", outcome: "NOT_SENT", resends: 1, bankMessage: "the bank could not be reached: not sent" },
        { attempt: 2, partnerBankCode: "009", usage: "TRANSFER_INTERBANK", sourceAccountNumber: "0115470003", outcome: "SUCCESS" },
      ],
      routing: [{ from: { bankCode: "014", usage: "TRANSFER" }, to: { bankCode: "009", usage: "TRANSFER_INTERBANK" }, reason: expect.stringMatching(/not sent/) as string }],
    });
    expect(bni().calls.filter((c) => c.referenceNumber === t.referenceNumber).map((c) => c.attempt)).toEqual([2]);
    expect([bni().bookings(t.referenceNumber), bca().bookings(t.referenceNumber)]).toEqual([1, 0]);
  });

  it("is never rerouted when an earlier send of it may have left: the re-send's \"not sent\" leaves it PENDING, nothing sent elsewhere", async () => {
    await fallbackRouting(true);
    const t = await leftBehind(); // a crash, no outcome: it may have left
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING", route: { bankCode: "014" }, attempts: [{ attempt: 1, outcome: "NOT_SENT", resends: 1 }] });
    expect((await read(t)).attempts).toHaveLength(1);
    expect((await read(t)).routing).toBeUndefined();
    expect(bni().calls.filter((c) => c.referenceNumber === t.referenceNumber)).toHaveLength(0);
  });

  it("follows a new day's attempt too: attempts 1 and 2 never left, attempt 3 goes interbank", async () => {
    await fallbackRouting(true);
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000, transactionDate: jakartaDaysBefore(new Date(), 1) });
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({
      state: "SUCCESS", route: { bankCode: "009" },
      attempts: [{ attempt: 1, outcome: "NOT_SENT" }, { attempt: 2, partnerBankCode: "014", outcome: "NOT_SENT" }, { attempt: 3, partnerBankCode: "009", outcome: "SUCCESS" }],
    });
    expect(bni().calls.filter((c) => c.referenceNumber === t.referenceNumber).map((c) => c.attempt)).toEqual([3]);
  });

  it("is not rerouted for an app that is no longer active: FAILED 003, nothing sent elsewhere", async () => {
    await (await createClientStore(h.connection)).upsertClient({ ...LOCAL, fallbackRouting: true, active: false });
    await h.gateway.refreshRegistry();
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000 });
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "FAILED", attempts: [{ attempt: 1, outcome: "NOT_SENT" }] });
    expect(statusOf(await read(t)).statusCode).toBe("003");
    expect(bni().calls.filter((c) => c.referenceNumber === t.referenceNumber)).toHaveLength(0);
  });

  it("is rerouted once per transfer: a rerouted attempt refused as unreachable ends FAILED 003, not sent on to a third partner", async () => {
    // Mandiri given an interbank route too, so a second reroute would have somewhere to go.
    await routes().insertOne({ ...MANDIRI_INTERBANK, method: "POST", localEndpoint: "/api/mandiri/interbank", externalEndpoint: "https://{{hostMandiri}}/interbank" });
    await fallbackRouting(true); // reloads the registry
    const t = await leftBehind({ sentAgoMs: 1_000 });
    // As a reroute whose call was not made leaves it (the instance stopping, a lease too short).
    const notSent = { outcome: "NOT_SENT" as const, answeredAt: past(1_000) };
    const second = { attempt: 2, partnerBankCode: "009", usage: "TRANSFER_INTERBANK" as const, sourceAccountNumber: "0115470003", transactionDate: jakartaDate(new Date()), sentAt: past(1_000), ...notSent };
    await ledger.amend(t, "gateway-dead", {
      attempts: [{ ...t.attempts[0]!, ...notSent }, second],
      reroute: {
        route: { bankCode: "009", usage: "TRANSFER_INTERBANK", reason: "fallback" }, source: { accountNumber: "0115470003", accountName: "GERBANG LOCAL" },
        change: { from: { bankCode: "014", usage: "TRANSFER" }, to: { bankCode: "009", usage: "TRANSFER_INTERBANK" }, reason: "test", at: past(1_000) },
      },
    }, new Date());
    bni().setMode("not-sent");
    const mandiriCalls = h.banks["800"].calls.length;
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "FAILED", attempts: [{ attempt: 1, outcome: "NOT_SENT" }, { attempt: 2, partnerBankCode: "009", outcome: "NOT_SENT", resends: 1 }] });
    expect(statusOf(await read(t)).statusCode).toBe("003");
    expect((await read(t)).routing).toHaveLength(1);
    expect(h.banks["800"].calls).toHaveLength(mandiriCalls);
  });
});

describe("resolver: an attempt dated an earlier day", () => {
  const yesterday = () => jakartaDaysBefore(new Date(), 1);

  it("that never left is followed by a new attempt dated today (banks take today's date only), its own bank-side id; the old one is kept as it was", async () => {
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000, transactionDate: yesterday() });
    await h.gateway.resolver.runOnce();
    const today = jakartaDate(new Date());
    expect(sent(t).map((c) => [c.attempt, c.transactionDate])).toEqual([[2, today]]);
    expect(await read(t)).toMatchObject({
      state: "SUCCESS",
      attempts: [
        { attempt: 1, partnerBankCode: "014", transactionDate: yesterday(), outcome: "NOT_SENT" },
        { attempt: 2, partnerBankCode: "014", usage: "TRANSFER", transactionDate: today, outcome: "SUCCESS" },
      ],
    });
    expect((await read(t)).attempts[1]?.resends).toBeUndefined();
    expect(bca().bookings(t.referenceNumber)).toBe(1);
  });

  it("that never left: the new attempt's answer is a first send's, so \"not sent\" again ends FAILED 003 with both attempts kept", async () => {
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000, transactionDate: yesterday() });
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({
      state: "FAILED",
      attempts: [{ attempt: 1, transactionDate: yesterday(), outcome: "NOT_SENT" }, { attempt: 2, transactionDate: jakartaDate(new Date()), outcome: "NOT_SENT" }],
    });
    expect(sent(t).map((c) => c.attempt)).toEqual([2]);
    expect(bca().bookings(t.referenceNumber)).toBe(0);
  });

  it("that may have left is re-sent as it was, under its own day: the bank may have filed it there", async () => {
    const t = await leftBehind({ transactionDate: yesterday() }); // a crash, no outcome: it may have left
    await h.gateway.resolver.runOnce();
    expect(sent(t).map((c) => [c.attempt, c.transactionDate])).toEqual([[1, yesterday()]]);
    expect(await read(t)).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, transactionDate: yesterday(), resends: 1, outcome: "SUCCESS" }] });
    expect((await read(t)).attempts).toHaveLength(1);
  });
});

describe("resolver: a bank whose refusal of a seen id is not trusted (resendIfMayHaveLeft: false)", () => {
  let untrusting: Awaited<ReturnType<Harness["startAnother"]>>;
  beforeAll(async () => { untrusting = await h.startAnother({ bankPolicies: { "014": { resendIfMayHaveLeft: false } } }); });

  it("is refused at start under a code that is no partner's (a typo, or Mandiri's alias 008): it would apply to nothing", async () => {
    await expect(h.startAnother({ bankPolicies: { "090": { resendIfMayHaveLeft: false } } }))
      .rejects.toThrow("GATEWAY_BANK_POLICIES would apply to no bank: 090 is no partner's code (partners: 009, 014, 800)");
    await expect(h.startAnother({ bankPolicies: { "008": { resendIfMayHaveLeft: false }, "014": { deadlineMs: 3_000 } } }))
      .rejects.toThrow("GATEWAY_BANK_POLICIES would apply to no bank: 008 is an alias: use the partner's code 800");
  });

  it("never re-sends an attempt that may have left: it asks, waits, and goes to MANUAL_REVIEW at the horizon", async () => {
    const crashed = await leftBehind(); // no outcome, 31 s ago: re-sent by default (above)
    const timedOut = await leftBehind({ outcome: "NO_ANSWER", sentAgoMs: 31_000 });
    const old = await leftBehind({ outcome: "NO_ANSWER", sentAgoMs: 120_000 }); // the harness's horizon is 60 s
    await untrusting.resolver.runOnce();
    for (const t of [crashed, timedOut, old]) {
      expect(asked(t)).toBe(1);
      expect(sent(t)).toHaveLength(0);
    }
    expect(await read(crashed)).toMatchObject({ state: "PENDING", checks: 1 });
    expect(await read(timedOut)).toMatchObject({ state: "PENDING", checks: 1 });
    expect(await read(old)).toMatchObject({ state: "MANUAL_REVIEW", reviewReason: expect.stringMatching(/unresolved 120 s after it was sent \(horizon 60 s\).*no record/) as string });
  });

  it("still re-sends one that provably never left (\"not sent\")", async () => {
    const t = await leftBehind({ outcome: "NOT_SENT", sentAgoMs: 1_000 });
    await untrusting.resolver.runOnce();
    expect(sent(t).map((c) => c.attempt)).toEqual([1]);
    expect(await read(t)).toMatchObject({ state: "SUCCESS" });
    expect(bca().bookings(t.referenceNumber)).toBe(1);
  });
});

describe("resolver: the bank's evidence and the registry while a round runs", () => {
  it("keeps the bank's PENDING as evidence the attempt left, also over a re-send's refusal", async () => {
    const t = await leftBehind();
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce(); // NOT_FOUND: re-sent, and the re-send refused
    expect(await read(t)).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "NOT_SENT", resends: 1 }] });
    bca().settle(t.referenceNumber, 1, "PENDING"); // the send it repeated did reach the bank, which is working on it
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1) } });
    await h.gateway.resolver.runOnce();
    // Recorded: a later NOT_FOUND must then wait for the bank, not re-send.
    expect(await read(t)).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "PENDING", resends: 1 }] });
  });

  it("no longer takes a re-sent attempt as never sent: a crash while the re-send is at the bank leaves it to wait, not to go out again at once", async () => {
    const t = await leftBehind();
    bca().setMode("not-sent");
    await h.gateway.resolver.runOnce(); // NOT_FOUND: re-sent, and the re-send refused before it left
    expect(await read(t)).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "NOT_SENT", resends: 1, error: expect.stringContaining("not sent") as string }] });
    bca().setMode("hang");
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1), "attempts.0.sentAt": past(CRASHED_AGO_MS) } });
    const round = h.gateway.resolver.runOnce(); // NOT_FOUND past the re-send wait: re-sent, and this one reaches the bank
    await until("the second re-send is at the bank", () => sent(t).length === 2);
    // What a crash now leaves behind: nothing may say this attempt never left.
    const during = await read(t);
    expect(during).toMatchObject({ state: "SENDING", attempts: [{ attempt: 1, resends: 2 }] });
    expect([during.attempts[0]?.outcome, during.attempts[0]?.error]).toEqual([undefined, undefined]);
    expect(neverLeft(during.attempts[0]!)).toBe(false);
    await round; // the deadline ends the hung call: no answer, PENDING
    expect(await read(t)).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "NO_ANSWER", resends: 2 }] });
  });

  it("makes no re-send whose record landed too late for its lease to cover the call", async () => {
    const t = await leftBehind();
    // A database stall: the write recording the re-send lands 4 s late, leaving under 2 s of the
    // harness's 6 s lease, less than the 2 s call plus its margin. Another instance could take it during the call.
    const { leaseMs, bankDeadlineMs } = testSettings();
    await withLedgerFault(h.connection, "findOneAndUpdate", async (args, call) => {
      if (updateMentions(args, "resends")) await new Promise((resolve) => setTimeout(resolve, leaseMs - bankDeadlineMs));
      return call();
    }, () => h.gateway.resolver.runOnce());
    expect(asked(t)).toBe(1);
    expect(sent(t)).toHaveLength(0);
    // Recorded as a call not made, so no one reads it as a send that may have left.
    expect(await read(t)).toMatchObject({ state: "SENDING", attempts: [{ attempt: 1, resends: 1, outcome: "NOT_SENT", error: "not called: lease too short for the call after a slow write" }] });
    expect(h.logs.some((line) => line.includes(t.referenceNumber) && line.includes("lease too short for the call"))).toBe(true);
  });

  it("re-sends through the partner it just asked, even if a reload dropped that partner meanwhile (never a re-send recorded and not sent)", async () => {
    const t = await leftBehind();
    const partners = h.connection.db!.collection("partners");
    const row = await partners.findOne({ bankCode: "014" });
    const patient = await h.startAnother({ bankDeadlineMs: 10_000, leaseMs: 20_000 }); // the held inquiry outlives the reload, however slow
    const answer = bca().holdStatus(); // NOT_FOUND, once the partner is gone
    try {
      const round = patient.resolver.runOnce();
      await until("the bank has the inquiry", () => asked(t) > 0);
      await partners.deleteOne({ bankCode: "014" });
      await patient.refreshRegistry();
      answer();
      await round;
      expect(sent(t).map((c) => c.attempt)).toEqual([1]);
      expect(await read(t)).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, outcome: "SUCCESS", resends: 1 }] });
    } finally {
      if (row !== null) await partners.insertOne(row);
      await h.gateway.refreshRegistry();
    }
  });
});

describe("resolver: an instance stopping", () => {
  it("starts no bank call once stopping: its round ends after the inquiry, and the next instance sends at once", async () => {
    const t = await leftBehind(); // crashed before its send: the inquiry says NOT_FOUND, which calls for a re-send
    const leaving = await h.startAnother();
    const answer = bca().holdStatus(); // the inquiry is answered only once the instance is stopping
    const round = leaving.resolver.runOnce();
    await until("the bank has the inquiry", () => asked(t) > 0);
    const stopped = leaving.resolver.stop(); // what close() does first; the lease is still this instance's
    answer();
    await stopped;
    await round;
    expect(sent(t)).toHaveLength(0);
    await leaving.close(); // hands its leases back
    expect(await read(t)).toMatchObject({ state: "SENDING", attempts: [{ attempt: 1 }] });
    expect((await read(t)).attempts[0]?.resends).toBeUndefined();
    await h.gateway.resolver.runOnce();
    expect(sent(t).map((c) => c.attempt)).toEqual([1]);
    expect(await read(t)).toMatchObject({ state: "SUCCESS", attempts: [{ attempt: 1, resends: 1 }] });
  });
});

describe("resolver: a bank whose inquiries hang", () => {
  it("holds up only its own transfers: one due at another bank meanwhile is resolved while the slow inquiry is still out", async () => {
    const slow = await leftBehind({ outcome: "PENDING" });
    bca().settle(slow.referenceNumber, 1, "SUCCESS");
    const answerSlow = bca().holdStatus(); // a slow inquiry, answered within this instance's 10 s deadline
    const looping = await h.startAnother({ resolverEnabled: true, resolverIntervalMs: 50, bankDeadlineMs: 10_000, leaseMs: 12_000 });
    try {
      await until("the slow bank has the inquiry", () => asked(slow) > 0);
      // Due at Mandiri (800) after the slow one was taken. Held by a live lease until it points
      // there and Mandiri has booked it: the looping resolver must not take it at BCA before.
      const other = await leftBehind({ leaseUntil: new Date(Date.now() + 60_000) });
      const transfers = h.connection.db!.collection("transfers");
      await transfers.updateOne({ referenceNumber: other.referenceNumber }, { $set: { "attempts.0.partnerBankCode": "800" } });
      h.banks["800"].settle(other.referenceNumber, 1, "SUCCESS");
      await transfers.updateOne({ referenceNumber: other.referenceNumber }, { $set: { leaseUntil: past(1), nextCheckAt: past(1) } });
      await until("the other bank's transfer is resolved", async () => (await read(other)).state === "SUCCESS");
      expect((await read(slow)).state).toBe("PENDING"); // its inquiry has not answered yet
    } finally {
      answerSlow();
      await looping.close();
    }
    expect((await read(slow)).state).toBe("SUCCESS"); // close waited for it
  });
});

describe("resolver: a transfer whose partner left the registry", () => {
  const orphan = async (sentAgoMs: number) => {
    const t = await leftBehind({ outcome: "PENDING", sentAgoMs });
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { "attempts.0.partnerBankCode": "777" } });
    return t;
  };

  it("waits while young, and goes to MANUAL_REVIEW with the reason and the alert past the horizon (never left open forever)", async () => {
    const young = await orphan(5_000);
    const old = await orphan(120_000); // the harness's horizon is 60 s
    await h.gateway.resolver.runOnce();
    expect(await read(young)).toMatchObject({ state: "PENDING" });
    const reviewed = await read(old);
    expect(reviewed).toMatchObject({ state: "MANUAL_REVIEW" });
    expect(reviewed.reviewReason).toMatch(/partner 777 of attempt 1 is not in the registry/);
    expect(h.logs.some((line) => line.includes('"alert":"manual-review"') && line.includes(old.referenceNumber))).toBe(true);
  });

  it("past the horizon, still waits while a re-send made just before may land", async () => {
    const t = await orphan(5_000); // re-sent 5 s ago, first sent 120 s ago
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, {
      $set: { "attempts.0.resends": 1, "attempts.0.earlierSends": [{ sentAt: new Date(Date.now() - 120_000), outcome: "NO_ANSWER" }] },
    });
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "PENDING" });
  });

  it("in MANUAL_REVIEW, waits at review pace like any reviewed transfer: a tenth of the time since it was sent", async () => {
    const t = await orphan(5 * 3_600_000);
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { state: "MANUAL_REVIEW", reviewReason: "test" } });
    await h.gateway.resolver.runOnce();
    const after = await read(t);
    expect(after.state).toBe("MANUAL_REVIEW");
    expect(after.nextCheckAt!.getTime() - after.updatedAt.getTime()).toBeGreaterThanOrEqual(1_800_000);
    expect(after.nextCheckAt!.getTime() - after.updatedAt.getTime()).toBeLessThanOrEqual(1_801_000);
  });
});

describe("resolver: a re-send the bank declines", () => {
  it("stays PENDING until the status inquiry confirms the decline: the earlier send it repeats may still land", async () => {
    const t = await leftBehind();
    bca().setMode("FAILED");
    await h.gateway.resolver.runOnce();
    const declined = await read(t);
    expect(declined).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "FAILED", resends: 1 }] });
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1) } });
    await h.gateway.resolver.runOnce();
    expect(await read(t)).toMatchObject({ state: "FAILED", bankResponseCode: "01" });
    expect(sent(t)).toHaveLength(1);
  });
});

describe("resolver: an attempt the bank service keeps refusing", () => {
  it("is re-sent at most MAX_RESENDS times, then goes to MANUAL_REVIEW with the reason (never re-sent forever, never FAILED while a send may have left)", async () => {
    // Crashed mid-send, so it may have left: re-sent once the bank does not know it. Sent longer ago
    // than such a send may still land (lease 6 s + 5 s tolerance + re-send wait 30 s): the last
    // re-send's "not sent" then leaves nothing that can still book, and a person may decide.
    const t = await leftBehind({ sentAgoMs: 42_000 });
    bca().setMode("not-sent");
    for (let round = 0; round <= MAX_RESENDS; round += 1) {
      // Each later round as if GATEWAY_RESEND_AFTER_MS had passed since the last re-send.
      const since = round === 0 ? {} : { "attempts.0.sentAt": past(CRASHED_AGO_MS) };
      await h.connection.db!.collection("transfers").updateOne({ referenceNumber: t.referenceNumber }, { $set: { nextCheckAt: past(1), ...since } });
      await h.gateway.resolver.runOnce();
    }
    const after = await read(t);
    expect(after).toMatchObject({ state: "MANUAL_REVIEW", attempts: [{ attempt: 1, resends: MAX_RESENDS }] });
    expect(after.reviewReason).toMatch(new RegExp(`re-sent ${MAX_RESENDS} times`));
    expect(sent(t)).toHaveLength(MAX_RESENDS);
    // Every send stays on record for the person deciding: the crashed one (no answer), then each
    // re-send's "not sent"; the attempt's own fields hold the last.
    const [attempt] = after.attempts;
    expect(attempt?.earlierSends?.map((s) => s.outcome)).toEqual([undefined, "NOT_SENT", "NOT_SENT"]);
    expect(attempt?.earlierSends?.[0]?.sentAt).toEqual(t.attempts[0]?.sentAt);
    const sentAts = [...(attempt?.earlierSends ?? []).map((s) => s.sentAt.getTime()), attempt?.sentAt.getTime() ?? 0];
    expect(sentAts).toEqual([...sentAts].sort((a, b) => a - b));
    expect(attempt).toMatchObject({ outcome: "NOT_SENT", answeredAt: expect.any(Date) as Date });
    expect(attempt?.earlierSends?.[1]).toMatchObject({ answeredAt: expect.any(Date) as Date, error: expect.any(String) as string });
  });
});

describe("resolver: two gateway instances on one database", () => {
  it("never works on one transfer from both: every due transfer is asked exactly once", async () => {
    const second = await h.startAnother();
    const transfers = await Promise.all(Array.from({ length: 30 }, () => leftBehind({ outcome: "PENDING" })));
    for (const t of transfers) bca().settle(t.referenceNumber, 1, "SUCCESS");
    // One round each, at the same time: batches are at most 20, so both instances get some of the 30.
    const [first, other] = await Promise.all([h.gateway.resolver.runOnce(), second.resolver.runOnce()]);
    expect(first).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    for (let round = 0; round < 3; round++) await Promise.all([h.gateway.resolver.runOnce(), second.resolver.runOnce()]);
    for (const t of transfers) {
      expect(asked(t)).toBe(1);
      expect((await read(t)).state).toBe("SUCCESS");
    }
  });
});
