import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@gerbang/shared";
import { testDatabaseUri } from "./database";

const run = promisify(execFile);

/**
 * Jest timeout for a test that runs several commands: each is a cold tsx process loading the
 * gateway's code, one after another, which takes seconds each on a busy 2-core machine (jest's
 * default of 30 s left little room for five of them).
 */
export const COMMANDS_MS = 120_000;

export interface CommandResult { code: number; stdout: string; stderr: string }

/**
 * An operator's command (`scripts/<script>`) as a real process on test database `databaseName`:
 * what it prints and its exit code, as a person would see them. `env` adds settings (e.g. a deadline).
 */
export async function runLedgerCommand(script: string, args: string[], databaseName: string, env: Record<string, string> = {}): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(path.join(repoRoot, "node_modules/.bin/tsx"), [path.join(repoRoot, "scripts", script), ...args], {
      env: { ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DATABASE: databaseName, LOG_LEVEL: "silent", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CommandResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
