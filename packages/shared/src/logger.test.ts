import { maskAccount, maskAccountsIn } from "./logger";

describe("masking account numbers for the log", () => {
  it("keeps the last 4 digits of an account number", () => {
    expect(maskAccount("0115476119")).toBe("******6119");
    expect(maskAccount("123")).toBe("***");
  });

  it("masks every run of 6 or more digits in a message quoting what a caller sent", () => {
    expect(maskAccountsIn("cannot decode field payment.v1.TransferRequest.beneficiary_account_number from JSON: expected string, got 1234567890123"))
      .toBe("cannot decode field payment.v1.TransferRequest.beneficiary_account_number from JSON: expected string, got *********0123");
    expect(maskAccountsIn("accounts 0115476119 and 0201245681")).toBe("accounts ******6119 and ******5681");
  });

  it("leaves short numbers alone: bank codes, status codes, field numbers", () => {
    expect(maskAccountsIn("bank 014 answered 0116 for field 3")).toBe("bank 014 answered 0116 for field 3");
  });
});
