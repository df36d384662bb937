import { appToken, crashedTransfer, keepClearOfJakartaMidnight, pastResendWait, startHarness, until, updateMentions, withLedgerFault, type Harness } from "./gateway-harness";
import { referenceNumberFor } from "./reference-number";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";

// Tests that try to break the money guarantees through the gateway's real servers, the real
// database and fake bank services on loopback: a transfer is never executed twice, a final state
// never changes, an app's retry never pays again, and an ambiguous answer never becomes final
// without the bank saying so. Each counts the bank calls, not only what the app is told.

interface Envelope { statusCode: string; message: string; replayed?: boolean; data: null | Record<string, string> }

let h: Harness;
let ledger: TransferStore;
beforeAll(async () => {
  // Long deadlines: a slow machine must not turn the answers these tests wait for into timeouts.
  h = await startHarness("gw_money", { pendingRecheckMs: 1, resolverBackoffMs: [1], duplicateWaitMs: 15_000, bankDeadlineMs: 10_000, leaseMs: 15_000 });
  ledger = await createTransferStore(h.connection);
});
afterAll(async () => { await h.close(); });
keepClearOfJakartaMidnight();
beforeEach(() => { h.resetBanks(); });

let seq = 0;
const transferBody = (over: Record<string, string> = {}) => ({
  clientReferenceNo: `MONEY-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", remark: "test", ...over,
});

async function post(body: Record<string, string>, baseUrl = h.baseUrl): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${baseUrl}/api/v1/transfers`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body as never })}` }, body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}

const bca = () => h.banks["014"];
const sentFor = (referenceNumber: string | undefined) => bca().calls.filter((c) => c.referenceNumber === referenceNumber);
const stored = async (clientReferenceNo: string) => (await ledger.findByReference("3", referenceNumberFor("3", clientReferenceNo)))!;

/**
 * A transfer left SENDING with no bank call: once GATEWAY_RESEND_AFTER_MS have passed since it was
 * recorded (made so here instead of waiting), a resolver sends attempt 1, once, and it succeeds.
 */
async function sentOnceByResolver(reference: string, clientReferenceNo: string): Promise<void> {
  const past = pastResendWait();
  await h.connection.db!.collection("transfers").updateOne({ referenceNumber: reference }, { $set: { nextCheckAt: past, "attempts.0.sentAt": past } });
  await h.gateway.resolver.runOnce();
  expect(sentFor(reference).map((c) => c.attempt)).toEqual([1]);
  expect((await stored(clientReferenceNo)).state).toBe("SUCCESS");
}


describe("a retry never changes a settled or open transfer, nor calls the bank again", () => {
  it.each([
    ["declined by the bank (FAILED 002)", "FAILED", 200, "002", "FAILED"],
    ["refused by the bank service before sending (FAILED 003)", "not-sent", 200, "003", "FAILED"],
    ["left PENDING by the bank (001)", "PENDING", 202, "001", "PENDING"],
  ] as const)("%s: the retry is a replay with the same answer", async (_label, mode, status, statusCode, state) => {
    bca().setMode(mode);
    const body = transferBody();
    const first = await post(body);
    expect([first.status, first.json.statusCode, first.json.data?.status]).toEqual([status, statusCode, state]);
    const calls = bca().calls.length;
    bca().setMode("SUCCESS"); // were the retry sent again, this time it would book
    const again = await post(body);
    expect([again.status, again.json.statusCode, again.json.replayed, again.json.data?.status]).toEqual([status, statusCode, true, state]);
    expect(again.json.data?.referenceNumber).toBe(first.json.data?.referenceNumber);
    expect(bca().calls).toHaveLength(calls);
    expect((await stored(body.clientReferenceNo)).state).toBe(state);
  });
});

describe("a retry while the first request's insert is not yet on a majority (a replica set replicating it)", () => {
  /**
   * While `work` runs, the first `misses` majority reads of the transfer (by reference number or by
   * clientReferenceNo) find nothing; local reads find it. Returns how many reads it hid.
   */
  const replicating = async <T>(hidden: { referenceNumber: string; clientReferenceNo: string }, misses: number, work: () => Promise<T>) => {
    let left = misses;
    const result = await withLedgerFault(h.connection, "findOne", (args, call) => {
      const filter = args[0] as { _id?: string; clientReferenceNo?: string };
      const options = args[1] as { readConcern?: { level: string } } | undefined;
      const ofIt = filter._id === hidden.referenceNumber || filter.clientReferenceNo === hidden.clientReferenceNo;
      if (ofIt && options?.readConcern?.level !== "local" && left > 0) { left--; return Promise.resolve(null); }
      return call();
    }, work);
    return { result, hid: misses - left };
  };

  it("is a replay once the earlier transfer shows: never a reference collision, never a second bank call", async () => {
    const body = transferBody();
    const first = await post(body);
    const calls = bca().calls.length;
    const { result: again, hid } = await replicating({ referenceNumber: first.json.data?.referenceNumber ?? "", clientReferenceNo: body.clientReferenceNo }, 3, () => post(body));
    expect([again.status, again.json.statusCode, again.json.replayed, again.json.data?.referenceNumber]).toEqual([200, "000", true, first.json.data?.referenceNumber]);
    expect(hid).toBe(3); // the replay did meet the lag, and waited it out
    expect(bca().calls).toHaveLength(calls);
  });

  it("still not shown after the duplicate wait: 901, retry with the same clientReferenceNo; nothing sent again", async () => {
    const quick = `http://127.0.0.1:${(await h.startAnother({ duplicateWaitMs: 300 })).httpPort}`;
    const body = transferBody();
    const first = await post(body, quick);
    const calls = bca().calls.length;
    const { result: again } = await replicating({ referenceNumber: first.json.data?.referenceNumber ?? "", clientReferenceNo: body.clientReferenceNo }, 1_000, () => post(body, quick));
    expect([again.status, again.json.statusCode, again.json.data]).toEqual([503, "901", null]);
    expect(again.json.message).toMatch(/still being recorded; retry with the same clientReferenceNo \(never a new one\) and a new token/);
    expect(bca().calls).toHaveLength(calls);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
  });
});

