/**
 * TEST-ONLY crash points on the way of a transfer to the bank (GATEWAY_FAILPOINT): the request
 * path's, and the resolver's re-send. The fault suite and failpoint-process.test.ts set one per
 * gateway process to SIGKILL it at an exact step, then check that the restarted system loses and
 * doubles nothing. Off (undefined) in every real deployment; hit() then costs one comparison.
 *
 *   after-record        the transfer is in the ledger (SENDING, attempt 1); nothing was sent
 *   after-sending-mark  the request was handed to the bank service; no answer processed
 *   after-bank-answer   the bank service answered; the answer is not in the ledger
 *   before-reply        the answer is in the ledger; the app gets no reply
 *   resend-recorded     the resolver recorded a re-send, or a new day's attempt in place of one
 *                       that never left (SENDING, under its lease); nothing was sent
 *   resend-answered     that call returned (the bank's answer, or the gateway's own "not sent" or
 *                       "no answer"); nothing of it is in the ledger
 */
export const FAILPOINTS = ["after-record", "after-sending-mark", "after-bank-answer", "before-reply", "resend-recorded", "resend-answered"] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

/**
 * How long after dispatching the bank call `after-sending-mark` waits before killing: on loopback
 * the request has reached the bank service by then even on a channel that still had to connect
 * on a loaded machine (25 ms was measured too short for a cold process, and 200 ms proved a guess
 * under load), and a bank call that takes longer is cut mid-flight. If the answer comes sooner,
 * the kill happens on its arrival, before it is used: with real bank services that is the usual case.
 */
export const SENDING_MARK_SETTLE_MS = 1_000;

export interface Failpoints {
  /** Kills the process if `point` is the configured one. */
  hit(point: Failpoint): void;
  /** For after-sending-mark: kills once the call has had time to leave, or when it answers, whichever is first. */
  afterDispatch<T>(call: Promise<T>): Promise<T>;
}

export function createFailpoints(active: Failpoint | undefined, kill: () => void = () => { process.kill(process.pid, "SIGKILL"); }): Failpoints {
  return {
    hit: (point) => {
      if (point === active) kill();
    },
    afterDispatch: async (call) => {
      if (active !== "after-sending-mark") return call;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([call.catch(() => undefined), new Promise((resolve) => { timer = setTimeout(resolve, SENDING_MARK_SETTLE_MS); })]);
      clearTimeout(timer);
      kill();
      return call;
    },
  };
}
