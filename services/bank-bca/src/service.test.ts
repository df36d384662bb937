import { status } from "@grpc/grpc-js";
import { TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, deriveRequestId, DIGITS, startBankService } from "@gerbang/shared";
import { describeBankConformance, faultAccount, STATUS, useBankHarness, type BankTestProfile } from "@gerbang/shared/src/bank/testing";
import { loadBcaConfig } from "./config";
import { createBcaAdapter, HOST_VARIABLE } from "./service";

// BCA service end to end against the BCA sandbox: the shared contract, then what is BCA's own.
const transactionId = (reference: string, attempt: number) => deriveRequestId(reference, attempt, DIGITS, 8);
const profile: BankTestProfile = {
  bank: "bca",
  name: "BCA",
  escrow: { accountNumber: "0201245680", accountName: "IKIPPOB" },
  beneficiary: { accountNumber: "0201245681", accountName: "KEN AROK" },
  otherBankCode: "009",
  letteredAccount: "02012X5681",
  requestId: transactionId,
  successCode: "Success",
  requestIdPattern: /^\d{8}$/,
  notFoundCode: "ESB-82-027",
  declinedInquiryCode: "01", // the inquiry's StatusCode "rejected"; its Reason carries the why
  declines: [
    ["insufficient funds", faultAccount(7), "ESB-82-019"],
    ["invalid account (fault)", faultAccount(8), "ESB-82-014"],
    ["cut-off", faultAccount(9), "ESB-82-026"],
    ["unknown beneficiary account", "0201299999", "ESB-82-014"],
    ["dormant beneficiary account", "0201200001", "ESB-82-018"],
    ["closed beneficiary account", "0201200002", "ESB-82-022"],
  ],
  startService: (settings) => {
    const config = loadBcaConfig({ port: 0, logLevel: "silent", ...settings });
    const adapter = createBcaAdapter({ credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs });
    return startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger: createLogger("bank-bca-test", "silent") });
  },
};
const h = useBankHarness(profile);
describeBankConformance(profile, h);

/** Two references whose derived TransactionIDs are equal: found by search (~1e4 hashes by the birthday bound). */
function findCollision(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 1_000_000; i += 1) {
    const reference = `COLL${Date.now() % 100000}X${i}`;
    const id = transactionId(reference, 1);
    const earlier = seen.get(id);
    if (earlier !== undefined) return [earlier, reference];
    seen.set(id, reference);
  }
  throw new Error("no collision among 1e6 references");
}

describe("BCA's own behaviour", () => {
  it("refuses TRANSFER_INTERBANK (the legacy API here carries only BCA to BCA): FAILED_PRECONDITION, nothing booked", async () => {
    const before = (await h.sandbox().ledger()).length;
    const t = h.transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO" });
    expect(await h.caller().transfer(t)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    expect(await h.sandbox().ledger()).toHaveLength(before);
  });

  it("never books a resent attempt twice: ESB-82-003 is checked against the inquiry and the same transfer answers SUCCESS", async () => {
    const t = h.transfer();
    const first = await h.caller().transfer(t);
    const again = await h.caller().transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankCode: "00" } });
    if (!first.ok) return;
    expect(await h.booked(first.response.bankRequestId)).toHaveLength(1);
  });

  it("a colliding TransactionID (8 digits per day) is PENDING with the reason, never booked, never reported with the other's outcome", async () => {
    const [a, b] = findCollision();
    const first = await h.caller().transfer(h.transfer({ referenceNumber: a, amount: "10000" }));
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    const second = await h.caller().transfer(h.transfer({ referenceNumber: b, amount: "20000" }));
    expect(second).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "ESB-82-003" } });
    if (!second.ok || !first.ok) return;
    expect(second.response.bankRequestId).toBe(first.response.bankRequestId);
    expect(second.response.bankMessage).toMatch(/collides with another transfer/);
    expect(await h.booked(first.response.bankRequestId)).toEqual([expect.objectContaining({ amount: "10000" })]);
    // The status inquiry for the second must not report the first one's SUCCESS as its own.
    expect(await h.statusOf(h.transfer({ referenceNumber: b, amount: "20000" }))).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "ESB-82-003" } });
    expect(await h.statusOf(h.transfer({ referenceNumber: a, amount: "10000" }))).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankCode: "00" } });
  });
});
