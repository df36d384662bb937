import { status } from "@grpc/grpc-js";
import type { Connection } from "mongoose";
import { BankTransferStatus, TransferUsage, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, createRegistryStore, deriveRequestId, DIGITS, signHs256, signServiceToken, startBankService, type RunningBankService } from "@gerbang/shared";
import {
  BANK_ROUTES, createBankCaller, jakartaToday, seedRegistry, startSandboxProcess, testPartner, type SandboxProcess,
} from "@gerbang/shared/src/bank/testing";
import { connectTestDatabase, testDatabaseUri } from "../../../test/database";
import { loadBcaConfig } from "./config";
import { createBcaAdapter, HOST_VARIABLE } from "./service";

// BCA service end to end: the ts-proto grpc-js client with a real service token -> the BCA
// service on a free port -> the BCA sandbox process over HTTP, with the registry in the test database.
const ESCROW = "0201245680";
const BENEFICIARY = "0201245681";
const faultAccount = (n: number) => `99900000${String(n).padStart(2, "0")}`;
const { SUCCESS, FAILED, PENDING, NOT_FOUND } = {
  SUCCESS: BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS,
  FAILED: BankTransferStatus.BANK_TRANSFER_STATUS_FAILED,
  PENDING: BankTransferStatus.BANK_TRANSFER_STATUS_PENDING,
  NOT_FOUND: BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND,
};

let sandbox: SandboxProcess;
let connection: Connection;
let service: RunningBankService;
let caller: ReturnType<typeof createBankCaller>;
const partner = testPartner("bca", 0);
let counter = 0;
const nextReference = () => {
  counter += 1;
  return `BCA${Date.now()}N${counter}`;
};

const transfer = (overrides: Partial<BankTransferServiceTransferRequest> = {}): BankTransferServiceTransferRequest => ({
  referenceNumber: nextReference(),
  attempt: 1,
  transactionDate: jakartaToday(),
  usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
  sourceAccountNumber: ESCROW,
  sourceAccountName: "IKIPPOB",
  beneficiaryBankCode: "014",
  beneficiaryBankName: "BCA",
  beneficiaryAccountNumber: BENEFICIARY,
  beneficiaryAccountName: "KEN AROK",
  amount: "2475000",
  currency: "IDR",
  remark: "Gerbang test transfer",
  ...overrides,
});
const statusOf = (t: BankTransferServiceTransferRequest) =>
  caller.status({ referenceNumber: t.referenceNumber, attempt: t.attempt, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber });
function findCollision(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 1_000_000; i += 1) {
    const reference = `COLL${Date.now() % 100000}X${i}`;
    const id = deriveRequestId(reference, 1, DIGITS, 8);
    const earlier = seen.get(id);
    if (earlier !== undefined) return [earlier, reference];
    seen.set(id, reference);
  }
  throw new Error("no collision among 1e6 references");
}
const booked = async (requestId: string) => (await sandbox.ledger()).filter((e) => e.requestId === requestId);

beforeAll(async () => {
  sandbox = await startSandboxProcess("bca");
  connection = await connectTestDatabase("bank_bca");
  await seedRegistry(createRegistryStore(connection), partner, BANK_ROUTES.bca);
  const config = loadBcaConfig({ port: 0, bankHost: sandbox.url, mongodbUri: testDatabaseUri(), mongodbDatabase: connection.name, logLevel: "silent", bankTimeoutMs: 5000 });
  const adapter = createBcaAdapter({ credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: config.bankTimeoutMs });
  service = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger: createLogger("bank-bca-test", "silent") });
  caller = createBankCaller(service.port, partner.keyToken, "014");
}, 60_000);

afterAll(async () => {
  caller.close();
  await service.stop();
  await sandbox.stop();
  await connection.dropDatabase();
  await connection.close();
});

