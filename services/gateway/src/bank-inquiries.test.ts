import type { Partner } from "@gerbang/shared";
import type { BankCaller } from "./bank-client";
import type { StatusAnswer } from "./bank-outcome";
import { askAboutAttempts, describeAnswer } from "./bank-inquiries";
import type { TransferRecord } from "./transfer-store";

// askAboutAttempts with a BankCaller that answers only when the test says so: every attempt is
// asked before any answer, and the answers come back oldest first whatever order they arrive in.

const partner = (bankCode: string) => ({ bankCode, serviceUrl: `127.0.0.1:${bankCode}` }) as unknown as Partner;
const sentAt = new Date("2026-11-26T03:00:00Z");
const transfer = {
  referenceNumber: "GRB20261126000001", amount: "10000", sourceAccountNumber: "ESCROW-BNI", beneficiaryAccountNumber: "0201245681",
  attempts: [
    { attempt: 1, partnerBankCode: "014", usage: "TRANSFER", transactionDate: "2026-11-26", sourceAccountNumber: "ESCROW-BCA", sentAt },
    { attempt: 2, partnerBankCode: "009", usage: "INTERBANK", transactionDate: "2026-11-26", sentAt },
    { attempt: 3, partnerBankCode: "999", usage: "INTERBANK", transactionDate: "2026-11-26", sentAt },
  ],
} as unknown as TransferRecord;

function heldBank() {
  const asked: { bankCode: string; attempt: number; source: string; answer: (a: StatusAnswer) => void }[] = [];
  const bank: BankCaller = {
    transfer: () => { throw new Error("an inquiry never transfers"); },
    status: (p, request) => new Promise((answer) => { asked.push({ bankCode: p.bankCode, attempt: request.attempt, source: request.sourceAccountNumber, answer }); }),
    close: () => undefined,
  };
  return { bank, asked };
}

describe("askAboutAttempts", () => {
  it("asks every attempt at once, each with its own escrow, and lists the answers oldest first", async () => {
    const { bank, asked } = heldBank();
    const answers = askAboutAttempts({ partners: [partner("014"), partner("009")], bank, deadlineFor: () => 1_000 }, transfer);
    await new Promise((resolve) => setImmediate(resolve));
    // Both inquiries are out before either is answered: a hanging bank costs one deadline, not one per attempt.
    expect(asked.map(({ bankCode, attempt, source }) => [bankCode, attempt, source])).toEqual([["014", 1, "ESCROW-BCA"], ["009", 2, "ESCROW-BNI"]]);
    asked[1]!.answer({ status: "SUCCESS", bankCode: "000", bankReference: "BNI-1" });
    asked[0]!.answer({ status: "FAILED", bankCode: "40" });
    expect((await answers).map(describeAnswer)).toEqual(["014#1 FAILED (40)", "009#2 SUCCESS (000)", "999#3 NOT_SENT"]);
  });
});
