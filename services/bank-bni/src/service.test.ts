import { TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, deriveRequestId, magicAccount, startBankService, UPPER_ALPHANUMERIC } from "@gerbang/shared";
import { createBankCaller, describeBankConformance, STATUS, useBankHarness, type BankTestProfile } from "@gerbang/shared/src/bank/testing";
import { testDatabaseUri } from "../../../test/database";
import { loadBniConfig } from "./config";
import { createBniAdapter, HOST_VARIABLE } from "./service";

// BNI service end to end against the BNI sandbox: the shared contract, then what is BNI's own.
function startBni(settings: Record<string, unknown>) {
  const config = loadBniConfig({ port: 0, logLevel: "silent", ...settings });
  return startBankService({
    settings: config, hostVariable: HOST_VARIABLE, logger: createLogger("bank-bni-test", "silent"),
    createAdapter: () => createBniAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs }),
  });
}
const profile: BankTestProfile = {
  bank: "bni",
  name: "BNI",
  escrow: { accountNumber: "0115476117", accountName: "IKIPPOB" },
  beneficiary: { accountNumber: "0115476119", accountName: "ERRY JULIO" },
  otherBankCode: "014",
  letteredAccount: "01154X6119",
  requestId: (reference, attempt) => deriveRequestId(reference, attempt, UPPER_ALPHANUMERIC, 16),
  successCode: "0001",
  requestIdPattern: /^[0-9A-Z]{16}$/,
  notFoundCode: "0404",
  rateLimit: "unknown", // it publishes no 429: the sandbox sends an API gateway's bare one
  inProgressCode: "0902", // ours: BNI publishes none
  declines: [
    ["insufficient funds", magicAccount("insufficient-funds"), "0111"],
    ["invalid account (fault)", magicAccount("invalid-account"), "0112"],
    ["cut-off", magicAccount("cutoff"), "0115"],
    ["unknown beneficiary account", "0115499999", "0112"],
    ["dormant beneficiary account", "0115400001", "0113"],
  ],
  startService: (settings) => startBni(settings),
};
const h = useBankHarness(profile);
describeBankConformance(profile, h);

describe("BNI's own behaviour", () => {
  it("books an interbank transfer to BCA through p2pl/payment/interbank", async () => {
    const t = h.transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "014", beneficiaryBankName: "BANK BCA", beneficiaryAccountNumber: "3333333333", beneficiaryAccountName: "KEN AROK", amount: "15000" });
    const result = await h.caller().transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    if (!result.ok) return;
    expect(await h.booked(result.response.bankRequestId)).toEqual([expect.objectContaining({ kind: "INTERBANK", beneficiaryBankCode: "014", amount: "15000" })]);
  });

  it("serves a company with no parent company: sends no parentCompanyId, and BNI books the transfer", async () => {
    const orphan = await startBni({ bankHost: h.sandbox().origin, mongodbUri: testDatabaseUri(), mongodbDatabase: h.connection().name, bankTimeoutMs: 5000, credentials: { parentCompanyId: "" } });
    const caller = createBankCaller(orphan.port, h.partner.keyToken, h.bankCode);
    try {
      const result = await caller.transfer(h.transfer());
      expect(result).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    } finally {
      caller.close();
      await orphan.stop();
    }
  });

  it("never books a resent attempt twice: the resend is PENDING (duplicate 0116) and the inquiry says SUCCESS", async () => {
    const t = h.transfer();
    const first = await h.caller().transfer(t);
    const again = await h.caller().transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "0116" } });
    if (!first.ok) return;
    expect(await h.booked(first.response.bankRequestId)).toHaveLength(1);
    expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
  });
});

