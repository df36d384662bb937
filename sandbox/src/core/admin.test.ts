import { createSandbox, type Sandbox } from "../server";
import { bniClient, newUuid } from "../testing/bni-client";
import { fetchJson, pick, rawRequest } from "../testing/http";

/** Magic accounts, admin fault rules, decline faults and the admin endpoints, on the BNI sandbox. */
const FIXED = Date.parse("2026-11-26T03:00:00.000Z");
let sandbox: Sandbox;
let bni: ReturnType<typeof bniClient>;
const admin = (path: string, init: RequestInit = {}) => fetchJson(`${sandbox.url()}/_sandbox/${path}`, init);
const addRule = (rule: unknown) => admin("faults", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(rule) });
const code = (b: unknown) => pick(b, "Response.parameters.responseCode") || pick(b, "response.responseCode");
const fields = (beneficiaryAccountNumber = "0115476119") => ({ accountNumber: "0115470003", beneficiaryAccountNumber, currency: "IDR", amount: "10000" });
const entries = async () => ((await admin("ledger")).body as { entries: { beneficiaryAccountNumber: string }[] }).entries;
const transfer = async (account?: string, headers: Record<string, string> = {}) => {
  const requestUuid = newUuid();
  try {
    const answer = await bni.call("/p2pl/payment/transfer", fields(account), { requestUuid, headers });
    return { requestUuid, answer: `${answer.status} ${code(answer.body)}` };
  } catch {
    return { requestUuid, answer: "no answer" };
  }
};
const inquiry = async (requestedUuid: string) => {
  const answer = await bni.call("/p2pl/inquiry/payment/status", { requestedUuid });
  return answer.status === 404 ? "unknown" : pick(answer.body, "response.previousResponse.transactionStatus");
};

beforeAll(async () => {
  sandbox = createSandbox({ bank: "bni", now: () => FIXED, holdMs: 200 });
  await sandbox.listen(0);
  bni = bniClient(sandbox.url());
});
afterAll(() => sandbox.close());
beforeEach(() => admin("reset", { method: "POST" }));

describe("magic beneficiary accounts (999...0N)", () => {
  it.each([
    ["99900001", "latency", "200 0001", "Y"],
    ["99900002", "timeout", "no answer", "unknown"],
    ["99900003", "error-before", "500 0900", "unknown"],
    ["99900004", "error-after", "504 0901", "Y"],
    ["99900005", "reset", "no answer", "unknown"],
    ["99900006", "reset-after", "no answer", "Y"],
    ["99900007", "insufficient-funds", "200 0111", "N"],
    ["99900008", "invalid-account", "200 0112", "N"],
    ["99900009", "cutoff", "200 0115", "N"],
    ["99900013", "timeout-after", "no answer", "Y"],
  ])("%s means %s: answer %s, inquiry %s", async (account, _mode, answer, status) => {
    const result = await transfer(account);
    expect(result.answer).toBe(answer);
    expect(await inquiry(result.requestUuid)).toBe(status);
    expect((await entries()).map((e) => e.beneficiaryAccountNumber)).toEqual(status === "Y" ? [account] : []);
  });
});

describe("decline faults by header answer as the real decline would", () => {
  it.each([["insufficient-funds", "200 0111"], ["invalid-account", "200 0112"], ["cutoff", "200 0115"]])("%s -> %s, nothing booked", async (mode, answer) => {
    const result = await transfer(undefined, { "X-Sandbox-Fault": mode });
    expect(result.answer).toBe(answer);
    expect(await inquiry(result.requestUuid)).toBe("N");
    expect(await entries()).toEqual([]);
  });
});

describe("admin fault rules", () => {
  it("applies a rule to the next `times` transfers only, then answers normally", async () => {
    expect((await addRule({ mode: "error-before", times: 2 })).status).toBe(200);
    expect((await transfer()).answer).toBe("500 0900");
    expect((await transfer()).answer).toBe("500 0900");
    expect((await transfer()).answer).toBe("200 0001");
  });

  it("targets the token and status endpoints, and DELETE clears rules", async () => {
    const booked = await transfer();
    await addRule({ mode: "error-before", endpoint: "token", times: 1 });
    await expect(bni.token()).rejects.toThrow("token: 500");
    await bni.token();
    await addRule({ mode: "reset", endpoint: "status" });
    await expect(inquiry(booked.requestUuid)).rejects.toThrow();
    expect((await admin("faults")).body).toMatchObject({ rules: [{ mode: "reset", endpoint: "status" }] });
    expect((await admin("faults", { method: "DELETE" })).status).toBe(200);
    expect(await inquiry(booked.requestUuid)).toBe("Y");
  });

  it("prefers the header over an admin rule", async () => {
    await addRule({ mode: "error-before" });
    expect((await transfer(undefined, { "X-Sandbox-Fault": "error-after" })).answer).toBe("504 0901");
  });

  it.each([
    ["invalid JSON", "{", "body must be JSON"],
    ["an unknown mode", JSON.stringify({ mode: "fire" }), "mode must be"],
    ["a decline on the token endpoint", JSON.stringify({ mode: "cutoff", endpoint: "token" }), "applies to endpoint"],
  ])("refuses %s with 400 and adds nothing", async (_why, body, message) => {
    const answer = await admin("faults", { method: "POST", body });
    expect(answer.status).toBe(400);
    expect(pick(answer.body, "error")).toContain(message);
    expect((await admin("faults")).body).toEqual({ rules: [] });
  });
});

