import { Schema, type Connection, type Model } from "mongoose";
import { connectTestDatabase } from "../../../test/database";
import { isDuplicateKeyError, pingDatabase } from "./db";

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

  it("answers a ping", async () => {
    expect(await pingDatabase(connection)).toBe(true);
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

  it("lets exactly one of many concurrent conditional updates win", async () => {
    await Docs.create({ client: "d", ref: "r3", state: "NEW", version: 0 });
    const racers = Array.from({ length: 20 }, (_, i) =>
      Docs.findOneAndUpdate({ client: "d", ref: "r3", state: "NEW" }, { $set: { state: `WON_BY_${i}` }, $inc: { version: 1 } }, { returnDocument: "after" }).lean(),
    );
    const winners = (await Promise.all(racers)).filter((doc) => doc !== null);
    expect(winners).toHaveLength(1);
    const final = await Docs.findOne({ client: "d", ref: "r3" }).lean();
    expect(final?.version).toBe(1);
    expect(final?.state).toBe(winners[0]?.state);
  });
});
