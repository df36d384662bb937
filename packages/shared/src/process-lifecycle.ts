import { MAX_SETTING } from "./config";
import type { Logger } from "./logger";

/** A started process: what it logs with, and how it stops gracefully. */
export interface RunningProcess {
  logger: Logger;
  stop(): Promise<void>;
  /** Exit 1 if stopping takes longer than this (something hangs); unbounded when absent. */
  stopTimeoutMs?: number;
}

/**
 * The life of every service process, written once for all their main.ts: start it; on the first
 * SIGTERM or SIGINT log, stop it gracefully and exit 0 (1 when stopping fails or overruns); a
 * start that fails is printed and exits 1.
 */
export function runProcess(name: string, start: () => Promise<RunningProcess>): void {
  start().then((running) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      running.logger.info({ signal }, "stopping");
      if (running.stopTimeoutMs !== undefined) {
        // A sum of settings can pass a timer's limit, beyond which Node fires it after 1 ms.
        setTimeout(() => { running.logger.error("shutdown took too long; exiting"); process.exit(1); }, Math.min(running.stopTimeoutMs, MAX_SETTING)).unref();
      }
      running.stop().then(() => process.exit(0), (error: unknown) => {
        running.logger.error({ err: error }, "stop failed");
        process.exit(1);
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }, (error: unknown) => {
    process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
