import { status } from "@grpc/grpc-js";
import { resolveEndpoint, resolveRoute } from "./bank-registry";

describe("route endpoints", () => {
  it("replaces the template's https:// when the configured host carries a scheme (local sandboxes speak HTTP)", () => {
    expect(resolveEndpoint("https://{{hostBNI}}/p2pl/payment/transfer", { hostBNI: "http://127.0.0.1:7002" })).toBe("http://127.0.0.1:7002/p2pl/payment/transfer");
    expect(resolveEndpoint("https://{{hostBNI}}/p2pl/payment/transfer", { hostBNI: "http://127.0.0.1:7002/" })).toBe("http://127.0.0.1:7002/p2pl/payment/transfer");
  });

  it("keeps the template's scheme for a bare host:port, and path templates as written", () => {
    expect(resolveEndpoint("https://{{hostBCA}}/banking/corporates/transfers/status/{TransactionID}", { hostBCA: "sandbox.bca.co.id:443" }))
      .toBe("https://sandbox.bca.co.id:443/banking/corporates/transfers/status/{TransactionID}");
  });

  it("refuses a template whose variable is not configured", () => {
    expect(() => resolveEndpoint("https://{{hostMandiri}}/x", { hostBNI: "http://127.0.0.1:1" })).toThrow(/hostMandiri/);
  });

  it("answers FAILED_PRECONDITION (not sent) when the usage has no row", () => {
    const registry = { partner: undefined, routes: [{ bankCode: "009", usage: "TRANSFER" as const, method: "POST" as const, localEndpoint: "/a", externalEndpoint: "https://{{hostBNI}}/t" }] };
    expect(resolveRoute(registry, "TRANSFER", { hostBNI: "http://127.0.0.1:9" })).toEqual({ method: "POST", url: "http://127.0.0.1:9/t" });
    const refusal = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(refusal(() => resolveRoute(registry, "STATUS_INQUIRY", { hostBNI: "http://127.0.0.1:9" }))).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(refusal(() => resolveRoute(registry, "TRANSFER", {}))).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(String(refusal(() => resolveRoute(registry, "TRANSFER", {})))).toMatch(/not sent: TRANSFER route is misconfigured.*hostBNI/);
  });
});
