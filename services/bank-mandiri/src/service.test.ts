import { status } from "@grpc/grpc-js";
import { TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, deriveRequestId, startBankService, UPPER_ALPHANUMERIC } from "@gerbang/shared";
import { magicAccount } from "@gerbang/shared";
import { describeBankConformance, STATUS, useBankHarness, type BankTestProfile } from "@gerbang/shared/src/bank/testing";
import { loadMandiriConfig } from "./config";
import { createMandiriAdapter, HOST_VARIABLE } from "./service";

// Mandiri service end to end against the Mandiri sandbox: the shared contract, then what is Mandiri's own.
const profile: BankTestProfile = {
  bank: "mandiri",
  name: "Mandiri",
  escrow: { accountNumber: "1370012345671", accountName: "IKIPPOB" },
  beneficiary: { accountNumber: "1370098765431", accountName: "GAJAH MADA" },
  otherBankCode: "009",
  letteredAccount: "13700X8765431",
  requestId: (reference, attempt) => deriveRequestId(reference, attempt, UPPER_ALPHANUMERIC, 16),
  successCode: "00",
  requestIdPattern: /^[0-9A-Z]{16}$/,
  notFoundCode: "25",
  rateLimit: "unknown", // it publishes no 429: the sandbox sends an API gateway's bare one
  inProgressCode: "09", // ours (ISO 8583's "request in progress"): Mandiri publishes nothing for doPayment
  declines: [
    ["insufficient funds", magicAccount("insufficient-funds"), "51"],
    ["invalid account (fault)", magicAccount("invalid-account"), "14"],
    ["cut-off", magicAccount("cutoff"), "90"],
    ["unknown beneficiary account", "1370099999999", "14"],
    ["dormant beneficiary account", "1370000000901", "62"],
    ["amount over the limit", "1370098765431", "61", "500000001"],
  ],
  startService: (settings) => {
    const config = loadMandiriConfig({ port: 0, logLevel: "silent", ...settings });
    return startBankService({
      settings: config, hostVariable: HOST_VARIABLE, logger: createLogger("bank-mandiri-test", "silent"),
      createAdapter: () => createMandiriAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs }),
    });
  },
};
const h = useBankHarness(profile);
describeBankConformance(profile, h);

describe("Mandiri's own behaviour", () => {
  it("takes Bank Indonesia's code 008 (the partner's alias) as Mandiri itself", async () => {
    const result = await h.caller().transfer(h.transfer({ beneficiaryBankCode: "008" }));
    expect(result).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    if (!result.ok) return;
    expect(await h.booked(result.response.bankRequestId)).toEqual([expect.objectContaining({ kind: "INTRABANK", beneficiaryBankCode: "800" })]);
  });

  it("has no TRANSFER_INTERBANK route in the table: FAILED_PRECONDITION, nothing booked", async () => {
    const before = (await h.sandbox().ledger()).length;
    const t = h.transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO" });
    const result = await h.caller().transfer(t);
    expect(result).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    if (!result.ok) expect(result.details).toMatch(/not sent: no TRANSFER_INTERBANK route/);
    expect(await h.sandbox().ledger()).toHaveLength(before);
  });

  it("never books a resent attempt twice: the resend is PENDING (duplicate 94) and the inquiry says SUCCESS", async () => {
    const t = h.transfer();
    const first = await h.caller().transfer(t);
    const again = await h.caller().transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "94" } });
    if (!first.ok) return;
    expect(await h.booked(first.response.bankRequestId)).toHaveLength(1);
    expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
  });
});