describe("nothing reaches the bank unless it is recorded first", () => {
  it("a transfer whose insert fails is refused 999 and never sent; the document in the way is untouched and never answers for it", async () => {
    const body = transferBody();
    // Another transfer already holds the reference number this one derives (a collision of the
    // derivation), so the insert fails without being a duplicate of this transfer.
    const referenceNumber = referenceNumberFor("3", body.clientReferenceNo);
    const squatter = { _id: referenceNumber, referenceNumber, clientId: "3", clientReferenceNo: `OTHER-${body.clientReferenceNo}`, state: "SUCCESS", amount: "1" };
    await h.connection.db!.collection("transfers").insertOne(squatter as never);
    const answer = await post(body);
    expect([answer.status, answer.json.statusCode, answer.json.data]).toEqual([500, "999", null]);
    expect(sentFor(referenceNumber)).toHaveLength(0);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(0);
    expect(await h.connection.db!.collection("transfers").findOne({ _id: referenceNumber as never })).toEqual(squatter);
    // Nor is the squatter's outcome ever reported as this reference's: its SUCCESS was never this transfer's.
    const asked = await fetch(`${h.baseUrl}/api/v1/transfers?clientReferenceNo=${encodeURIComponent(body.clientReferenceNo)}`, { headers: { authorization: `Bearer ${appToken()}` } });
    expect([asked.status, ((await asked.json()) as Envelope).statusCode]).toEqual([404, "105"]);
  });
});

describe("concurrent requests under one clientReferenceNo with different content", () => {
  it("record one transfer and call the bank once; every other one is refused 104", async () => {
    bca().setMode("SUCCESS", 300); // the first is still at the bank while the others arrive
    const base = transferBody();
    const bodies = Array.from({ length: 10 }, (_, i) => ({ ...base, amount: String(100_000 + i) }));
    const answers = await Promise.all(bodies.map((b) => post(b)));
    const won = answers.filter((a) => a.json.statusCode === "000");
    const refused = answers.filter((a) => a.json.statusCode === "104");
    expect([won.length, refused.length]).toEqual([1, 9]);
    for (const a of refused) expect([a.status, a.json.data]).toEqual([422, null]);
    expect(await h.countTransfers({ clientReferenceNo: base.clientReferenceNo })).toBe(1);
    const record = await stored(base.clientReferenceNo);
    expect(record.amount).toBe(won[0]?.json.data?.amount);
    expect(sentFor(record.referenceNumber)).toHaveLength(1);
  });
});

