import { Writable } from "node:stream";
import { createLogger, maskAccount, maskAccountsIn } from "./logger";

describe("masking account numbers for the log", () => {
  it("keeps the last 4 digits of an account number", () => {
    expect(maskAccount("0115476119")).toBe("******6119");
    expect(maskAccount("123")).toBe("***");
    // Never more digits shown than hidden: a short account keeps most of itself hidden.
    expect(maskAccount("12345")).toBe("****5");
    expect(maskAccount("123456")).toBe("****56");
    expect(maskAccount("12345678")).toBe("****5678");
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

describe("logged errors", () => {
  it("keep name, code and message but none of the documents a database driver's error quotes, at any depth", () => {
    const lines: string[] = [];
    const logger = createLogger("test", "info", new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } }));
    // The shape of a failed grouped insert's MongoBulkWriteError: every document of the batch in it.
    const document = { _id: "GRB1", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO" };
    const bulk = Object.assign(new Error("waiting for replication timed out"), {
      name: "MongoBulkWriteError", code: 64, writeErrors: [{ code: 11000, index: 0, op: document }], result: { insertedIds: { 0: "GRB1" } },
      errorResponse: { writeErrors: [{ keyValue: { clientReferenceNo: "INV-1" } }] },
    });
    logger.error({ err: bulk }, "internal error"); // as the gateway logs an unexpected error's cause
    logger.error({ err: Object.assign(new Error("wrapped"), { details: { a: { b: { c: { d: { e: bulk } } } } } }) }, "deep");
    logger.error({ err: new Error("internal error", { cause: bulk }) }, "internal error");
    const line = lines.join("");
    expect(lines).toHaveLength(3);
    expect(line).toContain("waiting for replication timed out");
    expect(line).toContain("MongoBulkWriteError");
    for (const leaked of ["0115476119", "ERRY JULIO", "INV-1", "writeErrors", "errorResponse"]) expect(line).not.toContain(leaked);
  });
});
