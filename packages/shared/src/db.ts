import mongoose, { type Connection } from "mongoose";

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
  });
  await connection.asPromise();
  return connection;
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
