import { referenceNumberFor } from "./reference-number";

describe("referenceNumberFor", () => {
  it("is GRB + 13 Crockford base32 characters, the same for the same app and reference", () => {
    const ref = referenceNumberFor("3", "INV-0001");
    expect(ref).toMatch(/^GRB[0-9A-HJKMNP-TV-Z]{13}$/);
    expect(referenceNumberFor("3", "INV-0001")).toBe(ref);
  });

  it("differs between apps using the same clientReferenceNo, and between references", () => {
    expect(referenceNumberFor("1", "INV-0001")).not.toBe(referenceNumberFor("2", "INV-0001"));
    expect(referenceNumberFor("3", "INV-0001")).not.toBe(referenceNumberFor("3", "INV-0002"));
    // The separator keeps ("1", "2x") and ("12", "x") apart.
    expect(referenceNumberFor("1", "2x")).not.toBe(referenceNumberFor("12", "x"));
  });

  it("spreads 20,000 references without a collision", () => {
    const refs = new Set(Array.from({ length: 20_000 }, (_, i) => referenceNumberFor("3", `INV-${i}`)));
    expect(refs.size).toBe(20_000);
  });
});

