import { canTransition, INITIAL_STATES, isFinal, publicStatus, TRANSFER_STATES, type TransferState } from "./transfer-states";

const allowed: [TransferState, TransferState][] = [
  ["SENDING", "SUCCESS"], ["SENDING", "FAILED"], ["SENDING", "PENDING"], ["SENDING", "MANUAL_REVIEW"],
  ["PENDING", "SENDING"], ["PENDING", "SUCCESS"], ["PENDING", "FAILED"], ["PENDING", "MANUAL_REVIEW"],
  ["MANUAL_REVIEW", "SUCCESS"], ["MANUAL_REVIEW", "FAILED"],
];
const key = (from: TransferState, to: TransferState) => `${from}->${to}`;
const allowedKeys = new Set(allowed.map(([from, to]) => key(from, to)));
const refused = TRANSFER_STATES.flatMap((from) => TRANSFER_STATES.map((to) => [from, to] as [TransferState, TransferState]))
  .filter(([from, to]) => !allowedKeys.has(key(from, to)));

describe("transfer state machine", () => {
  it.each(allowed)("allows %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each(refused)("refuses %s -> %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  // Counted from the state table in transfer-states.ts: 5 states, 25 pairs, 4+4+2 moves. Fixed
  // numbers, so a pair added to the table above (or to the code) fails here.
  it("allows exactly the 10 pairs of the table and refuses the other 15, including every move out of SUCCESS and FAILED and every self-loop", () => {
    const pairs = TRANSFER_STATES.flatMap((from) => TRANSFER_STATES.map((to) => [from, to] as const));
    expect(pairs).toHaveLength(25);
    expect(allowed).toHaveLength(10);
    expect(refused).toHaveLength(15);
    expect(new Set(pairs.filter(([from, to]) => canTransition(from, to)).map(([from, to]) => key(from, to)))).toEqual(allowedKeys);
    for (const to of TRANSFER_STATES) {
      expect(canTransition("SUCCESS", to)).toBe(false);
      expect(canTransition("FAILED", to)).toBe(false);
      expect(canTransition(to, to)).toBe(false);
    }
  });

  it("treats only SUCCESS and FAILED as final", () => {
    expect(TRANSFER_STATES.filter(isFinal)).toEqual(["SUCCESS", "FAILED"]);
  });

  it("shows apps PENDING for every non-final state", () => {
    expect(TRANSFER_STATES.map(publicStatus)).toEqual(["PENDING", "PENDING", "PENDING", "SUCCESS", "FAILED"]);
  });

  it("inserts new transfers only as SENDING, with their first attempt", () => {
    expect(INITIAL_STATES).toEqual(["SENDING"]);
  });
});
