import { status } from "@grpc/grpc-js";
import { TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { bankAnswer, createLogger, deriveRequestId, DIGITS, jakartaDate, startBankService, unavailable, type BankCallContext, type HttpAnswer, type TransferInput } from "@gerbang/shared";
import { magicAccount } from "@gerbang/shared";
import { describeBankConformance, STATUS, useBankHarness, type BankTestProfile } from "@gerbang/shared/src/bank/testing";
import { loadBcaConfig } from "./config";
import { transferBody, type BcaApi } from "./bank-api";
import { beyondInquiryWindow, confirmCutOff, createBcaAdapter, HOST_VARIABLE, settleDuplicate } from "./service";
import { createTransactionIds } from "./transaction-id-store";

// BCA service end to end against the BCA sandbox: the shared contract, then what is BCA's own.
const transactionId = (reference: string, attempt: number) => deriveRequestId(reference, attempt, DIGITS, 8);
const profile: BankTestProfile = {
  bank: "bca",
  name: "BCA",
  escrow: { accountNumber: "0201245680", accountName: "IKIPPOB" },
  beneficiary: { accountNumber: "0201245681", accountName: "KEN AROK" },
  otherBankCode: "009",
  letteredAccount: "02012X5681",
  requestId: transactionId,
  successCode: "Success",
  requestIdPattern: /^\d{8}$/,
  notFoundCode: "ESB-82-027",
  rateLimit: "not sent", // 429 ESB-14-010: refused at its API gateway, nothing processed
  inProgressCode: "ESB-82-025",
  declinedInquiryCode: "06", // the inquiry's StatusCode "failed"; its Reason carries the why
  declines: [
    ["insufficient funds", magicAccount("insufficient-funds"), "ESB-82-019"],
    ["invalid account (fault)", magicAccount("invalid-account"), "ESB-82-014"],
    ["cut-off", magicAccount("cutoff"), "ESB-82-026"],
    ["unknown beneficiary account", "0201299999", "ESB-82-014"],
    ["dormant beneficiary account", "0201200001", "ESB-82-018"],
    ["closed beneficiary account", "0201200002", "ESB-82-022"],
  ],
  startService: (settings) => {
    const config = loadBcaConfig({ port: 0, logLevel: "silent", ...settings });
    return startBankService({
      settings: config, hostVariable: HOST_VARIABLE, logger: createLogger("bank-bca-test", "silent"),
      createAdapter: async (connection) => createBcaAdapter({
        credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs,
        transactionIds: await createTransactionIds(connection),
      }),
    });
  },
};
const h = useBankHarness(profile);
describeBankConformance(profile, h);

/** Two references whose derived TransactionIDs are equal: found by search (~1e4 hashes by the birthday bound). */
function findCollision(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 1_000_000; i += 1) {
    const reference = `COLL${Date.now() % 100000}X${i}`;
    const id = transactionId(reference, 1);
    const earlier = seen.get(id);
    if (earlier !== undefined) return [earlier, reference];
    seen.set(id, reference);
  }
  throw new Error("no collision among 1e6 references");
}

