import { anotherRecord, wholeRupiah } from "./bank-answers";

describe("reading bank answers", () => {
  it("reads amounts as whole rupiah (BCA's \"150000.00\") and refuses fractions and other forms", () => {
    expect(wholeRupiah("100000.00")).toBe("100000");
    expect(wholeRupiah("0100000.0")).toBe("100000");
    expect(wholeRupiah("100000")).toBe("100000");
    expect(wholeRupiah("100000.50")).toBeUndefined();
    expect(wholeRupiah("1e5")).toBeUndefined();
    expect(wholeRupiah("")).toBeUndefined();
  });

  it("makes a record that is another payment's UNKNOWN, naming both values", () => {
    expect(anotherRecord("BNI status inquiry", { field: "amount", theirs: "5000", ours: "10000" })).toEqual({
      status: "UNKNOWN", bankCode: "", bankReference: "",
      bankMessage: "status inquiry not answered: BNI status inquiry answered about another record: its amount is 5000, ours 10000",
    });
  });
});
