import { randomBytes } from "node:crypto";
import { connectDatabase, type Connection } from "@gerbang/shared";

/** URI of the database that jest's globalSetup started (or MONGODB_URI). */
export function testDatabaseUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (uri === undefined || uri === "") throw new Error("TEST_MONGODB_URI is not set: run the tests through jest (globalSetup starts the database)");
  return uri;
}

/** A connection to a fresh database of its own, so test files never see each other's data. */
export async function connectTestDatabase(label: string): Promise<Connection> {
  return connectDatabase({ uri: testDatabaseUri(), dbName: `test_${label}_${randomBytes(4).toString("hex")}` });
}