describe("BCA's own behaviour", () => {
  it("refuses TRANSFER_INTERBANK (the legacy API here carries only BCA to BCA): FAILED_PRECONDITION, nothing booked", async () => {
    const before = (await h.sandbox().ledger()).length;
    const t = h.transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO" });
    expect(await h.caller().transfer(t)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    expect(await h.sandbox().ledger()).toHaveLength(before);
  });

  it("sends no attempt dated another day than today in Jakarta (a re-send after midnight): FAILED_PRECONDITION, nothing booked", async () => {
    const before = (await h.sandbox().ledger()).length;
    const yesterday = new Date(Date.now() - 86_400_000);
    const answer = await h.caller().transfer(h.transfer({ transactionDate: jakartaDate(yesterday.getTime()) }));
    expect(answer).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION, details: expect.stringMatching(/is not today in Jakarta/) as string });
    expect(await h.sandbox().ledger()).toHaveLength(before);
  });

  it("never books a resent attempt twice: ESB-82-003 is checked against the inquiry and the same transfer answers SUCCESS", async () => {
    const t = h.transfer();
    const first = await h.caller().transfer(t);
    const again = await h.caller().transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankCode: "00" } });
    if (!first.ok) return;
    expect(await h.booked(first.response.bankRequestId)).toHaveLength(1);
  });

  it("two transfers whose derived TransactionIDs collide are both booked, each under its own id, with equal amounts and accounts too", async () => {
    const [a, b] = findCollision();
    const first = await h.caller().transfer(h.transfer({ referenceNumber: a }));
    const second = await h.caller().transfer(h.transfer({ referenceNumber: b }));
    expect([first, second]).toMatchObject([{ ok: true, response: { status: STATUS.SUCCESS } }, { ok: true, response: { status: STATUS.SUCCESS } }]);
    if (!second.ok || !first.ok) return;
    expect(first.response.bankRequestId).toBe(transactionId(a, 1));
    expect(second.response.bankRequestId).not.toBe(first.response.bankRequestId); // BCA would have answered ESB-82-003
    expect(await h.booked(first.response.bankRequestId)).toHaveLength(1);
    expect(await h.booked(second.response.bankRequestId)).toHaveLength(1);
    // Each inquiry asks under its own id, and a resend of the second stays a duplicate of itself.
    expect(await h.statusOf(h.transfer({ referenceNumber: b }))).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankRequestId: second.response.bankRequestId } });
    expect(await h.statusOf(h.transfer({ referenceNumber: a }))).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankRequestId: first.response.bankRequestId } });
    expect(await h.caller().transfer(h.transfer({ referenceNumber: b }))).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankRequestId: second.response.bankRequestId } });
    expect(await h.booked(second.response.bankRequestId)).toHaveLength(1);
  });

  it("asks about an attempt that never got an id under its own new id, never under a derived id another transfer holds", async () => {
    const [a, b] = findCollision();
    const first = await h.caller().transfer(h.transfer({ referenceNumber: a }));
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    // b was recorded but a crash kept it from being sent; its derived id is a's, and a's booking matches b's details.
    const asked = await h.statusOf(h.transfer({ referenceNumber: b }));
    expect(asked).toMatchObject({ ok: true, response: { status: STATUS.NOT_FOUND } });
    if (!asked.ok || !first.ok) return;
    expect(asked.response.bankRequestId).not.toBe(first.response.bankRequestId);
    expect(await h.caller().transfer(h.transfer({ referenceNumber: b }))).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS, bankRequestId: asked.response.bankRequestId } });
  });

  it("reads BCA's 'not found' about a day past its 31-day inquiry window as UNKNOWN, not as proof of no booking", async () => {
    const old = jakartaDate(Date.now() - 40 * 86_400_000);
    expect(await h.statusOf(h.transfer({ transactionDate: old }))).toMatchObject({ ok: true, response: { status: STATUS.UNKNOWN } });
    expect(await h.statusOf(h.transfer())).toMatchObject({ ok: true, response: { status: STATUS.NOT_FOUND } }); // today's: proof
    expect([beyondInquiryWindow("2026-01-01", Date.parse("2026-02-01T12:00:00+07:00")), beyondInquiryWindow("2026-01-01", Date.parse("2026-02-02T12:00:00+07:00"))]).toEqual([false, true]);
  });

  it("a refused caller makes the service write nothing: no TransactionID is allocated before the token is checked", async () => {
    const t = h.transfer();
    expect(await h.caller().transfer(t, { authorization: "Bearer forged" })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    expect(await h.connection().collection("bca_transaction_ids").countDocuments({ referenceNumber: t.referenceNumber })).toBe(0);
  });

  it("an id BCA already holds for another transfer (sent before ids were allocated) is PENDING with the reason, never the other's outcome", async () => {
    const [a, b] = findCollision();
    const first = await h.caller().transfer(h.transfer({ referenceNumber: a, amount: "10000" }));
    expect(first).toMatchObject({ ok: true, response: { status: STATUS.SUCCESS } });
    await h.connection().collection("bca_transaction_ids").deleteOne({ referenceNumber: a }); // as if sent before allocation
    const second = await h.caller().transfer(h.transfer({ referenceNumber: b, amount: "20000" }));
    expect(second).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "ESB-82-003" } });
    if (!second.ok || !first.ok) return;
    expect(second.response.bankRequestId).toBe(first.response.bankRequestId);
    expect(second.response.bankMessage).toMatch(/collides with another transfer/);
    expect(await h.booked(first.response.bankRequestId)).toEqual([expect.objectContaining({ amount: "10000" })]);
    expect(await h.statusOf(h.transfer({ referenceNumber: b, amount: "20000" }))).toMatchObject({ ok: true, response: { status: STATUS.PENDING, bankCode: "ESB-82-003" } });
  });
});

