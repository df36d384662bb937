/**
 * The transfer state machine, in one place. Every change of a transfer's state in the ledger is
 * one conditional update from the expected state (transfer-store.ts asks canTransition first),
 * so two writers can never both move the same transfer, and final states never change.
 *
 *   SENDING   attempt n recorded durably, the bank is being called (a lease names who calls); a
 *             transfer is inserted in it, attempt 1 and the lease included, before the bank call
 *   PENDING   the bank answered "not final" or did not answer: resolved by status inquiry
 *   MANUAL_REVIEW  the resolver gave up asking; a person decides
 *   SUCCESS, FAILED  final
 */
export const TRANSFER_STATES = ["SENDING", "PENDING", "MANUAL_REVIEW", "SUCCESS", "FAILED"] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

/**
 * States a new transfer may be inserted in: SENDING, with attempt 1 already recorded, so that no
 * transfer is ever in the ledger without the attempt that says where it goes and who sends it.
 */
export const INITIAL_STATES: readonly TransferState[] = ["SENDING"];

const NEXT: Record<TransferState, readonly TransferState[]> = {
  SENDING: ["SUCCESS", "FAILED", "PENDING", "MANUAL_REVIEW"],
  PENDING: ["SENDING", "SUCCESS", "FAILED", "MANUAL_REVIEW"], // SENDING: a resend after the bank said NOT_FOUND
  MANUAL_REVIEW: ["SUCCESS", "FAILED"],
  SUCCESS: [],
  FAILED: [],
};

export function canTransition(from: TransferState, to: TransferState): boolean {
  return NEXT[from].includes(to);
}

export function isFinal(state: TransferState): boolean {
  return NEXT[state].length === 0;
}

/** What an app sees: only SUCCESS and FAILED are final; everything else is PENDING. */
export type PublicStatus = "SUCCESS" | "FAILED" | "PENDING";

export function publicStatus(state: TransferState): PublicStatus {
  switch (state) {
    case "SUCCESS": return "SUCCESS";
    case "FAILED": return "FAILED";
    case "SENDING": case "PENDING": case "MANUAL_REVIEW": return "PENDING";
  }
}