describe("latency keeps the request in progress", () => {
  it("shows P to the inquiry and refuses a duplicate while the bank is still working", async () => {
    const slow = createSandbox({ bank: "bni", now: () => FIXED });
    await slow.listen(0);
    const client = bniClient(slow.url());
    await client.token();
    const requestUuid = newUuid();
    const pending = client.call("/p2pl/payment/transfer", fields(), { requestUuid, headers: { "X-Sandbox-Fault": "latency;latencyMs=60000" } }).catch(() => "closed");
    let status = "";
    for (let i = 0; i < 200 && status !== "P"; i += 1) {
      const answer = await client.call("/p2pl/inquiry/payment/status", { requestedUuid: requestUuid });
      status = pick(answer.body, "response.previousResponse.transactionStatus");
      if (status !== "P") await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe("P");
    expect((await fetchJson(`${slow.url()}/_sandbox/held`)).body).toEqual({
      requests: [{ requestId: requestUuid, sourceAccountNumber: "0115470003", beneficiaryAccountNumber: "0115476119", beneficiaryBankCode: "009", amount: "10000", kind: "INTRABANK" }],
    });
    const duplicate = await client.call("/p2pl/payment/transfer", fields(), { requestUuid });
    expect(code(duplicate.body)).toBe("0116");
    await slow.close();
    expect(await pending).toBe("closed");
  });

  it("a reset is a TCP reset (RST), as a bank's dropped connection sends, not a closing FIN", async () => {
    const reset = await rawRequest(`${sandbox.url()}/api/oauth/token`, {
      method: "POST", headers: { Authorization: `Basic ${Buffer.from("gerbang-bni:bni-local-client-secret").toString("base64")}`, "X-Sandbox-Fault": "reset", "Content-Type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials",
    });
    expect(reset).toEqual({ kind: "closed", code: "ECONNRESET", syscall: "read" }); // a FIN reads as "socket hang up", with no syscall
  });

  it("a held (timeout) socket is released when the sandbox closes", async () => {
    const holding = createSandbox({ bank: "bni", now: () => FIXED });
    await holding.listen(0);
    const arrived = new Promise((resolve) => holding.server.once("request", resolve));
    const held = rawRequest(`${holding.url()}/api/oauth/token`, {
      method: "POST", headers: { Authorization: `Basic ${Buffer.from("gerbang-bni:bni-local-client-secret").toString("base64")}`, "X-Sandbox-Fault": "timeout", "Content-Type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials",
    });
    await arrived;
    await holding.close();
    expect((await held).kind).toBe("closed");
  });
});

describe("admin endpoints", () => {
  it("reports health, ledger and accounts, and reset restores the fixtures", async () => {
    expect((await admin("health")).body).toEqual({ bank: "bni", ok: true });
    await transfer();
    expect((await admin("held")).body).toEqual({ requests: [] }); // booked: no longer held
    expect(await entries()).toMatchObject([{ sourceAccountNumber: "0115470003", beneficiaryAccountNumber: "0115476119", beneficiaryBankCode: "009", amount: "10000", kind: "INTRABANK", bookedAt: "2026-11-26T03:00:00.000Z" }]);
    const accounts = (await admin("accounts")).body as { accounts: { accountNumber: string; balance: string; status: string }[] };
    expect(accounts.accounts.find((a) => a.accountNumber === "0115476119")).toMatchObject({ balance: "10000", status: "ACTIVE" });
    expect(accounts.accounts.find((a) => a.accountNumber === "0115400001")).toMatchObject({ status: "DORMANT" });
    await admin("reset", { method: "POST" });
    expect(await entries()).toEqual([]);
    const after = (await admin("accounts")).body as typeof accounts;
    expect(after.accounts.find((a) => a.accountNumber === "0115476119")?.balance).toBe("0");
  });

  it("calls node's exposed gc on reset, where there is one (the benchmark starts the sandbox with --expose-gc, so emptied books give their memory back)", async () => {
    const gc = jest.fn();
    const exposed = globalThis as { gc?: (() => void) | undefined };
    const before = exposed.gc;
    exposed.gc = gc;
    try {
      await admin("reset", { method: "POST" });
    } finally {
      exposed.gc = before;
    }
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it("answers an unknown admin path with 404", async () => {
    expect((await admin("nothing")).status).toBe(404);
  });
});