describe("a final state never changes", () => {
  it("a late answer from the bank call does not move a transfer another writer already settled", async () => {
    bca().setMode("PENDING", 6_000); // the request path's answer comes late (within the 10 s deadline), and says PENDING
    const body = transferBody();
    const answer = post(body);
    // Meanwhile another writer settles it, as a resolver that took over a lost lease would, with
    // what the bank's status inquiry said.
    await until("the transfer is recorded", async () => (await ledger.findByReference("3", referenceNumberFor("3", body.clientReferenceNo))) !== undefined);
    const sending = await stored(body.clientReferenceNo);
    const settled = await ledger.transition(sending, "SUCCESS", {
      answer: { attempt: 1, answeredAt: new Date(), outcome: "SUCCESS", bankCode: "00", bankMessage: "Success", bankReference: "J-INQUIRY" },
      bankResponseCode: "00", bankResponseMessage: "Success", bankReference: "J-INQUIRY", lease: null, nextCheckAt: null,
    }, new Date());
    expect(settled?.state).toBe("SUCCESS");
    const late = await answer;
    expect([late.status, late.json.statusCode, late.json.data?.status, late.json.data?.bankReference]).toEqual([200, "000", "SUCCESS", "J-INQUIRY"]);
    const after = await stored(body.clientReferenceNo);
    expect([after.state, after.bankReference, after.attempts[0]?.outcome]).toEqual(["SUCCESS", "J-INQUIRY", "SUCCESS"]);
  });
});

describe("an insert in doubt", () => {
  it("answers 999 without a call; a lookup's 105 says 'so far'; the insert lands later, the resolver sends it once, and the retry with the same reference returns it", async () => {
    // The write reached the database but its answer did not (a write-concern or socket timeout):
    // the request hears an error at once, and the insert lands a moment later.
    const body = transferBody();
    // The insert lands only when the test lets it, after the lookup: no timer to race.
    let land!: () => void;
    const released = new Promise<void>((resolve) => { land = resolve; });
    let landing: Promise<unknown> = Promise.resolve();
    const first = await withLedgerFault(h.connection, "insertOne", (_args, call) => {
      landing = released.then(call);
      return Promise.reject(new Error("write concern timed out"));
    }, () => post(body));
    expect([first.status, first.json.statusCode]).toEqual([500, "999"]);
    expect(first.json.message).toMatch(/may have been recorded; retry it with the same clientReferenceNo, never a new one/);
    const lookup = async () => {
      const res = await fetch(`${h.baseUrl}/api/v1/transfers?clientReferenceNo=${encodeURIComponent(body.clientReferenceNo)}`, { headers: { authorization: `Bearer ${appToken()}` } });
      return { status: res.status, json: (await res.json()) as Envelope };
    };
    const early = await lookup();
    expect([early.status, early.json.statusCode]).toEqual([404, "105"]);
    expect(early.json.message).toMatch(/^transfer not found \(so far: a Transfer answered 9xx may still be recorded; retry it with the same clientReferenceNo, never a new one\)$/);
    land();
    await landing;
    // Recorded after all: the app that paid again under a new reference would have paid twice.
    const reference = referenceNumberFor("3", body.clientReferenceNo);
    expect(sentFor(reference)).toHaveLength(0);
    const past = pastResendWait();
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: reference }, { $set: { leaseUntil: past, nextCheckAt: past, "attempts.0.sentAt": past } });
    await h.gateway.resolver.runOnce();
    const retry = await post(body);
    expect([retry.status, retry.json.statusCode, retry.json.replayed, retry.json.data?.referenceNumber]).toEqual([200, "000", true, reference]);
    expect(sentFor(reference).map((c) => c.attempt)).toEqual([1]);
  });
});

