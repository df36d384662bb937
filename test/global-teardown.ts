import { rmSync } from "node:fs";
import path from "node:path";
import { repoRoot, type EmbeddedDatabase } from "@gerbang/shared";

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __gerbangDb__?: EmbeddedDatabase }).__gerbangDb__;
  if (db === undefined) return;
  await db.stop();
  rmSync(path.join(repoRoot, ".state/test-db", String(process.pid)), { recursive: true, force: true });
}
