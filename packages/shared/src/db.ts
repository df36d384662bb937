import mongoose, { type Connection } from "mongoose";
import { Histogram, register } from "prom-client";

export interface DatabaseOptions {
  /** mongodb:// URI of the server. */
  uri: string;
  /** Database name; each service and each test file may use its own. */
  dbName: string;
}

/**
 * Opens a dedicated mongoose connection (never the global default, so tests and several
 * services can live in one process). Models are registered on the returned connection by each
 * service's store.ts.
 */
export async function connectDatabase(options: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 20,
    autoIndex: true,
    // Command events feed gerbang_db_command_duration_seconds: round trips and time spent in the
    // database are measured, not guessed (the benchmarks read them from /metrics).
    monitorCommands: true,
  });
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

/** True when a write failed because a unique index already holds the key (MongoDB E11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 11000;
}
