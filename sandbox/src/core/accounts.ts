import type { FixtureAccount } from "@gerbang/shared";
import { faultForAccount } from "./faults";

/** An account held at a sandbox bank, as the fixtures open it; balance in whole rupiah; `corporate`: a transfer may debit only such an account. */
export type Account = FixtureAccount;

/** The bank's accounts. Only the ledger changes balances, inside one synchronous booking step. */
export interface Accounts {
  /** The account, opening a magic fault account (999...0N) on first use; undefined when unknown. */
  find(accountNumber: string): Account | undefined;
  list(): Account[];
  /** Back to the fixtures (admin reset). */
  reset(): void;
}

export function createAccounts(fixtures: () => FixtureAccount[]): Accounts {
  let byNumber = new Map<string, Account>();
  const reset = () => {
    byNumber = new Map(fixtures().map((a) => [a.accountNumber, { ...a }]));
  };
  reset();
  return {
    find(accountNumber) {
      const existing = byNumber.get(accountNumber);
      if (existing !== undefined) return existing;
      // README: a magic fault account is an active account of this bank, opened on first use,
      // so latency and the "-after" faults book like any other transfer.
      if (faultForAccount(accountNumber) === undefined) return undefined;
      const opened: Account = { accountNumber, accountName: `SANDBOX FAULT ${accountNumber.slice(-2)}`, balance: 0n, status: "ACTIVE" };
      byNumber.set(accountNumber, opened);
      return opened;
    },
    list: () => [...byNumber.values()],
    reset,
  };
}
