import type { Connection } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";

// The ledger's write exclusivity against the real embedded database: every change is a
// compare-and-set on the revision, so racing writers never both win.

let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  connection = await connectTestDatabase("gw_store");
  ledger = await createTransferStore(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

let seq = 0;
const past = new Date(Date.now() - 60_000);
async function due(): Promise<TransferRecord> {
  seq++;
  const record: TransferRecord = {
    referenceNumber: `STORE${seq}`, clientId: "3", clientReferenceNo: `S-${seq}`, fingerprint: "f", beneficiaryBankCode: "014", beneficiaryBankName: "BCA",
    beneficiaryAccountNumber: "1", beneficiaryAccountName: "X", amount: "1", currency: "IDR", remark: "", sourceAccountNumber: "2", sourceAccountName: "Y",
    route: { bankCode: "014", usage: "TRANSFER", reason: "t" }, state: "SENDING",
    attempts: [{ attempt: 1, partnerBankCode: "014", usage: "TRANSFER", transactionDate: "2026-11-26", sentAt: past }],
    bankReference: "", bankResponseCode: "", bankResponseMessage: "", leaseOwner: "gone", leaseUntil: past, nextCheckAt: past, createdAt: past, updatedAt: past,
  };
  await ledger.insert(record);
  return (await ledger.findByReference("3", record.referenceNumber))!;
}

describe("transfer store: one writer per revision (compare-and-set)", () => {
  it("gives each due transfer to exactly one of two concurrent claimers", async () => {
    const records = await Promise.all(Array.from({ length: 20 }, () => due()));
    const [a, b] = await Promise.all([ledger.claimDue("A", 10_000, new Date(), 50), ledger.claimDue("B", 10_000, new Date(), 50)]);
    const mine = new Set(records.map((r) => r.referenceNumber));
    const claims = [...a, ...b].map((r) => r.referenceNumber).filter((ref) => mine.has(ref));
    expect(claims).toHaveLength(mine.size); // no transfer leased twice ...
    expect(new Set(claims)).toEqual(mine); // ... and none left out
    for (const [owner, claimed] of [["A", a], ["B", b]] as const) {
      for (const r of claimed) expect((await ledger.findByReference("3", r.referenceNumber))?.leaseOwner).toBe(owner);
    }
  });

  it("lets only one of two racing transitions from the same revision win; the final state never changes", async () => {
    const seen = await Promise.all(Array.from({ length: 20 }, () => due()));
    const races = await Promise.all(seen.map(async (record) => {
      const [success, pending] = await Promise.all([
        ledger.transition(record, "SUCCESS", { lease: null }, new Date()),
        ledger.transition(record, "PENDING", { lease: null }, new Date()),
      ]);
      const winners = [success, pending].filter((x) => x !== undefined);
      const stored = (await ledger.findByReference("3", record.referenceNumber))!;
      return { winners: winners.length, rev: stored.rev, same: stored.state === winners[0]?.state };
    }));
    expect(races.filter((r) => r.winners !== 1 || r.rev !== 1 || !r.same)).toEqual([]);
    const stored = (await ledger.findByReference("3", seen[0]!.referenceNumber))!;
    await expect(ledger.transition({ ...stored, state: "SUCCESS" }, "PENDING", {}, new Date())).rejects.toThrow(/not allowed/);
  });

  it("refuses a write from a stale view and from an instance that does not hold the lease", async () => {
    const seen = await due();
    expect(await ledger.amend(seen, "someone-else", { checks: 1 }, new Date())).toBeUndefined();
    const moved = await ledger.transition(seen, "PENDING", { checks: 1 }, new Date());
    expect(moved?.rev).toBe(1);
    expect(await ledger.transition(seen, "SUCCESS", {}, new Date())).toBeUndefined(); // seen is revision 0
    expect((await ledger.findByReference("3", seen.referenceNumber))?.state).toBe("PENDING");
  });
});

describe("transfer store: what a new transfer is", () => {
  it("is inserted only in SENDING, with its first attempt: any other state is refused and nothing is written", async () => {
    const seen = await due();
    const other = { ...seen, referenceNumber: `${seen.referenceNumber}X`, clientReferenceNo: `${seen.clientReferenceNo}-X` };
    for (const state of ["PENDING", "MANUAL_REVIEW", "SUCCESS", "FAILED"] as const) {
      await expect(ledger.insert({ ...other, state })).rejects.toThrow(`a transfer cannot start in ${state}`);
    }
    expect(await ledger.findByReferenceNumber(other.referenceNumber)).toBeUndefined();
  });
});

describe("transfer store: an insert that loses to an earlier one", () => {
  /** readConcern of every find `work` sends, as the driver sent it. */
  async function findsSentBy(work: () => Promise<unknown>): Promise<unknown[]> {
    const seen: unknown[] = [];
    const watch = (event: { commandName: string; command: Record<string, unknown> }) => { if (event.commandName === "find") seen.push(event.command.readConcern); };
    connection.getClient().on("commandStarted", watch);
    try { await work(); } finally { connection.getClient().off("commandStarted", watch); }
    return seen;
  }

  it("is a duplicate, found by reading who holds the key locally: a majority read could miss an earlier insert still replicating", async () => {
    const earlier = await due();
    const finds = await findsSentBy(async () => { expect(await ledger.insert({ ...earlier, fingerprint: "another" })).toBe("duplicate"); });
    expect(finds).toEqual([{ level: "local" }]);
    // Its state is still read with majority: an app is never shown what a failover could undo.
    expect(await findsSentBy(() => ledger.findByReference("3", earlier.referenceNumber))).toEqual([{ level: "majority" }]);
  });

  it("under a reference number another pair holds is a collision, and is not stored", async () => {
    const earlier = await due();
    const stranger = { ...earlier, clientReferenceNo: `${earlier.clientReferenceNo}-other` };
    await expect(ledger.insert(stranger)).rejects.toThrow(`reference number ${earlier.referenceNumber} already taken by another transfer`);
    expect((await ledger.findByReferenceNumber(earlier.referenceNumber))?.clientReferenceNo).toBe(earlier.clientReferenceNo);
  });
});

describe("transfer store: what an answer leaves on its attempt", () => {
  const answered = new Date(Date.now() - 30_000);

  it("replaces a \"not sent\" whole: its \"not called\" text does not stay beside what the bank knows", async () => {
    const seen = await due();
    const notCalled = await ledger.amend(seen, "gone", { answer: { attempt: 1, outcome: "NOT_SENT", error: "not called: lease too short", answeredAt: answered } }, new Date());
    const pending = await ledger.transition(notCalled!, "PENDING", { answer: { attempt: 1, outcome: "PENDING" } }, new Date());
    expect(pending?.attempts[0]).toEqual(expect.objectContaining({ outcome: "PENDING" }));
    expect(pending?.attempts[0]).not.toHaveProperty("error");
    expect(pending?.attempts[0]).not.toHaveProperty("answeredAt");
  });

  it("keeps a timed-out send's error beside the outcome an inquiry found later", async () => {
    const seen = await due();
    const timedOut = await ledger.amend(seen, "gone", { answer: { attempt: 1, outcome: "NO_ANSWER", error: "no answer within the time budget", answeredAt: answered } }, new Date());
    const done = await ledger.transition(timedOut!, "SUCCESS", { answer: { attempt: 1, outcome: "SUCCESS", bankReference: "B1" } }, new Date());
    expect(done?.attempts[0]).toEqual(expect.objectContaining({ outcome: "SUCCESS", bankReference: "B1", error: "no answer within the time budget", answeredAt: answered }));
  });
});
