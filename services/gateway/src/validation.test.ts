import { create } from "@bufbuild/protobuf";
import { GetTransferRequestSchema, TransferRequestSchema } from "@gerbang/gen/es/payment/v1/gateway_pb";

type Fields = Partial<Record<"clientReferenceNo" | "beneficiaryBankCode" | "beneficiaryAccountNumber" | "beneficiaryAccountName" | "amount" | "currency" | "remark", string>>;
import { assertValid, getTransferRequestViolations, transferRequestViolations } from "./validation";

const good: Fields = {
  clientReferenceNo: "INV-2021-0001", beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", currency: "IDR", remark: "Invoice 1",
};
const violations = (change: Fields) => transferRequestViolations(create(TransferRequestSchema, { ...good, ...change }));

describe("transfer request validation", () => {
  it("accepts a well-formed request, with currency and remark optional", () => {
    expect(violations({})).toEqual([]);
    expect(violations({ currency: "", remark: "" , beneficiaryAccountName: "" })).toEqual([]);
  });

  it.each<[string, Fields, RegExp]>([
    ["missing clientReferenceNo", { clientReferenceNo: "" }, /clientReferenceNo is required/],
    ["clientReferenceNo of 65 chars", { clientReferenceNo: "x".repeat(65) }, /at most 64/],
    ["clientReferenceNo with a space", { clientReferenceNo: "a b" }, /printable ASCII/],
    ["2-digit bank code", { beneficiaryBankCode: "14" }, /beneficiaryBankCode/],
    ["letters in bank code", { beneficiaryBankCode: "BCA" }, /beneficiaryBankCode/],
    ["letters in account", { beneficiaryAccountNumber: "12345abc" }, /beneficiaryAccountNumber/],
    ["empty account", { beneficiaryAccountNumber: "" }, /beneficiaryAccountNumber/],
    ["zero amount", { amount: "0" }, /amount/],
    ["negative amount", { amount: "-100" }, /amount/],
    ["decimal amount", { amount: "100.50" }, /amount/],
    ["separators in amount", { amount: "1,000" }, /amount/],
    ["leading zero amount", { amount: "0100" }, /amount/],
    ["14-digit amount (BCA carries 13)", { amount: "1".repeat(14) }, /amount/],
    ["empty amount", { amount: "" }, /amount/],
    ["USD", { currency: "USD" }, /currency must be IDR/],
    ["51-char remark", { remark: "r".repeat(51) }, /remark must be at most 50/],
    ["control char in remark", { remark: "a\nb" }, /control, line-separator, invisible formatting/],
    ["right-to-left override in remark", { remark: "invoice \u202e0001" }, /control, line-separator, invisible formatting/],
    ["zero-width space in remark", { remark: "in\u200bvoice" }, /control, line-separator, invisible formatting/],
    ["unpaired surrogate in remark", { remark: "a\ud800b" }, /unpaired surrogate/],
    ["line separator in remark", { remark: "line one\u2028line two" }, /line-separator/],
    ["U+FFFD in remark (bytes that were not UTF-8)", { remark: "caf\ufffd" }, /replacement \(U\+FFFD\)/],
    ["101-char name", { beneficiaryAccountName: "N".repeat(101) }, /at most 100/],
    ["markup in name", { beneficiaryAccountName: "<script>" }, /characters a bank would refuse/],
  ])("refuses %s", (_label, change, message) => {
    const found = violations(change);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it("takes an amount of 13 digits, what every partner carries", () => {
    expect(violations({ amount: "9".repeat(13) })).toEqual([]);
  });

  it("reports every violation at once and assertValid throws INVALID_REQUEST", () => {
    const found = violations({ amount: "0", currency: "USD" });
    expect(found).toHaveLength(2);
    expect(() => { assertValid(found); }).toThrow(expect.objectContaining({ kind: "INVALID_REQUEST" }) as Error);
    expect(() => { assertValid([]); }).not.toThrow();
  });
});

describe("get transfer request validation", () => {
  const check = (referenceNumber: string, clientReferenceNo: string) => getTransferRequestViolations(create(GetTransferRequestSchema, { referenceNumber, clientReferenceNo }));

  it("needs exactly one reference", () => {
    expect(check("GRB1", "")).toEqual([]);
    expect(check("", "INV-1")).toEqual([]);
    expect(check("", "")).toEqual(["give exactly one of referenceNumber and clientReferenceNo"]);
    expect(check("GRB1", "INV-1")).toEqual(["give exactly one of referenceNumber and clientReferenceNo"]);
  });

  it("refuses malformed references", () => {
    expect(check("", "x".repeat(65))).toEqual(["clientReferenceNo is malformed"]);
    expect(check("GRB\u00e91", "")).toEqual(["referenceNumber is malformed"]);
    // "INV+7" in a query string unencoded arrives as "INV 7": the message says why.
    expect(check("", "INV 7")).toEqual(['clientReferenceNo is malformed: it holds a space (in a query string "+" means a space: send a "+" as %2B)']);
  });
});
