import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FixtureAccount } from "@gerbang/shared";
import { createAccounts } from "./accounts";
import { fileJournal } from "./journal";
import { createLedger, type TransferOrder } from "./ledger";

const fixtures = (): FixtureAccount[] => [
  { accountNumber: "100", accountName: "ESCROW", balance: 1_000_000_000n, status: "ACTIVE", corporate: true },
  { accountNumber: "101", accountName: "POOR", balance: 5_000n, status: "ACTIVE", corporate: true },
  { accountNumber: "200", accountName: "BENEFICIARY", balance: 0n, status: "ACTIVE" },
  { accountNumber: "201", accountName: "SLEEPY", balance: 0n, status: "DORMANT" },
  { accountNumber: "202", accountName: "GONE", balance: 0n, status: "CLOSED" },
];

function setup() {
  const accounts = createAccounts(fixtures);
  const ledger = createLedger(accounts, () => Date.parse("2026-11-26T03:00:00Z"));
  let n = 0;
  const order = (over: Partial<TransferOrder> = {}): TransferOrder => {
    n += 1;
    const id = `R${n}`;
    return { key: id, requestId: id, kind: "INTRABANK", sourceAccountNumber: "100", beneficiaryAccountNumber: "200", beneficiaryBankCode: "009", amount: 1_000n, echo: {}, ...over };
  };
  const submit = (o: TransferOrder) => {
    expect(ledger.claim(o)).toBeUndefined();
    return ledger.settle(o.key);
  };
  const balance = (n: string) => accounts.find(n)?.balance;
  return { accounts, ledger, order, submit, balance };
}

describe("ledger booking", () => {
  it("books intrabank: debits the source, credits the beneficiary, writes one entry", () => {
    const { ledger, order, submit, balance } = setup();
    const outcome = submit(order({ amount: 2_475_000n }));
    expect(outcome.state).toBe("BOOKED");
    expect(balance("100")).toBe(1_000_000_000n - 2_475_000n);
    expect(balance("200")).toBe(2_475_000n);
    expect(ledger.entries()).toHaveLength(1);
    expect(ledger.entries()[0]).toMatchObject({ requestId: "R1", kind: "INTRABANK", amount: 2_475_000n });
    expect(ledger.entries()[0]?.journalNo).toMatch(/^\d{13}$/);
  });

  it("books interbank to any account number: debit only, entry names the other bank", () => {
    const { ledger, order, submit, balance } = setup();
    expect(submit(order({ kind: "INTERBANK", beneficiaryAccountNumber: "5555", beneficiaryBankCode: "014" })).state).toBe("BOOKED");
    expect(balance("100")).toBe(1_000_000_000n - 1_000n);
    expect(ledger.entries()[0]).toMatchObject({ kind: "INTERBANK", beneficiaryBankCode: "014", beneficiaryAccountNumber: "5555" });
  });

  it("never books a request id twice: a second claim returns the first record and changes nothing", () => {
    const { ledger, order, submit, balance } = setup();
    const first = order();
    submit(first);
    const again = ledger.claim({ ...first, amount: 9n });
    expect(again?.outcome.state).toBe("BOOKED");
    expect(ledger.settle(first.key)).toEqual(again?.outcome);
    expect(ledger.entries()).toHaveLength(1);
    expect(balance("200")).toBe(1_000n);
  });

  it.each([
    ["unknown source", { sourceAccountNumber: "999" }, "source-invalid"],
    ["a source that is not the company's own (a beneficiary's account)", { sourceAccountNumber: "200", beneficiaryAccountNumber: "100" }, "source-invalid"],
    ["unknown beneficiary", { beneficiaryAccountNumber: "777" }, "invalid-account"],
    ["beneficiary equal to source", { beneficiaryAccountNumber: "100" }, "invalid-account"],
    ["dormant beneficiary", { beneficiaryAccountNumber: "201" }, "dormant"],
    ["closed beneficiary", { beneficiaryAccountNumber: "202" }, "closed"],
    ["insufficient funds", { sourceAccountNumber: "101", amount: 5_001n }, "insufficient-funds"],
    ["intrabank over Rp500,000,000", { amount: 500_000_001n }, "limit-exceeded"],
    ["interbank over Rp250,000,000", { kind: "INTERBANK" as const, amount: 250_000_001n, beneficiaryBankCode: "014" }, "limit-exceeded"],
  ])("refuses %s, records the refusal and moves no money", (_why, over: Partial<TransferOrder>, refusal) => {
    const { ledger, order, submit, accounts } = setup();
    const before = accounts.list().map((a) => a.balance);
    const o = order(over);
    expect(submit(o)).toEqual({ state: "REFUSED", refusal });
    expect(ledger.find(o.key)?.outcome).toEqual({ state: "REFUSED", refusal });
    expect(accounts.list().map((a) => a.balance)).toEqual(before);
    expect(ledger.entries()).toHaveLength(0);
  });

  it("accepts exactly the limits and exactly the whole balance", () => {
    const { order, submit, balance } = setup();
    expect(submit(order({ amount: 500_000_000n })).state).toBe("BOOKED");
    expect(submit(order({ kind: "INTERBANK", amount: 250_000_000n, beneficiaryBankCode: "014" })).state).toBe("BOOKED");
    expect(submit(order({ sourceAccountNumber: "101", amount: 5_000n })).state).toBe("BOOKED");
    expect(balance("101")).toBe(0n);
  });

  it("applies a forced (fault) refusal without moving money", () => {
    const { ledger, order, balance } = setup();
    const o = order();
    ledger.claim(o);
    expect(ledger.settle(o.key, "cutoff")).toEqual({ state: "REFUSED", refusal: "cutoff" });
    expect(balance("100")).toBe(1_000_000_000n);
  });

  it("keeps a claimed request PENDING until settled", () => {
    const { ledger, order } = setup();
    const o = order();
    ledger.claim(o);
    expect(ledger.find(o.key)?.outcome).toEqual({ state: "PENDING" });
  });

  it("notes every id that comes again, and whether its first request was still PENDING then", () => {
    const { ledger, order } = setup();
    const o = order();
    ledger.claim(o);
    expect(ledger.claim(o)?.outcome).toEqual({ state: "PENDING" });
    ledger.settle(o.key);
    expect(ledger.claim(o)?.outcome.state).toBe("BOOKED");
    expect(ledger.repeats()).toEqual([{ requestId: o.requestId, whileInProgress: true }, { requestId: o.requestId, whileInProgress: false }]);
    ledger.reset();
    expect(ledger.repeats()).toEqual([]);
  });

  it("opens a magic fault account on first use as an active account", () => {
    const { order, submit, balance, accounts } = setup();
    expect(submit(order({ beneficiaryAccountNumber: "99900001" })).state).toBe("BOOKED");
    expect(balance("99900001")).toBe(1_000n);
    expect(accounts.find("99900001")?.status).toBe("ACTIVE");
    expect(accounts.find("12300001")).toBeUndefined();
  });

  it("reset restores fixtures and empties ledger and registry, journal numbers stay unique", () => {
    const { ledger, order, submit, accounts, balance } = setup();
    const first = submit(order());
    ledger.reset();
    accounts.reset();
    expect(ledger.entries()).toHaveLength(0);
    expect(balance("200")).toBe(0n);
    const second = submit(order());
    expect(first.state === "BOOKED" && second.state === "BOOKED" && first.entry.journalNo !== second.entry.journalNo).toBe(true);
  });
});

