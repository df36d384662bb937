import path from "node:path";
import { repoRoot, startEmbeddedDatabase } from "@gerbang/shared";

/**
 * Starts the embedded database once for the whole jest run, unless MONGODB_URI points at one.
 * Suites read the URI from TEST_MONGODB_URI and use a database of their own.
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.MONGODB_URI;
  if (given !== undefined && given !== "") {
    process.env.TEST_MONGODB_URI = given;
    return;
  }
  const dataDir = path.join(repoRoot, ".state/test-db", String(process.pid));
  const db = await startEmbeddedDatabase({ dataDir });
  process.env.TEST_MONGODB_URI = db.uri;
  (globalThis as { __gerbangDb__?: typeof db }).__gerbangDb__ = db;
}
