import { create } from "@bufbuild/protobuf";
import { TransferRequestSchema } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { requestFingerprint } from "./fingerprint";

const request = create(TransferRequestSchema, {
  clientReferenceNo: "INV-1", beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", currency: "IDR", remark: "invoice 1",
});

describe("requestFingerprint", () => {
  // Walks the schema, not a hand-made list: a field added to TransferRequest fails here until the
  // fingerprint covers it, so a reused reference can never carry a changed request as a replay.
  it.each(TransferRequestSchema.fields.map((f) => [f.localName]))("changes when %s changes", (name) => {
    const value: unknown = request[name as keyof typeof request];
    if (typeof value !== "string") throw new Error(`${name} is not a string: give it a changed value here`);
    const changed = { ...request, [name]: `${value}0` };
    expect(requestFingerprint(changed)).not.toBe(requestFingerprint(request));
  });

  it("takes an empty currency as IDR, and nothing else as the same request", () => {
    expect(requestFingerprint({ ...request, currency: "" })).toBe(requestFingerprint(request));
    expect(requestFingerprint({ ...request, currency: "USD" })).not.toBe(requestFingerprint(request));
  });

  it("keeps fields apart: text moved across a field boundary is another request", () => {
    // Joined with "|", both would read "INV-1|014||0201245681|..."
    const one = { ...request, clientReferenceNo: "INV-1|014", beneficiaryBankCode: "" };
    const other = { ...request, clientReferenceNo: "INV-1", beneficiaryBankCode: "014|" };
    expect(requestFingerprint(one)).not.toBe(requestFingerprint(other));
  });
});