describe("ledger with a file journal (make run: the bank remembers across restarts)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sandbox-journal-"));
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  const at = () => Date.parse("2026-11-26T03:00:00Z");
  const order = (id: string, over: Partial<TransferOrder> = {}): TransferOrder => (
    { key: id, requestId: id, kind: "INTRABANK", sourceAccountNumber: "100", beneficiaryAccountNumber: "200", beneficiaryBankCode: "009", amount: 1_000n, echo: { ref: id }, ...over });
  const open = (file: string) => {
    const accounts = createAccounts(fixtures);
    return { accounts, ledger: createLedger(accounts, at, fileJournal(file)) };
  };

  it("starts again with the same bookings, refusals and balances; a request still in progress is rolled back", () => {
    const file = path.join(dir, "books.jsonl");
    const before = open(file);
    before.ledger.claim(order("B1", { amount: 2_475_000n }));
    before.ledger.settle("B1");
    before.ledger.claim(order("B2", { kind: "INTERBANK", beneficiaryAccountNumber: "5555", beneficiaryBankCode: "014", amount: 7n }));
    before.ledger.settle("B2");
    before.ledger.claim(order("R1", { sourceAccountNumber: "101", amount: 6_000n }));
    before.ledger.settle("R1"); // insufficient funds
    before.ledger.claim(order("P1"));

    const after = open(file);
    expect(after.ledger.entries()).toEqual(before.ledger.entries());
    expect(after.accounts.list()).toEqual(before.accounts.list());
    for (const key of ["B1", "B2", "R1"]) expect(after.ledger.find(key)).toEqual(before.ledger.find(key));
    expect(after.ledger.find("R1")?.outcome).toEqual({ state: "REFUSED", refusal: "insufficient-funds" });
    // Still never twice: the remembered request id answers with its first outcome.
    expect(after.ledger.claim(order("B1", { amount: 1n }))?.outcome.state).toBe("BOOKED");
    // P1 was in progress when the bank stopped: nothing of it was committed, so it is unknown
    // (not "in progress" for good), and the same id may come again and book, once.
    expect(after.ledger.find("P1")).toBeUndefined();
    expect(after.ledger.held()).toEqual([]);
    expect(after.ledger.claim(order("P1"))).toBeUndefined();
    expect(after.ledger.settle("P1").state).toBe("BOOKED");
    expect(open(file).ledger.entries()).toHaveLength(3);
    expect(open(file).ledger.find("P1")?.outcome.state).toBe("BOOKED");
  });

  it("forgets everything on reset", () => {
    const file = path.join(dir, "reset.jsonl");
    const before = open(file);
    before.ledger.claim(order("X1"));
    before.ledger.settle("X1");
    before.ledger.reset();
    const after = open(file);
    expect(after.ledger.entries()).toEqual([]);
    expect(after.ledger.find("X1")).toBeUndefined();
    expect(after.accounts.find("200")?.balance).toBe(0n);
  });

  it("ignores a last line cut short by a crash, and refuses a damaged one elsewhere", () => {
    const file = path.join(dir, "torn.jsonl");
    const before = open(file);
    before.ledger.claim(order("T1"));
    before.ledger.settle("T1");
    appendFileSync(file, '{"claim":{"key":"T2","requ');
    expect(open(file).ledger.entries()).toHaveLength(1);
    expect(open(file).ledger.find("T2")).toBeUndefined();
    writeFileSync(file, `{"claim":\n${readFileSync(file, "utf8")}`);
    expect(() => open(file)).toThrow(/torn\.jsonl:1: not a journal line/);
  });
});
