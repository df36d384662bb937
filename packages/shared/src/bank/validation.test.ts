import { TransferUsage, type BankTransferServiceTransferRequest, type GetTransferStatusRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { validateStatus, validateTransfer } from "./validation";

// The amount bound of the shared contract: 13 digits for a new transfer (BCA's Numeric(13.2), the
// narrowest partner); an inquiry about one already sent takes the earlier 15.
const transfer = (amount: string): BankTransferServiceTransferRequest => ({
  referenceNumber: "GRB1", attempt: 1, transactionDate: "2026-11-28", usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
  sourceAccountNumber: "0115470003", sourceAccountName: "GERBANG LOCAL", beneficiaryBankCode: "009", beneficiaryBankName: "BNI",
  beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO", amount, currency: "IDR", remark: "",
});
const inquiry = (amount: string): GetTransferStatusRequest => ({
  referenceNumber: "GRB1", attempt: 1, usage: TransferUsage.TRANSFER_USAGE_TRANSFER, transactionDate: "2026-11-28",
  amount, sourceAccountNumber: "0115470003", beneficiaryAccountNumber: "0115476119",
});

describe("bank request amounts", () => {
  it("takes a transfer of up to 13 digits and refuses 14, before anything is sent", () => {
    expect(validateTransfer(transfer("9".repeat(13)), ["009"]).amount).toBe("9".repeat(13));
    expect(() => validateTransfer(transfer("1".repeat(14)), ["009"])).toThrow(/amount must be whole rupiah, digits only, greater than zero, at most 13 digits/);
  });

  it("still asks about a transfer sent under the earlier 15-digit bound, and refuses 16", () => {
    expect(validateStatus(inquiry("1".repeat(15))).amount).toBe("1".repeat(15));
    expect(() => validateStatus(inquiry("1".repeat(16)))).toThrow(/at most 15 digits/);
  });
});
