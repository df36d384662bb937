import { connectTestDatabase } from "../../../test/database";
import { candidateId, createTransactionIds, type TransactionIds } from "./transaction-id-store";

// Against the real (embedded) database: the unique indexes are what make ids unique.
let connection: Awaited<ReturnType<typeof connectTestDatabase>>;
let ids: TransactionIds;
beforeAll(async () => {
  connection = await connectTestDatabase("bca_ids");
  ids = await createTransactionIds(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const day = "2026-11-27";
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
