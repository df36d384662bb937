import { parseBcaAmount, parseWholeRupiah } from "./amount";
import { createFaultRules, faultForAccount, parseFaultHeader, parseFaultRule, type FaultRule } from "./faults";

describe("fault selection", () => {
  it("parses the header with and without latencyMs", () => {
    expect(parseFaultHeader("reset", "transfer")).toEqual({ ok: true, value: { mode: "reset", latencyMs: 3000 } });
    expect(parseFaultHeader("latency;latencyMs=500", "status")).toEqual({ ok: true, value: { mode: "latency", latencyMs: 500 } });
  });

  it.each([
    ["an unknown mode", "explode", "transfer"],
    ["an unknown parameter", "latency;foo=1", "transfer"],
    ["a latency above 120 s", "latency;latencyMs=120001", "transfer"],
    ["a negative latency", "latency;latencyMs=-1", "transfer"],
    ["a decline on a status inquiry", "insufficient-funds", "status"],
    ["a decline on a token call", "cutoff", "token"],
    ["a late booking on a status inquiry", "book-late", "status"],
    ["an in-progress answer on a token call", "in-progress", "token"],
    ["a booking never answered on a status inquiry", "timeout-after", "status"],
  ] as const)("refuses %s in the header", (_why, value, endpoint) => {
    expect(parseFaultHeader(value, endpoint).ok).toBe(false);
  });

  it("maps magic accounts 999...01 to 999...13 onto the fault table, in order", () => {
    const modes = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"].map((s) => faultForAccount(`9990000${s}`)?.mode);
    expect(modes).toEqual(["latency", "timeout", "error-before", "error-after", "reset", "reset-after", "insufficient-funds", "invalid-account", "cutoff", "book-late", "rate-limited", "in-progress", "timeout-after"]);
    // Both book under the fault suite's re-send wait.
    expect(faultForAccount("9990000010")).toEqual({ mode: "book-late", latencyMs: 1500 });
    expect(faultForAccount("9990000012")).toEqual({ mode: "in-progress", latencyMs: 1500 });
    expect(faultForAccount("9990000014")).toBeUndefined();
    expect(faultForAccount("9990000000")).toBeUndefined();
    expect(faultForAccount("1230000001")).toBeUndefined();
    expect(faultForAccount("0115476119")).toBeUndefined();
  });

  it.each([
    ["a non-object", [1], "body must be a JSON object"],
    ["an unknown mode", { mode: "boom" }, "mode must be"],
    ["an unknown field", { mode: "reset", when: "now" }, "unknown field"],
    ["an unknown endpoint", { mode: "reset", endpoint: "balance" }, "endpoint must be"],
    ["zero times", { mode: "reset", times: 0 }, "times must be"],
    ["fractional times", { mode: "reset", times: 1.5 }, "times must be"],
    ["a decline on all endpoints", { mode: "insufficient-funds", endpoint: "all" }, "applies to endpoint"],
    ["a latency as text", { mode: "latency", latencyMs: "fast" }, "latencyMs must be"],
    ["an account that is not digits", { mode: "reset", account: "99900x01" }, "account must be"],
    ["an account as a number", { mode: "reset", account: 9990000001 }, "account must be"],
  ])("refuses an admin rule with %s", (_why, body, message) => {
    const parsed = parseFaultRule(body);
    expect(parsed.ok ? "" : parsed.error).toContain(message);
  });

  it("counts admin rules down and falls through to the next, endpoint by endpoint", () => {
    const rules = createFaultRules();
    const rule = (r: Partial<FaultRule>): FaultRule => ({ mode: "reset", latencyMs: 3000, endpoint: "transfer", times: undefined, ...r });
    rules.add(rule({ mode: "error-before", times: 2 }));
    rules.add(rule({ mode: "timeout", endpoint: "status", times: 1 }));
    rules.add(rule({ mode: "latency", endpoint: "all" }));
    expect(rules.take("transfer")?.mode).toBe("error-before");
    expect(rules.take("transfer")?.mode).toBe("error-before");
    expect(rules.take("transfer")?.mode).toBe("latency");
    expect(rules.take("status")?.mode).toBe("timeout");
    expect(rules.take("status")?.mode).toBe("latency");
    expect(rules.take("token")?.mode).toBe("latency");
    rules.clear();
    expect(rules.take("transfer")).toBeUndefined();
  });

  it("keeps a rule that names an account for requests about that account: other traffic passes it by", () => {
    const rules = createFaultRules();
    rules.add({ mode: "error-before", latencyMs: 3000, endpoint: "status", times: 1, account: "9990000001" });
    expect(rules.take("status")).toBeUndefined(); // an inquiry of an id the bank does not have
    expect(rules.take("status", "9990000005")).toBeUndefined();
    expect(rules.take("status", "9990000001")?.mode).toBe("error-before");
    expect(rules.list()).toEqual([]);
  });
});

describe("amount rules", () => {
  it.each([["1", 1n], ["2475000", 2_475_000n], ["000100", 100n]])("accepts whole rupiah %s", (text, value) => {
    expect(parseWholeRupiah(text)).toBe(value);
  });
  it.each(["0", "-1", "1.5", "1e6", " 1", "", "1234567890123456"])("refuses %j as whole rupiah", (text) => {
    expect(parseWholeRupiah(text)).toBeUndefined();
  });
  it.each([["100000.00", 100_000n], ["100000", 100_000n], ["5.0", 5n]])("accepts BCA amount %s", (text, value) => {
    expect(parseBcaAmount(text)).toBe(value);
  });
  it.each(["100000.50", "0.00", "1.234", "12345678901234.00", "1,000.00", "abc"])("refuses BCA amount %j", (text) => {
    expect(parseBcaAmount(text)).toBeUndefined();
  });
  it("refuses non-strings", () => {
    expect(parseWholeRupiah(100)).toBeUndefined();
    expect(parseBcaAmount(100)).toBeUndefined();
  });
});
