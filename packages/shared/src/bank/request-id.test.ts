import { deriveRequestId, DIGITS, UPPER_ALPHANUMERIC } from "./request-id";

// Expected values computed with Python: int(sha256(b"FDP29771029211:1").hexdigest(), 16) written in
// base 36 (last 16 digits) and mod 10**8 (zero-padded).
// These values are frozen on purpose. The id is derived again on every call, never stored at the
// gateway: a change here would re-send in-flight attempts (after a timeout, a crash) under new ids,
// which the bank's duplicate check cannot catch. Changing it is a migration, not a refactor.
describe("bank-side request id", () => {
  it("matches the Python-computed ids for BNI/Mandiri (16 of [0-9A-Z]) and BCA (8 digits)", () => {
    expect(deriveRequestId("FDP29771029211", 1, UPPER_ALPHANUMERIC, 16)).toBe("1DPEMOLF0RF0HI9E");
    expect(deriveRequestId("FDP29771029211", 1, DIGITS, 8)).toBe("20209842");
  });

  // That a resend of an attempt gets the same id is the frozen values above.
  it("differs for the next attempt and for another reference", () => {
    expect(deriveRequestId("REF1", 2, UPPER_ALPHANUMERIC, 16)).not.toBe(deriveRequestId("REF1", 1, UPPER_ALPHANUMERIC, 16));
    expect(deriveRequestId("REF2", 1, UPPER_ALPHANUMERIC, 16)).not.toBe(deriveRequestId("REF1", 1, UPPER_ALPHANUMERIC, 16));
  });

  it("refuses an alphabet that cannot encode anything", () => {
    expect(() => deriveRequestId("REF1", 1, "0", 8)).toThrow(/two characters/);
  });
});
