import mongoose, { mongo, type Connection, type Model } from "mongoose";
import { Histogram, register } from "prom-client";

/** A database connection, as every store takes it: callers name it from here, only stores import mongoose. */
export type { Connection };

export interface DatabaseOptions {
  /** mongodb:// URI of the server. */
  uri: string;
  /** Database name; each service and each test file may use its own. */
  dbName: string;
  /** A command with no answer for this long fails (DATABASE_COMMAND_TIMEOUT_MS below); new connections get at most 5 s. */
  commandTimeoutMs?: number;
  /**
   * Whether the models build their missing indexes (default true: a service sets up its own
   * collections). An operator's command opens the services' database: building an index there,
   * on a large ledger, is the services' start-up's business, not a read's.
   */
  autoIndex?: boolean;
}

/**
 * A command the database has not answered in 20 s fails instead of waiting forever: a hung
 * command must not hold up the resolver's rounds or the grouped inserts behind it with nothing to
 * show. A transfer insert that fails this way "may have been recorded" (9xx, retry with the same
 * clientReferenceNo), and an insert that lands later than the lease covers is never sent by its
 * request. The services' commands are point reads and writes and scans of due transfers through
 * an index, far below this; a batch tool that scans the ledger by date (reconcile) passes its own.
 * A read that fails so is retried once by the driver, on a new connection, which a database that
 * does not answer cannot open either: 5 s at most (the driver's default is 30 s).
 */
export const DATABASE_COMMAND_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens a dedicated mongoose connection (never the global default, so tests and several
 * services can live in one process). Models are registered on the returned connection by each
 * service's store.ts.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: 5000,
    socketTimeoutMS: options.commandTimeoutMs ?? DATABASE_COMMAND_TIMEOUT_MS,
    connectTimeoutMS: Math.min(CONNECT_TIMEOUT_MS, options.commandTimeoutMs ?? CONNECT_TIMEOUT_MS),
    maxPoolSize: 20,
    autoIndex: options.autoIndex ?? true,
    // "Durable before the bank call" on a production replica set: a write is acknowledged only
    // once a majority has it in its journal, so a failover cannot roll back a transfer whose bank
    // call followed (w:1 can). A majority out of reach fails the write after wtimeout (it may still
    // have been applied: 9xx) rather than hanging it. The embedded FerretDB ignores write concern;
    // SQLite syncs each commit.
    writeConcern: { w: "majority", journal: true, wtimeoutMS: 10_000 },
    // And reads see only what a majority has: an app shown a state (a FAILED it may retry under a
    // new reference) must never see it rolled back by a failover. FerretDB ignores read concern.
    readConcern: { level: "majority" },
    // Command events feed gerbang_db_command_duration_seconds: round trips and time spent in the
    // database are measured, not guessed (the benchmarks read them from /metrics).
    monitorCommands: true,
  });
  // A URI the driver cannot read leaves no client: say what the driver says (it never quotes the password).
  if ((connection.getClient() as mongo.MongoClient | undefined) === undefined) {
    await connection.asPromise().catch((error: unknown) => { throw new Error(`MONGODB_URI is not usable: ${error instanceof Error ? error.message : String(error)}`); });
  }
  const histogram = commandHistogram();
  connection.getClient().on("commandSucceeded", (event: { commandName: string; duration: number }) => {
    histogram.observe({ command: event.commandName, outcome: "ok" }, event.duration / 1000);
  });
  connection.getClient().on("commandFailed", (event: { commandName: string; duration: number }) => {
    histogram.observe({ command: event.commandName, outcome: "error" }, event.duration / 1000);
  });
  await connection.asPromise();
  return connection;
}

/** One histogram per process in prom-client's default registry, shared by every connection. */
function commandHistogram(): Histogram {
  const name = "gerbang_db_command_duration_seconds";
  const existing = register.getSingleMetric(name);
  if (existing instanceof Histogram) return existing;
  return new Histogram({
    name,
    help: "Database round trips by command and outcome, with their duration.",
    labelNames: ["command", "outcome"],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
  });
}

/** True when the server answers a ping (readiness checks). */
export async function pingDatabase(connection: Connection): Promise<boolean> {
  try {
    const db = connection.db;
    if (db === undefined) return false;
    await db.admin().ping();
    return true;
  } catch {
    return false;
  }
}

/** The database server's clock (`hello`'s localTime, to the millisecond) and this host's just before and after asking, ms since the epoch. */
export interface ServerClockReading { sentAt: number; serverTime: number; receivedAt: number }

export async function readServerClock(connection: Connection): Promise<ServerClockReading> {
  const db = connection.db;
  if (db === undefined) throw new Error("the database connection is not open");
  const sentAt = Date.now();
  const hello = await db.admin().command({ hello: 1 });
  const receivedAt = Date.now();
  const localTime: unknown = hello.localTime;
  if (!(localTime instanceof Date) || Number.isNaN(localTime.getTime())) throw new Error("the database's hello answered no localTime");
  return { sentAt, serverTime: localTime.getTime(), receivedAt };
}