// ESB-82-003 means the transfer reached BCA; whatever happens to the follow-up inquiry, the answer
// must never say "not sent" (the gateway would record FAILED "nothing was booked").
const duplicateInput: TransferInput = {
  referenceNumber: "GRB1", attempt: 1, transactionDate: "2026-11-27", usage: "TRANSFER",
  sourceAccountNumber: "0201245680", sourceAccountName: "IKIPPOB", beneficiaryBankCode: "014", beneficiaryBankName: "BCA",
  beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK", amount: "10000", currency: "IDR", remark: "",
};
describe("BCA transfer body", () => {
  it("carries our reference's last 15 characters as ReferenceID (BCA's field is about 15; ours are GRB + 13)", () => {
    const referenceId = (referenceNumber: string) => (JSON.parse(transferBody({ ...duplicateInput, referenceNumber }, "12345678", "GERBANGBCA")) as { ReferenceID: string }).ReferenceID;
    expect(referenceId("GRBNF67YDKSTTPYF")).toBe("RBNF67YDKSTTPYF");
    expect(referenceId("GRB1")).toBe("GRB1");
  });

  it("splits the remark into two parts of at most 18 UTF-16 units, never inside a surrogate pair", () => {
    const parts = (remark: string) => JSON.parse(transferBody({ ...duplicateInput, remark }, "12345678", "GERBANGBCA")) as { Remark1: string; Remark2: string };
    expect(parts("Invoice 2026-11 for the October rent")).toMatchObject({ Remark1: "Invoice 2026-11 fo", Remark2: "r the October rent" });
    const emoji = parts(`a${"\u{1F600}".repeat(20)}`);
    for (const part of [emoji.Remark1, emoji.Remark2]) {
      expect(part.length).toBeLessThanOrEqual(18);
      expect(part).toMatch(/^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/); // no half pair
    }
    expect(emoji.Remark1).toBe(`a${"\u{1F600}".repeat(8)}`);
    expect(emoji.Remark2).toBe("\u{1F600}".repeat(9));
  });
});

const statusRoute = { method: "GET" as const, url: "http://127.0.0.1:9/banking/corporates/transfers/status/{TransactionID}" };
const duplicateCtx: BankCallContext = {
  signal: new AbortController().signal, route: { method: "POST", url: "http://127.0.0.1:9/banking/corporates/transfers" },
  requestId: "12345678", logger: createLogger("bca-duplicate-test", "silent"), lookupRoute: () => statusRoute,
};
const apiAnswering = (status: () => Promise<HttpAnswer>): BcaApi => ({
  transfer: () => Promise.reject(new Error("not called")),
  status,
});

