import type { Socket } from "node:net";
import type { Exchange } from "./http";

/** How long a `timeout` fault holds a socket before closing it (README: 120 s). */
export const DEFAULT_HOLD_MS = 120_000;

/**
 * The waits that faults make: sockets held without an answer, and latency sleeps. Every wait is
 * bounded and ends when the sandbox closes, so no test or process is left hanging.
 */
export interface Holds {
  /** Keeps the connection open without answering, then destroys it after the hold time. */
  hold(ex: Exchange): void;
  /** Sleeps `ms`; false when the sandbox closed meanwhile. */
  sleep(ms: number): Promise<boolean>;
  /** Destroys held sockets and wakes sleepers (sandbox close). */
  closeAll(): void;
}

export function createHolds(holdMs: number): Holds {
  const held = new Map<Socket, NodeJS.Timeout>();
  const sleepers = new Set<() => void>();
  let closed = false;
  return {
    hold(ex) {
      const socket = ex.req.socket;
      ex.log.status = "held";
      if (closed) {
        socket.destroy();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), holdMs);
      held.set(socket, timer);
      socket.once("close", () => {
        clearTimeout(timer);
        held.delete(socket);
      });
    },
    sleep(ms) {
      if (closed) return Promise.resolve(false);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve(false);
        };
        const timer = setTimeout(() => {
          sleepers.delete(wake);
          resolve(true);
        }, ms);
        sleepers.add(wake);
      });
    },
    closeAll() {
      closed = true;
      for (const [socket, timer] of held) {
        clearTimeout(timer);
        socket.destroy();
      }
      held.clear();
      for (const wake of [...sleepers]) wake();
    },
  };
}
