import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedDatabase } from "./embedded-db";

// The crash report (console and ferretdb-crash.log) is for a database that died, not for one a
// terminal's Ctrl-C stopped before the launcher did.
describe("startEmbeddedDatabase's crash report", () => {
  const dirs: string[] = [];
  afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
  const start = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gerbang-db-"));
    dirs.push(dir);
    const db = await startEmbeddedDatabase({ dataDir: dir });
    return { db, crashLog: path.join(dir, "ferretdb-crash.log") };
  };
  const waitGone = async (pid: number) => {
    for (let i = 0; i < 200; i++) {
      try { process.kill(pid, 0); } catch { return; }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`pid ${pid} still there`);
  };
  const quiet = () => jest.spyOn(console, "error").mockImplementation(() => undefined);

  it("is written when the database is killed", async () => {
    const { db, crashLog } = await start();
    const errors = quiet();
    try {
      process.kill(db.pid ?? 0, "SIGKILL");
      await waitGone(db.pid ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the exit event
      expect(readFileSync(crashLog, "utf8")).toContain("exited unexpectedly (code -, signal SIGKILL)");
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      await db.stop();
    }
  }, 30_000);

  it("is not written when a signal from outside shuts it down in order", async () => {
    const { db, crashLog } = await start();
    const errors = quiet();
    try {
      process.kill(db.pid ?? 0, "SIGINT");
      await waitGone(db.pid ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(existsSync(crashLog)).toBe(false);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
      await db.stop();
    }
  }, 30_000);
});
