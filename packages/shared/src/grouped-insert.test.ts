import { connectTestDatabase } from "../../../test/database";
import { groupedInsert, type Connection } from "./db";

// Group commit against the real embedded database: who shares a command, and that every caller
// hears its own document's outcome, whatever happened to the others in the batch.

let connection: Connection;
/** Documents per insert command sent to each collection, in order (from the driver's command events). */
const commands = new Map<string, number[]>();
beforeAll(async () => {
  connection = await connectTestDatabase("gw_grouped");
  connection.getClient().on("commandStarted", (event: { commandName: string; command: { insert?: string; documents?: unknown[] } }) => {
    if (event.commandName !== "insert" || event.command.insert === undefined) return;
    commands.set(event.command.insert, [...(commands.get(event.command.insert) ?? []), event.command.documents?.length ?? 0]);
  });
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

/** Test documents choose their own _id (the driver's default typing expects ObjectIds). */
type Doc = { _id: string | string[]; [field: string]: unknown };
const collection = (name: string) => connection.collection<Doc>(name);
const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe("grouped insert", () => {
  it("sends an insert at once when none is in flight and groups those that arrive meanwhile", async () => {
    const insert = groupedInsert(collection("lone"));
    const outcomes = await Promise.all(ids(20, "burst").map((id) => insert({ _id: id })));
    expect(outcomes).toEqual(Array(20).fill("inserted"));
    expect(await insert({ _id: "later" })).toBe("inserted");
    expect(commands.get("lone")).toEqual([1, 19, 1]);
    expect(await collection("lone").countDocuments()).toBe(21);
  });

  it("puts at most maxBatch documents in one command", async () => {
    const insert = groupedInsert(collection("bounded"), 4);
    expect(await Promise.all(ids(10, "b").map((id) => insert({ _id: id })))).toEqual(Array(10).fill("inserted"));
    expect(commands.get("bounded")).toEqual([1, 4, 4, 1]);
  });

  it("tells each caller whether its own document hit a unique index, within the batch or against stored ones", async () => {
    const dups = collection("dups");
    await dups.createIndexes([{ key: { key: 1 }, unique: true }]);
    await dups.insertOne({ _id: "stored", key: "k-stored" });
    const insert = groupedInsert(dups);
    const outcomes = await Promise.all([
      insert({ _id: "first", key: "k-first" }), // goes alone; the rest share the next command
      insert({ _id: "stored", key: "k-other" }), // _id already stored
      insert({ _id: "b1", key: "k-b" }),
      insert({ _id: "b2", key: "k-b" }), // same unique key as b1, in the same batch: the first one wins
      insert({ _id: "c", key: "k-stored" }), // unique key already stored
      insert({ _id: "d", key: "k-d" }),
    ]);
    expect(outcomes).toEqual(["inserted", "duplicate", "inserted", "duplicate", "duplicate", "inserted"]);
    const stored = await dups.find({}, { sort: { _id: 1 } }).toArray();
    expect(stored.map((d) => `${String(d._id)}:${String(d.key)}`)).toEqual(["b1:k-b", "d:k-d", "first:k-first", "stored:k-stored"]);
  });

  it("rejects only the caller whose document the database refused for another reason", async () => {
    const insert = groupedInsert(collection("refused"));
    const settled = await Promise.allSettled([
      insert({ _id: "first" }),
      insert({ _id: "ok-1" }),
      insert({ _id: ["an", "array"] }), // an array is never a valid _id: refused, not a duplicate
      insert({ _id: "ok-2" }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(await collection("refused").countDocuments()).toBe(3);
    expect(await insert({ _id: "after" })).toBe("inserted"); // the batcher goes on
  });

  it("rejects every caller of a batch whose whole command failed, then goes on", async () => {
    const insert = groupedInsert(collection("whole"));
    const tooLarge = "x".repeat(17 * 1024 * 1024); // over the 16 MB document limit: the driver refuses the whole command
    const settled = await Promise.allSettled([insert({ _id: "first" }), insert({ _id: "big", tooLarge }), insert({ _id: "small" })]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(await insert({ _id: "after" })).toBe("inserted");
    expect((await collection("whole").find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual(["after", "first"]);
  });

  it("rejects every caller when the database refuses the whole command: the driver reports it as a bulk error without write errors", async () => {
    const insert = groupedInsert(collection("bad$name")); // the server refuses the namespace, not any document
    const settled = await Promise.allSettled([insert({ _id: "first" }), insert({ _id: "a" }), insert({ _id: "b" })]);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
  });
});
