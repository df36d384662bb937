import { jakartaDate } from "./jakarta-date";

describe("jakartaDate", () => {
  it("is the date in UTC+7", () => {
    expect(jakartaDate(new Date("2026-11-26T16:59:59Z"))).toBe("2026-11-26");
    expect(jakartaDate(new Date("2026-11-26T17:00:00Z"))).toBe("2026-11-27");
  });
});
