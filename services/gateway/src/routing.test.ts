import type { Partner, Route } from "@gerbang/shared";
import { GatewayError } from "./errors";
import { decideRoute, type RoutingTables } from "./routing";

const partner = (bankCode: string, priority: number, aliases: string[] = []): Partner => ({
  bankCode, bankName: `Bank ${bankCode}`, priority, keyToken: "k", serviceUrl: "127.0.0.1:1", aliases,
});
const route = (bankCode: string, usage: Route["usage"]): Route => ({ bankCode, usage, method: "POST", localEndpoint: "/x", externalEndpoint: "https://x" });
const directory = new Map([["002", { bankCode: "002", bankName: "BRI" }], ["009", { bankCode: "009", bankName: "BNI" }], ["008", { bankCode: "008", bankName: "Mandiri" }]]);

// Partners listed out of priority order, so "smallest priority" is not "first in the list".
const tables: RoutingTables = {
  partners: [partner("014", 2), partner("800", 3, ["008"]), partner("009", 1)],
  routes: [route("009", "TRANSFER"), route("009", "TRANSFER_INTERBANK"), route("014", "TRANSFER"), route("800", "TRANSFER")],
  directory,
};

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error.kind;
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("decideRoute", () => {
  it("refuses a destination whose directory name is longer than a bank transfer carries (it would be recorded, then refused by the bank service)", () => {
    const long = { bankCode: "110", bankName: "PT Bank Pembangunan Daerah Jawa Barat dan Banten Tbk (BJB)" };
    expect(refusal(() => decideRoute({ ...tables, directory: new Map([...directory, ["110", long]]) }, "110"))).toBe("NO_ROUTE");
    const fits = { bankCode: "110", bankName: "x".repeat(50) };
    expect(decideRoute({ ...tables, directory: new Map([...directory, ["110", fits]]) }, "110").beneficiaryBankName).toBe(fits.bankName);
  });

  it("sends a partner's own code to that partner as TRANSFER", () => {
    const chosen = decideRoute(tables, "014");
    expect([chosen.bankCode, chosen.usage]).toEqual(["014", "TRANSFER"]);
    expect(chosen.reason).toMatch(/own code/);
  });

  it("sends an alias (008) to the partner that lists it (800) as TRANSFER", () => {
    const chosen = decideRoute(tables, "008");
    expect([chosen.bankCode, chosen.usage, chosen.beneficiaryBankName]).toEqual(["800", "TRANSFER", "Mandiri"]);
    expect(chosen.reason).toMatch(/alias 008/);
  });

  it("sends a known non-partner code interbank through the smallest priority partner with an interbank route", () => {
    const chosen = decideRoute(tables, "002");
    expect([chosen.bankCode, chosen.usage, chosen.beneficiaryBankName]).toEqual(["009", "TRANSFER_INTERBANK", "BRI"]);
  });

  it("skips a better-priority partner that has no interbank route", () => {
    const alt: RoutingTables = { ...tables, partners: [partner("009", 5), partner("014", 2)], routes: [route("009", "TRANSFER_INTERBANK"), route("014", "TRANSFER")] };
    expect(decideRoute(alt, "002").bankCode).toBe("009");
    const both: RoutingTables = { ...alt, routes: [...alt.routes, route("014", "TRANSFER_INTERBANK")] };
    expect(decideRoute(both, "002").bankCode).toBe("014");
  });

  it("refuses a code that is neither a partner nor in the directory as UNKNOWN_BANK", () => {
    expect(refusal(() => decideRoute(tables, "999"))).toBe("UNKNOWN_BANK");
  });

  it("refuses as NO_ROUTE when no partner can carry it", () => {
    expect(refusal(() => decideRoute({ ...tables, routes: [route("014", "TRANSFER")] }, "002"))).toBe("NO_ROUTE");
    expect(refusal(() => decideRoute({ ...tables, routes: [] }, "014"))).toBe("NO_ROUTE");
  });
});
