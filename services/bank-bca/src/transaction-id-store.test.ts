import { status } from "@grpc/grpc-js";
import { jakartaDaysBefore, type Connection } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { candidateId, createTransactionIds, RETENTION_DAYS, type TransactionIds } from "./transaction-id-store";

// Against the real (embedded) database: the unique indexes are what make ids unique.
let connection: Connection;
let ids: TransactionIds;
const day = "2026-11-27";
const clock = () => new Date(`${day}T05:00:00Z`); // noon in Jakarta on `day`, whatever day the tests run
beforeAll(async () => {
  connection = await connectTestDatabase("bca_ids");
  ids = await createTransactionIds(connection, { clock });
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

let seq = 0;
const fresh = () => `IDS${Date.now()}N${++seq}`;

/** Two references whose first candidates are equal (~1e4 hashes by the birthday bound). */
function collidingReferences(): [string, string] {
  const seen = new Map<string, string>();
  const prefix = fresh();
  for (let i = 0; i < 1_000_000; i += 1) {
    const reference = `${prefix}X${i}`;
    const id = candidateId(reference, 1, 0);
    const earlier = seen.get(id);
    if (earlier !== undefined) return [earlier, reference];
    seen.set(id, reference);
  }
  throw new Error("no collision among 1e6 references");
}

describe("BCA TransactionID allocation", () => {
  const stored = () => connection.collection("bca_transaction_ids");

  it("gives an attempt its derived id, 8 digits, the same on every later call", async () => {
    const key = { referenceNumber: fresh(), attempt: 1, transactionDate: day };
    const id = await ids.allocate(key);
    expect(id).toMatch(/^\d{8}$/);
    expect(id).toBe(candidateId(key.referenceNumber, 1, 0));
    expect(await ids.allocate(key)).toBe(id);
    expect(await stored().countDocuments({ referenceNumber: key.referenceNumber })).toBe(1);
  });

  it("gives a new attempt of the same transfer another id", async () => {
    const referenceNumber = fresh();
    const first = await ids.allocate({ referenceNumber, attempt: 1, transactionDate: day });
    expect(await ids.allocate({ referenceNumber, attempt: 2, transactionDate: day })).not.toBe(first);
  });

  it("never gives two attempts the same id on one day: the second of a colliding pair gets its next candidate, for good", async () => {
    const [a, b] = collidingReferences();
    const idA = await ids.allocate({ referenceNumber: a, attempt: 1, transactionDate: day });
    const idB = await ids.allocate({ referenceNumber: b, attempt: 1, transactionDate: day });
    expect(idB).not.toBe(idA);
    expect(idB).toBe(candidateId(b, 1, 1));
    expect(await ids.allocate({ referenceNumber: b, attempt: 1, transactionDate: day })).toBe(idB);
    expect(await ids.allocate({ referenceNumber: a, attempt: 1, transactionDate: day })).toBe(idA);
  });

  it("lets the same id be used on another day (BCA's uniqueness is per day)", async () => {
    const [a, b] = collidingReferences();
    const idA = await ids.allocate({ referenceNumber: a, attempt: 1, transactionDate: day });
    expect(await ids.allocate({ referenceNumber: b, attempt: 1, transactionDate: "2026-11-28" })).toBe(idA);
  });

  it("gives concurrent first uses of one attempt one id", async () => {
    const [a, b] = collidingReferences(); // b's calls race through a taken first candidate
    await ids.allocate({ referenceNumber: a, attempt: 1, transactionDate: day });
    const key = { referenceNumber: b, attempt: 1, transactionDate: day };
    const all = await Promise.all(Array.from({ length: 8 }, () => ids.allocate(key)));
    expect(new Set(all).size).toBe(1);
    expect(await stored().countDocuments({ referenceNumber: b })).toBe(1);
  });

  it("holds one id per attempt: the database refuses a second one for the same attempt", async () => {
    const key = { referenceNumber: fresh(), attempt: 1, transactionDate: day };
    await ids.allocate(key);
    const second = stored().insertOne({ _id: `${day}/00000000` as never, referenceNumber: key.referenceNumber, attempt: 1, transactionDate: day, transactionId: "00000000", createdAt: new Date() });
    await expect(second).rejects.toMatchObject({ code: 11000 });
  });
});

describe("BCA TransactionID retention", () => {
  const stored = () => connection.collection("bca_transaction_ids");
  const at = (daysBack: number) => ({ referenceNumber: fresh(), attempt: 1, transactionDate: jakartaDaysBefore(clock(), daysBack) });

  it(`keeps ${RETENTION_DAYS} days and purges what is older (with a day's margin), leaving the days it keeps untouched`, async () => {
    const kept = [at(0), at(RETENTION_DAYS), at(RETENTION_DAYS + 1)];
    for (const key of kept) await ids.allocate({ ...key, transactionDate: jakartaDaysBefore(clock(), 0) }); // allocated today...
    // ...and moved back in time as if allocated then (allocate refuses old days itself, below).
    for (const key of kept) await stored().updateOne({ referenceNumber: key.referenceNumber }, { $set: { transactionDate: key.transactionDate } });
    const old = [at(RETENTION_DAYS + 2), at(300)];
    for (const key of old) {
      await stored().insertOne({ _id: `${key.transactionDate}/12345678` as never, ...key, transactionId: "12345678", createdAt: new Date() });
    }
    expect(await ids.purge()).toBe(2);
    for (const key of kept) expect(await stored().countDocuments({ referenceNumber: key.referenceNumber })).toBe(1);
    for (const key of old) expect(await stored().countDocuments({ referenceNumber: key.referenceNumber })).toBe(0);
    expect(await ids.purge()).toBe(0);
  });

  it("purges a year back on its first run, then a week back each time, as days pass out of the retention", async () => {
    let now = clock();
    const purger = await createTransactionIds(connection, { clock: () => now });
    const store = async (daysBack: number) => {
      const key = at(daysBack);
      await stored().insertOne({ _id: `${key.transactionDate}/${key.referenceNumber}` as never, ...key, transactionId: "87654321", createdAt: new Date() });
      return key;
    };
    const count = (key: { referenceNumber: string }) => stored().countDocuments({ referenceNumber: key.referenceNumber });
    // The first run covers 366 days, from the first day past the retention and its margin.
    const firstRunsLast = await store(RETENTION_DAYS + 2 + 365);
    const beyondFirstRun = await store(RETENTION_DAYS + 2 + 366);
    await purger.purge();
    expect(await count(firstRunsLast)).toBe(0); // a service stopped for months purges what it missed
    expect(await count(beyondFirstRun)).toBe(1);

    const lastKept = await store(RETENTION_DAYS + 1);
    now = new Date(now.getTime() + 86_400_000); // a day later, that day is out of the retention and its margin
    const straggler = await store(RETENTION_DAYS + 20); // appeared after the first run, beyond a later run's week
    await purger.purge();
    expect(await count(lastKept)).toBe(0);
    expect(await count(straggler)).toBe(1);
    purger.close();
  });

  it("neither sends nor asks about an attempt of a day past the retention: its id may be purged and given again", async () => {
    await expect(ids.allocate(at(RETENTION_DAYS))).resolves.toMatch(/^\d{8}$/);
    const tooOld = at(RETENTION_DAYS + 1);
    await expect(ids.allocate(tooOld)).rejects.toMatchObject({
      code: status.FAILED_PRECONDITION, // a refusal of this attempt (gRPC), which does not count against BCA's breaker
      message: expect.stringContaining(`transaction date ${tooOld.transactionDate} is older than the 90 days TransactionIDs are kept`) as string,
    });
    expect(await stored().countDocuments({ referenceNumber: tooOld.referenceNumber })).toBe(0);
  });
});
