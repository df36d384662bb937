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
  it("gives an attempt its derived id, 8 digits, the same on every later send and inquiry", async () => {
    const key = { referenceNumber: fresh(), attempt: 1, transactionDate: day };
    const id = await ids.forSend(key);
    expect(id).toMatch(/^\d{8}$/);
    expect(id).toBe(candidateId(key.referenceNumber, 1, 0));
    expect(await ids.forSend(key)).toBe(id);
    expect(await ids.forInquiry(key)).toBe(id);
  });

  it("gives a new attempt of the same transfer another id", async () => {
    const referenceNumber = fresh();
    const first = await ids.forSend({ referenceNumber, attempt: 1, transactionDate: day });
    expect(await ids.forSend({ referenceNumber, attempt: 2, transactionDate: day })).not.toBe(first);
  });

  it("never gives two attempts the same id on one day: the second of a colliding pair gets its next candidate, for good", async () => {
    const [a, b] = collidingReferences();
    const idA = await ids.forSend({ referenceNumber: a, attempt: 1, transactionDate: day });
    const idB = await ids.forSend({ referenceNumber: b, attempt: 1, transactionDate: day });
    expect(idB).not.toBe(idA);
    expect(idB).toBe(candidateId(b, 1, 1));
    expect(await ids.forSend({ referenceNumber: b, attempt: 1, transactionDate: day })).toBe(idB);
    expect(await ids.forInquiry({ referenceNumber: b, attempt: 1, transactionDate: day })).toBe(idB);
    expect(await ids.forInquiry({ referenceNumber: a, attempt: 1, transactionDate: day })).toBe(idA);
  });

  it("lets the same id be used on another day (BCA's uniqueness is per day)", async () => {
    const [a, b] = collidingReferences();
    const idA = await ids.forSend({ referenceNumber: a, attempt: 1, transactionDate: day });
    expect(await ids.forSend({ referenceNumber: b, attempt: 1, transactionDate: "2026-11-28" })).toBe(idA);
  });

  it("gives concurrent first sends of one attempt one id", async () => {
    const key = { referenceNumber: fresh(), attempt: 1, transactionDate: day };
    const all = await Promise.all(Array.from({ length: 8 }, () => ids.forSend(key)));
    expect(new Set(all).size).toBe(1);
    expect(await connection.collection("bca_transaction_ids").countDocuments({ referenceNumber: key.referenceNumber })).toBe(1);
  });

  it("asks under the derived id for an attempt never allocated (sent before allocation existed), and stores nothing for it", async () => {
    const key = { referenceNumber: fresh(), attempt: 1, transactionDate: day };
    expect(await ids.forInquiry(key)).toBe(candidateId(key.referenceNumber, 1, 0));
    expect(await connection.collection("bca_transaction_ids").countDocuments({ referenceNumber: key.referenceNumber })).toBe(0);
  });
});