describe("no bank call outlives its lease", () => {
  it("a transfer whose insert landed late is not sent by the request path (PENDING), and is sent once by the resolver", async () => {
    const short = await h.startAnother({ bankDeadlineMs: 1_000, leaseMs: 2_500 });
    // A database stall: the insert lands 1.2 s late, leaving 1.3 s of a lease set before it, less
    // than a 1 s call plus its 1 s margin. A resolver could take the transfer while the call runs.
    const body = transferBody();
    const first = await withLedgerFault(h.connection, "insertOne", async (_args, call) => {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      return call();
    }, () => post(body, `http://127.0.0.1:${short.httpPort}`));
    expect([first.status, first.json.statusCode, first.json.data?.status]).toEqual([202, "001", "PENDING"]);
    const reference = first.json.data!.referenceNumber!;
    expect(sentFor(reference)).toHaveLength(0);
    const leased = await stored(body.clientReferenceNo);
    // The call not made is recorded as such: a resolver need not wait as for a send a crash cut short.
    expect(leased.attempts[0]).toMatchObject({ outcome: "NOT_SENT", error: "not called: lease too short for the call after a slow write" });
    await until("the lease has run out", () => Date.now() > leased.leaseUntil!.getTime());
    await h.gateway.resolver.runOnce();
    expect(sentFor(reference).map((c) => c.attempt)).toEqual([1]);
    expect((await stored(body.clientReferenceNo)).state).toBe("SUCCESS");
  });
});

describe("no bank call starts once an instance hands its leases back", () => {
  it("a request whose insert answers only after its instance shut down sends nothing; a resolver sends the transfer, once", async () => {
    const leaving = await h.startAnother({ shutdownGraceMs: 100 });
    // The insert lands, but its answer reaches the request only once the instance has closed and
    // handed back the lease of the transfer it recorded: nothing must be sent from there.
    let landed!: () => void;
    const inserted = new Promise<void>((resolve) => { landed = resolve; });
    let answerInsert!: () => void;
    const closed = new Promise<void>((resolve) => { answerInsert = resolve; });
    const body = transferBody();
    const reference = referenceNumberFor("3", body.clientReferenceNo);
    let cut: Promise<unknown> = Promise.resolve();
    try {
      await withLedgerFault(h.connection, "insertOne", async (_args, call) => {
        const result = await call();
        landed();
        await closed;
        return result;
      }, async () => {
        cut = post(body, `http://127.0.0.1:${leaving.httpPort}`).catch(() => undefined); // its connection is cut by the shutdown
        await inserted;
        await leaving.close();
      });
    } finally {
      answerInsert();
    }
    await cut;
    await until("the request has given up its bank call", () => h.logs.some((line) => line.includes(reference) && line.includes("shutting down")));
    // Its "not sent" lost to the lease handed back meanwhile, and says so: the attempt reads as one that may have left.
    await until("the lost record is logged", () => h.logs.some((line) => line.includes(reference) && line.includes("the call not made was not recorded")));
    expect(sentFor(reference)).toHaveLength(0);
    const handedBack = await stored(body.clientReferenceNo);
    expect([handedBack.state, handedBack.leaseOwner]).toEqual(["SENDING", undefined]);
    // Another instance's resolver: not found, and sent once GATEWAY_RESEND_AFTER_MS have passed.
    await sentOnceByResolver(reference, body.clientReferenceNo);
  });
});

describe("an ambiguous outcome is settled by asking the bank, never by sending again", () => {
  it("a bank that booked but never answered: the app hears PENDING, the inquiry finds the booking, one bank call", async () => {
    // An instance with a short deadline, so the call the bank never answers ends soon.
    const short = await h.startAnother({ bankDeadlineMs: 1_000, leaseMs: 4_000 });
    bca().setMode("book-then-hang");
    const body = transferBody();
    const first = await post(body, `http://127.0.0.1:${short.httpPort}`);
    expect([first.status, first.json.statusCode, first.json.data?.status]).toEqual([202, "001", "PENDING"]);
    const reference = first.json.data!.referenceNumber!;
    expect((await stored(body.clientReferenceNo)).attempts[0]?.outcome).toBe("NO_ANSWER");
    bca().setMode("SUCCESS"); // were it sent again, it would be answered (and the fake would count the call)
    // Due now (instead of waiting out the recheck delay); the resolver asks the bank.
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: reference }, { $set: { nextCheckAt: new Date(0) } });
    await h.gateway.resolver.runOnce();
    expect((await stored(body.clientReferenceNo)).state).toBe("SUCCESS");
    expect(sentFor(reference)).toHaveLength(1);
    expect(bca().bookings(reference)).toBe(1);
  });
});

