import type { ServerUnaryCall } from "@grpc/grpc-js";

/** How long one RPC may spend at the bank, and the signal that enforces it. */
export interface CallBudget {
  /** Milliseconds available; <= 0 means there is no time to even try. */
  readonly ms: number;
  /** Aborts with reason "timeout" when the budget is spent, "cancelled" when the caller goes away. */
  readonly signal: AbortSignal;
  /** Clears the timer and listener; call when the RPC is answered. */
  dispose(): void;
}

/**
 * The budget is the configured bank timeout, cut to the caller's gRPC deadline minus a margin so
 * that our answer (PENDING on a timeout) reaches the caller before its deadline does.
 */
export function callBudget(call: Pick<ServerUnaryCall<unknown, unknown>, "getDeadline" | "once" | "removeListener">, timeoutMs: number, marginMs: number, now = Date.now()): CallBudget {
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const ms = Math.floor(Number.isFinite(deadlineMs) ? Math.min(timeoutMs, deadlineMs - now - marginMs) : timeoutMs);
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort("timeout"); }, Math.max(0, ms));
  const onCancel = () => { controller.abort("cancelled"); };
  call.once("cancelled", onCancel);
  return {
    ms,
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      call.removeListener("cancelled", onCancel);
    },
  };
}