/**
 * Creates a model's indexes (Model.init), then checks that every unique one the code relies on is
 * really there, `_id`'s included. FerretDB creates a collection and its `_id` index in separate
 * commits, so a crash between them leaves a collection whose `_id` is not unique, which init()
 * does not notice (it never creates `_id_`): two documents with one key would then both be stored.
 * Refusing to start says so instead.
 */
export async function initUniqueIndexes<T>(model: Model<T>): Promise<void> {
  await model.init();
  const present = await model.collection.indexes();
  const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);
  const wanted = [{ _id: 1 }, ...model.schema.indexes().filter(([, options]) => options.unique === true).map(([key]) => key)];
  const missing = wanted.filter((key) => !present.some((index) => same(index.key, key) && (index.unique === true || index.name === "_id_")));
  if (missing.length > 0) {
    throw new Error(`collection ${model.collection.collectionName} lacks unique index ${missing.map((key) => JSON.stringify(key)).join(", ")}: keys the code relies on are not unique; repair the database before starting`);
  }
}

/** True when a write failed because a unique index already holds the key (MongoDB E11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}

/** What happened to one grouped insert's document: written, or refused by a unique index. Anything else rejects. */
export type InsertOutcome = "inserted" | "duplicate";

/** The most documents per command: FerretDB writes up to 100 per SQLite transaction (its batch size). */
const MAX_GROUPED_INSERTS = 100;

interface WaitingInsert<T extends mongo.Document> {
  doc: mongo.OptionalUnlessRequiredId<T>;
  resolve: (outcome: InsertOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit for one collection's inserts. An insert goes out at once when none of this
 * collection's is in flight; inserts that arrive meanwhile wait for it, then go together as one
 * unordered insertMany. The database commits (and, embedded, fsyncs) once per command, so under
 * load N concurrent transfers share one commit, while a lone request waits for nothing. Measured
 * on the embedded FerretDB: ~490 µs of its CPU for a one-document insert, ~160 µs per document in
 * fours, ~75 µs in sixteens.
 *
 * Each caller learns its own document's outcome. Durability is unchanged: a caller hears
 * "inserted" only once the command that wrote its document has returned. A failure of the whole
 * command rejects every caller of the batch, and some documents may have been written anyway,
 * exactly as when a single insert's answer is lost: the callers' idempotency covers both.
 */
export function groupedInsert<T extends mongo.Document>(collection: mongo.Collection<T>, maxBatch = MAX_GROUPED_INSERTS): (doc: mongo.OptionalUnlessRequiredId<T>) => Promise<InsertOutcome> {
  let waiting: WaitingInsert<T>[] = [];
  let inFlight = false;
  const drain = async () => {
    inFlight = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      await insertBatch(collection, batch);
    }
    inFlight = false;
  };
  return (doc) => new Promise<InsertOutcome>((resolve, reject) => {
    waiting.push({ doc, resolve, reject });
    if (!inFlight) void drain();
  });
}

/** Sends one command for the batch (insertOne when alone: the driver's bulk path costs more) and settles every caller; never throws. */
async function insertBatch<T extends mongo.Document>(collection: mongo.Collection<T>, batch: WaitingInsert<T>[]): Promise<void> {
  const [alone] = batch;
  try {
    if (batch.length === 1 && alone !== undefined) await collection.insertOne(alone.doc);
    else await collection.insertMany(batch.map((w) => w.doc), { ordered: false });
    for (const w of batch) w.resolve("inserted");
  } catch (error) {
    const refused = refusals(error, batch.length);
    if (refused === undefined) {
      for (const w of batch) w.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    batch.forEach((w, i) => {
      const e = refused.get(i);
      if (e === undefined) w.resolve("inserted");
      else if (e.code === 11000) w.resolve("duplicate");
      else w.reject(new mongo.MongoServerError({ message: e.errmsg ?? "insert refused", code: e.code }));
    });
  }
}

/**
 * The documents the database refused one by one, by index in the batch; undefined when the whole
 * command failed, or when a write concern error leaves every document in doubt. The driver wraps
 * a failure of the whole command (network, server selection, a refused namespace) in the same
 * MongoBulkWriteError, with no write errors: only an answer that accounts for every document
 * (inserted or refused) says which were written.
 */
function refusals(error: unknown, size: number): Map<number, { code?: number | undefined; errmsg?: string | undefined }> | undefined {
  if (size === 1) return isDuplicateKeyError(error) ? new Map([[0, { code: 11000 }]]) : undefined;
  if (!(error instanceof mongo.MongoBulkWriteError) || error.result.getWriteConcernError() !== undefined) return undefined;
  const refused = new Map([error.writeErrors].flat().map((e) => [e.index, e]));
  return error.result.insertedCount + refused.size === size ? refused : undefined;
}