describe("a bank answer the ledger could not take", () => {
  it("the app hears PENDING (never an error it might retry under a new reference), the inquiry settles it, one bank call", async () => {
    const short = await h.startAnother({ bankDeadlineMs: 1_000, leaseMs: 4_000 });
    // The bank books and answers SUCCESS, and the write of that answer fails (the database gone for a moment).
    let failed = 0;
    const body = transferBody();
    const first = await withLedgerFault(h.connection, "findOneAndUpdate", (args, call) => {
      if (failed > 0 || !updateMentions(args, "\"SUCCESS\"")) return call();
      failed += 1;
      return Promise.reject(new Error("connection to the database lost"));
    }, () => post(body, `http://127.0.0.1:${short.httpPort}`));
    expect(failed).toBe(1);
    expect([first.status, first.json.statusCode, first.json.data?.status]).toEqual([202, "001", "PENDING"]);
    const reference = first.json.data!.referenceNumber!;
    const sending = await stored(body.clientReferenceNo);
    expect([sending.state, sending.attempts[0]?.outcome]).toEqual(["SENDING", undefined]);
    await until("the lease has run out", () => Date.now() > sending.leaseUntil!.getTime());
    await h.gateway.resolver.runOnce();
    expect((await stored(body.clientReferenceNo)).state).toBe("SUCCESS");
    expect(sentFor(reference)).toHaveLength(1);
    expect(bca().bookings(reference)).toBe(1);
  });
});

describe("a BCA id collision on the first send", () => {
  it("goes to MANUAL_REVIEW at once: never FAILED, never a new attempt", async () => {
    bca().setMode("collision");
    const body = transferBody();
    const first = await post(body);
    expect([first.status, first.json.statusCode, first.json.data?.status]).toEqual([202, "001", "PENDING"]);
    const record = await stored(body.clientReferenceNo);
    expect(record.state).toBe("MANUAL_REVIEW");
    expect(record.reviewReason).toMatch(/ESB-82-003/);
    // The resolver still asks about it (made due now) and hears the collision again: it asks, and
    // sends nothing, neither again nor as a new attempt.
    bca().setMode("SUCCESS");
    bca().setStatusMode("collision");
    try {
      const asked = bca().statusCalls.filter((c) => c.referenceNumber === record.referenceNumber).length;
      await h.connection.db!.collection("transfers").updateOne({ referenceNumber: record.referenceNumber }, { $set: { nextCheckAt: new Date(Date.now() - 1_000) } });
      await h.gateway.resolver.runOnce();
      expect(bca().statusCalls.filter((c) => c.referenceNumber === record.referenceNumber)).toHaveLength(asked + 1);
    } finally {
      bca().setStatusMode("ledger");
    }
    expect(sentFor(record.referenceNumber)).toHaveLength(1);
    expect(await stored(body.clientReferenceNo)).toMatchObject({ state: "MANUAL_REVIEW", attempts: [{ attempt: 1 }] });
    expect((await stored(body.clientReferenceNo)).attempts).toHaveLength(1);
  });
});

describe("two gateway instances resolving the same transfers left SENDING by a crash", () => {
  it("send each of them to the bank exactly once", async () => {
    const second = await h.startAnother();
    // Leases run out, and sent longer than GATEWAY_RESEND_AFTER_MS ago: the crash may have come after the send.
    const past = pastResendWait();
    const transfers: TransferRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const referenceNumber = `MNY${Date.now()}${++seq}`;
      const record = crashedTransfer({
        referenceNumber, clientReferenceNo: `MNY-${referenceNumber}`, amount: String(10_000 + i), sentAt: past,
        leaseOwner: "gateway-dead", leaseUntil: past, nextCheckAt: past,
      });
      expect(await ledger.insert(record)).toBe("inserted");
      transfers.push(record);
    }
    // Both instances at once, several rounds: each finds the bank has never seen them (NOT_FOUND)
    // and re-sends; leases must keep the other instance from doing the same.
    for (let round = 0; round < 4; round++) await Promise.all([h.gateway.resolver.runOnce(), second.resolver.runOnce()]);
    for (const t of transfers) {
      expect(sentFor(t.referenceNumber)).toHaveLength(1);
      expect((await ledger.findByReference("3", t.referenceNumber))?.state).toBe("SUCCESS");
    }
  });
});
