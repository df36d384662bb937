import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedDatabase } from "./embedded-db";

// The crash report (console and ferretdb-crash.log) is for a database that died, not for one a
// terminal's Ctrl-C stopped before the launcher did.
describe("startEmbeddedDatabase's crash report", () => {
  const dirs: string[] = [];
  afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

  /** Starts a database, sends it `signal` from outside, and returns what was reported once it is gone. */
  const stoppedFromOutside = async (signal: NodeJS.Signals) => {
    const dir = mkdtempSync(path.join(tmpdir(), "gerbang-db-"));
    dirs.push(dir);
    const db = await startEmbeddedDatabase({ dataDir: dir });
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      // Never pid 0: that would signal this whole process group, jest included.
      if (db.pid === undefined || db.pid <= 0) throw new Error("the embedded database has no pid");
      process.kill(db.pid, signal);
      // Gone means this process reaped it, and Node emits "exit" (the crash report) in that same
      // callback: no wait for the event is needed.
      await waitGone(db.pid);
      const crashLog = path.join(dir, "ferretdb-crash.log");
      return { crashLog: existsSync(crashLog) ? readFileSync(crashLog, "utf8") : undefined, reported: errors.mock.calls.length > 0 };
    } finally {
      errors.mockRestore();
      await db.stop();
    }
  };

  it("is written when the database is killed", async () => {
    const { crashLog, reported } = await stoppedFromOutside("SIGKILL");
    expect(crashLog).toContain("exited unexpectedly (code -, signal SIGKILL)");
    expect(reported).toBe(true);
  }, 30_000);

  it("is not written when a signal from outside shuts it down in order", async () => {
    expect(await stoppedFromOutside("SIGINT")).toEqual({ crashLog: undefined, reported: false });
  }, 30_000);
});

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pid ${pid} still there`);
}
