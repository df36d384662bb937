import net from "node:net";
import { Schema, type Connection, type Model } from "mongoose";
import { connectTestDatabase, testDatabaseUri } from "../../../test/database";
import { connectDatabase, initUniqueIndexes, isDuplicateKeyError, pingDatabase } from "./db";

// What the ledger relies on, proven against the real embedded database (FerretDB on SQLite):
// unique compound indexes, conditional updates, and exactly one winner among concurrent updates.
interface Doc { client: string; ref: string; state: string; version: number }

describe("database guarantees the ledger relies on", () => {
  let connection: Connection;
  let Docs: Model<Doc>;
  beforeAll(async () => {
    connection = await connectTestDatabase("db");
    const schema = new Schema<Doc>({ client: String, ref: String, state: String, version: Number });
    schema.index({ client: 1, ref: 1 }, { unique: true });
    Docs = connection.model<Doc>("Doc", schema);
    await Docs.init();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it("refuses a URI the driver cannot read with its reason, never quoting the password", async () => {
    const refused = connectDatabase({ uri: "mongdb://admin:TopSecret@127.0.0.1/", dbName: "x" });
    await expect(refused).rejects.toThrow(/^MONGODB_URI is not usable: Invalid scheme/);
    await refused.catch((error: unknown) => { expect(String(error)).not.toContain("TopSecret"); });
  });

  it("answers a ping", async () => {
    expect(await pingDatabase(connection)).toBe(true);
  });

  /** `field` of every command named in `names` that `work` sends, as the driver sent it. */
  async function sentWith(names: string[], field: string, work: () => Promise<unknown>): Promise<unknown[]> {
    const seen: unknown[] = [];
    const watch = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (names.includes(event.commandName)) seen.push(event.command[field]);
    };
    connection.getClient().on("commandStarted", watch);
    try {
      await work();
    } finally {
      connection.getClient().off("commandStarted", watch);
    }
    return seen;
  }

  it("asks for majority, journaled writes (what keeps an acknowledged transfer through a replica set's failover)", async () => {
    const concerns = await sentWith(["insert", "findAndModify", "update"], "writeConcern", async () => {
      await Docs.collection.insertOne({ client: "wc", ref: "r0", state: "NEW", version: 0 });
      await Docs.findOneAndUpdate({ client: "wc", ref: "r0" }, { $set: { state: "DONE" } }).lean();
    });
    expect(concerns).toEqual([{ w: "majority", j: true, wtimeout: 10_000 }, { w: "majority", j: true, wtimeout: 10_000 }]);
  });

  it("reads with majority read concern (what an app is shown is never rolled back by a failover)", async () => {
    const concerns = await sentWith(["find", "count", "aggregate"], "readConcern", async () => {
      await Docs.findOne({ client: "rc" }).lean();
      await Docs.collection.findOne({ client: "rc" });
    });
    expect(concerns).toEqual([{ level: "majority" }, { level: "majority" }]);
  });

  it("fails a command the database stops answering after the command timeout, instead of waiting forever", async () => {
    const proxy = await stallingProxy(new URL(testDatabaseUri()).port);
    const stalled = await connectDatabase({ uri: `mongodb://127.0.0.1:${proxy.port}/`, dbName: connection.name, commandTimeoutMs: 3_000 });
    try {
      // Answers through the proxy until it stalls: the timeout below is the stall, not a bad route.
      await expect(stalled.collection("docs").countDocuments()).resolves.toEqual(expect.any(Number));
      proxy.stall(); // the server still holds the connection but answers nothing: a hung command
      await expect(stalled.collection("docs").findOne({ client: "nobody" })).rejects.toThrow(/timed out/);
    } finally {
      await stalled.close(true);
      proxy.close();
    }
  });

  it("starts only when every unique index the schema declares exists, _id's included", async () => {
    await expect(initUniqueIndexes(Docs)).resolves.toBeUndefined();
    // A unique index the database does not have (here never built; after a FerretDB crash between
    // its commits, _id's own): starting would let two documents share a key.
    const unbuilt = new Schema<Doc>({ client: String, ref: String }, { autoIndex: false });
    unbuilt.index({ client: 1, ref: 1 }, { unique: true });
    const Unbuilt = connection.model<Doc>("Unbuilt", unbuilt);
    await Unbuilt.createCollection();
    await expect(initUniqueIndexes(Unbuilt)).rejects.toThrow(/collection unbuilts lacks unique index \{"client":1,"ref":1\}/);
  });

  it("rejects a duplicate insert on a unique compound index with E11000", async () => {
    await Docs.create({ client: "a", ref: "r1", state: "NEW", version: 0 });
    await Docs.create({ client: "b", ref: "r1", state: "NEW", version: 0 }); // other client: allowed
    const duplicate = Docs.create({ client: "a", ref: "r1", state: "NEW", version: 0 });
    await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    await duplicate.catch((error: unknown) => { expect(isDuplicateKeyError(error)).toBe(true); });
    expect(await Docs.countDocuments({ client: "a", ref: "r1" })).toBe(1);
  });

  it("changes a document with findOneAndUpdate only from the expected state", async () => {
    await Docs.create({ client: "c", ref: "r2", state: "NEW", version: 0 });
    const wrongState = await Docs.findOneAndUpdate({ client: "c", ref: "r2", state: "SENT" }, { $set: { state: "DONE" } }, { returnDocument: "after" }).lean();
    expect(wrongState).toBeNull();
    const moved = await Docs.findOneAndUpdate({ client: "c", ref: "r2", state: "NEW" }, { $set: { state: "SENT" } }, { returnDocument: "after" }).lean();
    expect(moved?.state).toBe("SENT");
    expect((await Docs.findOne({ client: "c", ref: "r2" }).lean())?.state).toBe("SENT");
  });

  it("finds by a string field or $in strings with MongoDB's semantics, arrays included, through an index", async () => {
    // scripts/ferretdb-v1.24.2.patch narrows such queries in SQLite with an index on the field
    // (the resolver's {state: {$in}} read every transfer before); the narrowing must keep every
    // document MongoDB would match, an array holding the value included.
    const c = connection.collection<{ _id: string; state?: unknown }>("pushdown");
    await c.createIndexes([{ key: { state: 1, due: 1 } }]);
    await c.insertMany([
      { _id: "a", state: "A" }, { _id: "b", state: "B" }, { _id: "arr", state: ["C", "A"] }, { _id: "none" },
      { _id: "num", state: 7 }, { _id: "obj", state: { x: "A" } }, { _id: "quoted", state: 'say "hi" \\ é' },
    ]);
    const ids = async (filter: object) => (await c.find(filter).toArray()).map((d) => d._id).sort((x, y) => x.localeCompare(y));
    expect(await ids({ state: "A" })).toEqual(["a", "arr"]);
    expect(await ids({ state: { $in: ["B", "C"] } })).toEqual(["arr", "b"]);
    expect(await ids({ state: 'say "hi" \\ é' })).toEqual(["quoted"]);
    expect(await ids({ state: { $in: ["A", null] } })).toEqual(["a", "arr", "none"]); // null matches a missing field: not narrowed
    expect(await ids({ state: "A", _id: { $ne: "a" } })).toEqual(["arr"]);
    expect(await ids({ state: { $in: ["A"] }, $or: [{ _id: "a" }, { _id: "b" }] })).toEqual(["a"]);
    expect(await c.countDocuments({ state: { $in: ["A", "B"] } })).toBe(3);
    expect(await c.find({ state: { $in: ["A", "B"] } }).explain()).toMatchObject({ filterPushdown: true });
  });

  it("lets exactly one of concurrent conditional updates win, across connections", async () => {
    // FerretDB v1.24.2 as released ran the query and the write of an update separately, so
    // racers on one document both won in 190 of 200 rounds; scripts/ferretdb-v1.24.2.patch
    // serializes them per collection. Two connections, so the racers really run in parallel.
    const other = await connectDatabase({ uri: testDatabaseUri(), dbName: connection.name });
    const OtherDocs = other.model<Doc>("Doc", Docs.schema);
    try {
      const rounds = await Promise.all(Array.from({ length: 40 }, async (_, round) => {
        const ref = `race-${round}`;
        await Docs.create({ client: "d", ref, state: "NEW", version: 0 });
        const racers = [Docs, OtherDocs, Docs, OtherDocs].map((M, i) =>
          M.findOneAndUpdate({ client: "d", ref, state: "NEW" }, { $set: { state: `WON_BY_${i}` }, $inc: { version: 1 } }, { returnDocument: "after" }).lean());
        const winners = (await Promise.all(racers)).filter((doc) => doc !== null);
        const final = await Docs.findOne({ client: "d", ref }).lean();
        return { winners: winners.length, version: final?.version, sameState: final?.state === winners[0]?.state };
      }));
      expect(rounds.filter((r) => r.winners !== 1 || r.version !== 1 || !r.sameState)).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

/** A TCP proxy to the database that, once stalled, keeps every connection open and passes nothing either way. */
async function stallingProxy(targetPort: string): Promise<{ port: number; stall: () => void; close: () => void }> {
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), "127.0.0.1");
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on("data", (chunk: Buffer) => { if (!stalled) to.write(chunk); });
      from.on("error", () => { to.destroy(); });
      from.on("close", () => { to.destroy(); sockets.delete(from); });
    }
  });
  await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
  return {
    port: (server.address() as net.AddressInfo).port,
    stall: () => { stalled = true; },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
