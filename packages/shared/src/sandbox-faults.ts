/**
 * The bank sandboxes' switchable faults (sandbox/README.md, "Faults"), in the order of their magic
 * beneficiary accounts: the n-th is met by 999...NN, NN being n in two digits. One list for the
 * sandboxes, which apply them, and for the tests and tools that ask for them.
 */
export const FAULT_MODES = [
  "latency", "timeout", "error-before", "error-after", "reset", "reset-after",
  "insufficient-funds", "invalid-account", "cutoff", "book-late", "rate-limited", "in-progress", "timeout-after",
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** The beneficiary account whose transfers meet `mode` at every sandbox. */
export function magicAccount(mode: FaultMode): string {
  return `99900000${String(FAULT_MODES.indexOf(mode) + 1).padStart(2, "0")}`;
}

/** The mode a magic beneficiary account stands for: it starts with 999 and ends with the mode's number; undefined for any other account. */
export function faultModeOfAccount(accountNumber: string): FaultMode | undefined {
  const match = /^999\d*(\d\d)$/.exec(accountNumber);
  return match === null ? undefined : FAULT_MODES[Number(match[1]) - 1];
}