describe("BCA ESB-82-003 follow-up inquiry", () => {
  it("a refused inquiry connection is PENDING with the reason, not a 'not sent' refusal", async () => {
    const api = apiAnswering(() => Promise.resolve({ kind: "no-answer", sent: false, reason: "refused", detail: "connection refused" }));
    await expect(settleDuplicate(api, duplicateInput, duplicateCtx)).resolves.toMatchObject({ status: "PENDING", bankCode: "ESB-82-003", bankMessage: expect.stringContaining("connection refused") as string });
  });

  it("a token request that fails before the inquiry is sent is PENDING too", async () => {
    const api = apiAnswering(() => Promise.reject(unavailable("BCA token endpoint: connection refused; not sent")));
    await expect(settleDuplicate(api, duplicateInput, duplicateCtx)).resolves.toMatchObject({ status: "PENDING", bankCode: "ESB-82-003", bankMessage: expect.stringContaining("token endpoint") as string });
  });

  it("an inquiry that times out is PENDING", async () => {
    const api = apiAnswering(() => Promise.resolve({ kind: "no-answer", sent: true, reason: "timeout", detail: "no answer within the time budget" }));
    await expect(settleDuplicate(api, duplicateInput, duplicateCtx)).resolves.toMatchObject({ status: "PENDING", bankCode: "ESB-82-003" });
  });

  it("an inquiry that answers about another TransactionID or date is PENDING, and says so: never taken for a collision", async () => {
    const record = { TransactionID: "12345678", TransactionDate: "2026-11-27", Amount: "10000.00", SourceAccountNumber: "0201245680", BeneficiaryAccountNumber: "0201245681", StatusCode: "00", PPUNumber: "P1" };
    const answering = (over: Record<string, string>) => apiAnswering(() => Promise.resolve({ kind: "answered", status: 200, body: { ...record, ...over }, text: "" }));
    await expect(settleDuplicate(answering({}), duplicateInput, duplicateCtx)).resolves.toMatchObject({ status: "SUCCESS", bankReference: "P1" });
    for (const over of [{ TransactionID: "87654321" }, { TransactionDate: "2026-11-26" }]) {
      const answer = await settleDuplicate(answering(over), duplicateInput, duplicateCtx);
      expect(answer).toMatchObject({ status: "PENDING", bankCode: "ESB-82-003", bankMessage: expect.stringMatching(/did not say whose it is \(the inquiry answered about another record: its Transaction(ID|Date) is/) as string });
      expect(answer.bankMessage).not.toMatch(/collides/);
    }
  });

  it("an unexpected error still propagates (the service turns it into PENDING after sending)", async () => {
    const api = apiAnswering(() => Promise.reject(new TypeError("bug")));
    await expect(settleDuplicate(api, duplicateInput, duplicateCtx)).rejects.toThrow("bug");
  });
});

describe("BCA cut-off (ESB-82-026, published over HTTP 500): a decline only once the status inquiry shows it refused", () => {
  const declined = bankAnswer("FAILED", "ESB-82-026", "Cut-off time exceeded");
  const answered = (status: number, body: unknown): HttpAnswer => ({ kind: "answered", status, body, text: JSON.stringify(body) });
  const record = (over: Record<string, unknown>) => answered(200, {
    TransactionID: "12345678", Amount: "10000.00", SourceAccountNumber: "0201245680", BeneficiaryAccountNumber: "0201245681", Reason: { English: "x" }, ...over,
  });
  const confirm = (answer: HttpAnswer) => confirmCutOff(apiAnswering(() => Promise.resolve(answer)), duplicateInput, duplicateCtx, declined);

  it("stands when the inquiry shows this transfer refused (06)", async () => {
    await expect(confirm(record({ StatusCode: "06" }))).resolves.toBe(declined);
  });

  it("is SUCCESS when the inquiry finds it booked (a 500 after the booking)", async () => {
    await expect(confirm(record({ StatusCode: "00", PPUNumber: "P1" }))).resolves.toMatchObject({ status: "SUCCESS", bankReference: "P1" });
  });

  it.each([
    ["no such transaction (404 ESB-82-027: asked a moment after, a booking may not show yet)", answered(404, { ErrorCode: "ESB-82-027", ErrorMessage: { English: "Transaction not found" } })],
    ["in progress (01)", record({ StatusCode: "01" })],
    ["another transfer under the id", record({ StatusCode: "06", Amount: "99999.00" })],
    ["a record it echoes under another TransactionID", record({ StatusCode: "06", TransactionID: "87654321" })],
    ["a record it echoes under another TransactionDate", record({ StatusCode: "06", TransactionDate: "2026-11-25" })],
    ["no answer", { kind: "no-answer", sent: true, reason: "timeout", detail: "no answer within the time budget" } satisfies HttpAnswer],
    ["an error of the inquiry itself", answered(500, { ErrorCode: "ESB-99-999", ErrorMessage: { English: "System unavailable" } })],
  ])("stays PENDING, for the resolver to ask again, when the inquiry says %s", async (_what, answer) => {
    await expect(confirm(answer)).resolves.toMatchObject({ status: "PENDING", bankCode: "ESB-82-026", bankMessage: expect.stringContaining("not confirmed by the status inquiry") as string });
  });
});

describe("BCA settings", () => {
  it("refuses an empty BCA_ORIGIN: BCA requires the Origin header on every call", () => {
    expect(() => loadBcaConfig({ origin: " " })).toThrow(/^origin \(BCA_ORIGIN\): must not be empty/);
    expect(loadBcaConfig({ origin: "gerbang.example" }).origin).toBe("gerbang.example");
  });

  it("refuses the sandbox's Origin for a BCA that is not on this machine, as it refuses demo credentials", () => {
    const own = { clientId: "c", clientSecret: "s", apiKey: "k", apiSecret: "a", corporateId: "CORP" };
    expect(() => loadBcaConfig({ bankHost: "https://api.bca.example", credentials: own })).toThrow(/^BCA_ORIGIN: still the local sandbox's demo value/);
    expect(loadBcaConfig({ bankHost: "https://api.bca.example", credentials: own, origin: "pay.example.co.id" }).origin).toBe("pay.example.co.id");
  });
});