describe("BNI settings (the shared loader every bank service uses)", () => {
  const own = { clientId: "c", clientSecret: "s", apiKey: "k", apiSecret: "a", companyId: "CO", parentCompanyId: "PCO" };

  it("refuses the local sandbox's demo credentials for a bank that is not on this machine, naming the variables", () => {
    expect(() => loadBniConfig({ bankHost: "https://api.bni.example" }))
      .toThrow(/^BNI_CLIENT_ID, BNI_CLIENT_SECRET, BNI_API_KEY, BNI_API_SECRET, BNI_COMPANY_ID, BNI_PARENT_COMPANY_ID: still the local sandbox's demo values/);
    expect(() => loadBniConfig({ bankHost: "https://api.bni.example", credentials: { ...own, companyId: "GERBANG" } })).toThrow(/^BNI_COMPANY_ID: still the local sandbox's demo values/);
    expect(() => loadBniConfig({ bankHost: "https://api.bni.example", credentials: own })).not.toThrow();
    expect(loadBniConfig({ bankHost: "http://127.0.0.1:7002" }).credentials.clientSecret).toBe("bni-local-client-secret"); // the sandbox here
  });

  it("refuses an empty credential, even for the sandbox; parentCompanyId, optional at BNI, may be empty", () => {
    expect(() => loadBniConfig({ credentials: { apiSecret: " " } })).toThrow(/credentials\.apiSecret \(BNI_API_SECRET\): must not be empty/);
    expect(() => loadBniConfig({ credentials: { companyId: "" } })).toThrow(/credentials\.companyId \(BNI_COMPANY_ID\): must not be empty/);
    expect(loadBniConfig({ bankHost: "https://api.bni.example", credentials: { ...own, parentCompanyId: "" } }).credentials.parentCompanyId).toBe("");
  });

  it("refuses a companyId or parentCompanyId longer than BNI's 40 characters (BNI would refuse every transfer)", () => {
    expect(() => loadBniConfig({ credentials: { companyId: "C".repeat(41) } })).toThrow(/credentials\.companyId \(BNI_COMPANY_ID\): at most 40 characters/);
    expect(() => loadBniConfig({ credentials: { parentCompanyId: "P".repeat(41) } })).toThrow(/credentials\.parentCompanyId \(BNI_PARENT_COMPANY_ID\): at most 40 characters/);
    expect(loadBniConfig({ credentials: { companyId: "C".repeat(40) } }).credentials.companyId).toHaveLength(40);
  });

  it.each([
    ["plain HTTP to another machine (the secret and signatures would travel readable)", "http://api.bni.example"],
    ["another scheme", "ftp://api.bni.example"],
    ["a path", "https://api.bni.example/v1"],
    ["credentials in the URL", "https://user:pw@api.bni.example"],
    ["nothing", ""],
  ])("refuses HOST_BNI with %s, naming the variable", (_what, bankHost) => {
    expect(() => loadBniConfig({ bankHost, credentials: own })).toThrow(/^bankHost \(HOST_BNI\): must be the bank's origin/);
  });

  it("does not quote a HOST_BNI with user info: it holds a password", () => {
    for (const bankHost of ["https://user:hunter2@api.bni.example", "https://user:hunter2@api.bni.example:99999", "user:hunter2@api.bni.example"]) { // the second does not even parse
      const refusal = (() => { try { loadBniConfig({ bankHost, credentials: own }); return ""; } catch (error) { return (error as Error).message; } })();
      expect(refusal).toMatch(/got a URL with user info/);
      expect(refusal).not.toContain("hunter2");
    }
  });

  it("takes an https origin, a bare host:port (https then), and http:// to this machine", () => {
    for (const bankHost of ["https://api.bni.example", "api.bni.example:8443", "http://127.0.0.1:7002", "http://localhost:7002", "http://[::1]:7002"]) {
      expect(loadBniConfig({ bankHost, credentials: own }).bankHost).toBe(bankHost);
    }
  });

  it("refuses a BIND_HOST that is no address (empty, a port glued on, brackets), takes IPv4, IPv6 and names", () => {
    for (const bindHost of ["", "127.0.0.1:2002", "[::1]"]) expect(() => loadBniConfig({ bindHost })).toThrow(/^bindHost \(BIND_HOST\): must be an IP address/);
    for (const bindHost of ["127.0.0.1", "::1", "0.0.0.0", "bank-bni.internal"]) expect(loadBniConfig({ bindHost }).bindHost).toBe(bindHost);
  });
});