describe("BCA service over gRPC against the BCA sandbox", () => {
  it("books a transfer: SUCCESS with BCA's PPUNumber and an 8-digit TransactionID", async () => {
    const t = transfer();
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: SUCCESS, bankCode: "Success" } });
    if (!result.ok) return;
    expect(result.response.bankRequestId).toMatch(/^\d{8}$/);
    const entries = await booked(result.response.bankRequestId);
    expect(entries).toEqual([expect.objectContaining({ amount: "2475000", sourceAccountNumber: ESCROW, beneficiaryAccountNumber: BENEFICIARY, kind: "INTRABANK" })]);
    expect(result.response.bankReference).toBe(entries[0]?.journalNo);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS, bankCode: "00", bankRequestId: result.response.bankRequestId } });
  });

  it("refuses TRANSFER_INTERBANK (the legacy API here carries only BCA to BCA): FAILED_PRECONDITION, nothing booked", async () => {
    const before = (await sandbox.ledger()).length;
    const t = transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "009", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO" });
    expect(await caller.transfer(t)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
    expect(await sandbox.ledger()).toHaveLength(before);
  });

  it("never books a resent attempt twice: ESB-82-003 is checked against the inquiry and the same transfer answers SUCCESS", async () => {
    const t = transfer();
    const first = await caller.transfer(t);
    const again = await caller.transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: SUCCESS, bankCode: "00" } });
    if (!first.ok) return;
    expect(await booked(first.response.bankRequestId)).toHaveLength(1);
  });

  describe("TransactionID collisions (8 digits per day)", () => {
    // Two references whose derived TransactionIDs are equal: found by search, ~1e4 hashes.
    const [a, b] = findCollision();

    it("a colliding transfer with other amount is PENDING with the reason, and not booked", async () => {
      const first = await caller.transfer(transfer({ referenceNumber: a, amount: "10000" }));
      expect(first).toMatchObject({ ok: true, response: { status: SUCCESS } });
      const second = await caller.transfer(transfer({ referenceNumber: b, amount: "20000" }));
      expect(second).toMatchObject({ ok: true, response: { status: PENDING, bankCode: "ESB-82-003" } });
      if (!second.ok || !first.ok) return;
      expect(second.response.bankRequestId).toBe(first.response.bankRequestId);
      expect(second.response.bankMessage).toMatch(/collides with another transfer/);
      expect(await booked(first.response.bankRequestId)).toEqual([expect.objectContaining({ amount: "10000" })]);
      // The status inquiry for the second must not report the first one's SUCCESS as its own.
      const inquiry = await statusOf(transfer({ referenceNumber: b, amount: "20000" }));
      expect(inquiry).toMatchObject({ ok: true, response: { status: PENDING, bankCode: "ESB-82-003" } });
      expect(await statusOf(transfer({ referenceNumber: a, amount: "10000" }))).toMatchObject({ ok: true, response: { status: SUCCESS } });
    });
  });

  it.each([
    ["error-after (5xx after booking)", 4],
    ["reset-after (connection reset after booking)", 6],
  ])("%s comes out PENDING, then SUCCESS by GetTransferStatus, never FAILED", async (_name, fault) => {
    const t = transfer({ beneficiaryAccountNumber: faultAccount(fault) });
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: PENDING } });
    if (!result.ok) return;
    expect(await booked(result.response.bankRequestId)).toHaveLength(1);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS } });
  });

  it.each([
    ["error-before (5xx, nothing booked)", 3],
    ["reset (connection reset, nothing booked)", 5],
  ])("%s comes out PENDING, then NOT_FOUND by GetTransferStatus", async (_name, fault) => {
    const t = transfer({ beneficiaryAccountNumber: faultAccount(fault) });
    expect(await caller.transfer(t)).toMatchObject({ ok: true, response: { status: PENDING } });
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: NOT_FOUND, bankCode: "ESB-82-027" } });
  });

  it.each([
    ["insufficient funds", faultAccount(7), "ESB-82-019"],
    ["invalid account (fault)", faultAccount(8), "ESB-82-014"],
    ["cut-off", faultAccount(9), "ESB-82-026"],
    ["unknown beneficiary account", "0201299999", "ESB-82-014"],
    ["dormant beneficiary account", "0201200001", "ESB-82-018"],
    ["closed beneficiary account", "0201200002", "ESB-82-022"],
  ])("a decline (%s) is FAILED with BCA's code, and nothing is booked", async (_name, account, code) => {
    const t = transfer({ beneficiaryAccountNumber: account });
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: FAILED, bankCode: code } });
    if (!result.ok) return;
    expect(await booked(result.response.bankRequestId)).toHaveLength(0);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: FAILED, bankCode: "01" } });
  });

  it("answers PENDING within the caller's deadline when BCA never answers", async () => {
    const t = transfer({ beneficiaryAccountNumber: faultAccount(2) });
    const result = await caller.transfer(t, { deadlineMs: 1500 });
    expect(result).toMatchObject({ ok: true, response: { status: PENDING } });
  });

  it("gets a new token and re-sends once when BCA refuses the cached one (sandbox restarted)", async () => {
    await caller.transfer(transfer()); // caches a token that would live an hour
    await sandbox.restart(); // the restarted sandbox knows none of the old tokens: without the re-send this is FAILED ESB-14-009
    const t = transfer();
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: SUCCESS } });
    if (!result.ok) return;
    expect(await booked(result.response.bankRequestId)).toHaveLength(1);
  });

  it("refreshes the bank token after it expired (SANDBOX_TOKEN_TTL_SECONDS=1)", async () => {
    await sandbox.restart({ SANDBOX_TOKEN_TTL_SECONDS: "1" });
    expect(await caller.transfer(transfer())).toMatchObject({ ok: true, response: { status: SUCCESS } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await caller.transfer(transfer())).toMatchObject({ ok: true, response: { status: SUCCESS } });
  });
});

