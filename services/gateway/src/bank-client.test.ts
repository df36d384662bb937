import { TransferUsage, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, type Partner } from "@gerbang/shared";
import { createBankCaller } from "./bank-client";
import { createBankBreakers } from "./bank-breakers";
import { startFakeBank, type FakeBank } from "./fake-bank";

// The bank caller against a bank service that checks tokens as the real ones do (fake-bank.ts).
const KEY = "partner-key-014-00000000000000000";
let bank: FakeBank;
let partner: Partner;
const breakers = createBankBreakers({ errorPercent: 50, volumeThreshold: 1000, resetMs: 1000, windowMs: 10_000 }, createLogger("test", "silent"));
const caller = createBankCaller({ breakers, maxReconnectBackoffMs: 1000 });
beforeAll(async () => {
  bank = await startFakeBank("014", KEY);
  partner = { bankCode: "014", bankName: "BCA", priority: 1, keyToken: KEY, serviceUrl: `127.0.0.1:${bank.port}`, aliases: [] };
});
afterAll(async () => { caller.close(); breakers.close(); await bank.stop(); });

let n = 0;
const request = (): BankTransferServiceTransferRequest => ({
  referenceNumber: `GRBLEASE${++n}`, attempt: 1, transactionDate: "2026-11-27", usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
  sourceAccountNumber: "0201245680", sourceAccountName: "GERBANG", beneficiaryBankCode: "014", beneficiaryBankName: "BCA",
  beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK", amount: "7000", currency: "IDR", remark: "",
});

describe("bank caller: a Transfer's token ends with the sender's lease", () => {
  it("is accepted while the lease runs", async () => {
    const answer = await caller.transfer(partner, request(), 2000, new Date(Date.now() + 30_000));
    expect(answer).toMatchObject({ outcome: "SUCCESS" });
  });

  it("is refused, and nothing reaches the bank, when the call starts after the lease ended (a sender stalled past it)", async () => {
    const calls = bank.calls.length;
    const refused = bank.refusedTokens;
    // Past the 5 s of clock difference every token check allows.
    const answer = await caller.transfer(partner, request(), 2000, new Date(Date.now() - 10_000));
    expect(answer).toMatchObject({ outcome: "NOT_SENT", error: expect.stringMatching(/^UNAUTHENTICATED/) as unknown });
    expect([bank.calls.length, bank.refusedTokens]).toEqual([calls, refused + 1]);
  });
});