describe("BCA service refusals: an error, and nothing sent to BCA", () => {
  const now = Math.floor(Date.now() / 1000);
  const refused: [string, (t: BankTransferServiceTransferRequest) => string | null][] = [
    ["missing authorization", () => null],
    ["not a Bearer token", () => "Basic abc"],
    ["expired token", (t) => `Bearer ${signServiceToken(partner.keyToken, "014", { referenceNumber: t.referenceNumber, attempt: 1 }, now - 600)}`],
    ["wrong audience (BNI's code)", (t) => `Bearer ${signServiceToken(partner.keyToken, "009", { referenceNumber: t.referenceNumber, attempt: 1 })}`],
    ["foreign key", (t) => `Bearer ${signServiceToken("not-the-partner-key", "014", { referenceNumber: t.referenceNumber, attempt: 1 })}`],
    ["bound to another attempt", (t) => `Bearer ${signServiceToken(partner.keyToken, "014", { referenceNumber: t.referenceNumber, attempt: 2 })}`],
    ["bound to another transfer", () => `Bearer ${signServiceToken(partner.keyToken, "014", { referenceNumber: "OTHER", attempt: 1 })}`],
    ["alg none", (t) => `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ aud: "014", ref: t.referenceNumber, att: 1, iat: now, exp: now + 30 })).toString("base64url")}.`],
    ["lifetime too long", (t) => `Bearer ${signHs256({ aud: "014", ref: t.referenceNumber, att: 1, iat: now, exp: now + 3600 }, partner.keyToken)}`],
  ];

  it.each(refused)("%s: UNAUTHENTICATED on Transfer and GetTransferStatus", async (_name, authorization) => {
    const t = transfer();
    const result = await caller.transfer(t, { authorization: authorization(t) });
    expect(result).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    const inquiry = { referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber };
    expect(await caller.status(inquiry, { authorization: authorization(t) })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    expect(await booked(deriveRequestId(t.referenceNumber, 1, DIGITS, 8))).toHaveLength(0);
  });

  it.each([
    ["amount with decimals", { amount: "1000.50" }, "amount"],
    ["zero amount", { amount: "0" }, "amount"],
    ["attempt 0", { attempt: 0 }, "attempt"],
    ["bad date", { transactionDate: "2024-02-30" }, "transaction_date"],
    ["unspecified usage", { usage: TransferUsage.TRANSFER_USAGE_UNSPECIFIED }, "usage"],
    ["TRANSFER to another bank", { beneficiaryBankCode: "009" }, "beneficiary_bank_code"],
    ["interbank without a beneficiary name", { usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "009", beneficiaryAccountName: "" }, "beneficiary_account_name"],
    ["currency USD", { currency: "USD" }, "currency"],
    ["remark over 50 characters", { remark: "x".repeat(51) }, "remark"],
    ["letters in the account", { beneficiaryAccountNumber: "02012X5681" }, "beneficiary_account_number"],
    ["empty reference", { referenceNumber: "" }, "reference_number"],
  ] as const)("%s: INVALID_ARGUMENT naming the field, nothing booked", async (_name, overrides, field) => {
    const before = (await sandbox.ledger()).length;
    const t = transfer(overrides);
    // The token binds what the request carries, so the refusal is about the field, not the token.
    const result = await caller.transfer(t, { authorization: `Bearer ${signServiceToken(partner.keyToken, "014", { referenceNumber: t.referenceNumber, attempt: t.attempt })}` });
    expect(result).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    if (!result.ok) expect(result.details).toMatch(new RegExp(`not sent.*${field}`));
    expect(await sandbox.ledger()).toHaveLength(before);
  });

  it("no route for the usage: FAILED_PRECONDITION, nothing booked", async () => {
    const bare = await connectTestDatabase("bank_bca_noroute");
    await seedRegistry(createRegistryStore(bare), partner, []);
    const config = loadBcaConfig({ port: 0, bankHost: sandbox.url, mongodbUri: testDatabaseUri(), mongodbDatabase: bare.name, logLevel: "silent" });
    const adapter = createBcaAdapter({ credentials: config.credentials, host: config.bankHost, origin: config.origin, timeoutMs: 1000 });
    const other = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger: createLogger("bank-bca-test", "silent") });
    const otherCaller = createBankCaller(other.port, partner.keyToken, "014");
    try {
      const before = (await sandbox.ledger()).length;
      const t = transfer();
      expect(await otherCaller.transfer(t)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
      expect(await otherCaller.status({ referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber })).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
      expect(await sandbox.ledger()).toHaveLength(before);
    } finally {
      otherCaller.close();
      await other.stop();
      await bare.dropDatabase();
      await bare.close();
    }
  });
});
