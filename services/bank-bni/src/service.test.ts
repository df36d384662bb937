import { status } from "@grpc/grpc-js";
import type { Connection } from "mongoose";
import { BankTransferStatus, TransferUsage, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger, createRegistryStore, deriveRequestId, signHs256, UPPER_ALPHANUMERIC, signServiceToken, startBankService, type RunningBankService } from "@gerbang/shared";
import {
  BANK_ROUTES, createBankCaller, jakartaToday, seedRegistry, startSandboxProcess, testPartner, type SandboxProcess,
} from "@gerbang/shared/src/bank/testing";
import { connectTestDatabase, testDatabaseUri } from "../../../test/database";
import { loadBniConfig } from "./config";
import { createBniAdapter, HOST_VARIABLE } from "./service";

// BNI service end to end: the ts-proto grpc-js client with a real service token -> the BNI
// service on a free port -> the BNI sandbox process over HTTP, with the registry in the test database.
const ESCROW = "0115476117";
const BENEFICIARY = "0115476119";
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
const partner = testPartner("bni", 0);
let counter = 0;
const nextReference = () => {
  counter += 1;
  return `BNI${Date.now()}N${counter}`;
};

const transfer = (overrides: Partial<BankTransferServiceTransferRequest> = {}): BankTransferServiceTransferRequest => ({
  referenceNumber: nextReference(),
  attempt: 1,
  transactionDate: jakartaToday(),
  usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
  sourceAccountNumber: ESCROW,
  sourceAccountName: "IKIPPOB",
  beneficiaryBankCode: "009",
  beneficiaryBankName: "BNI",
  beneficiaryAccountNumber: BENEFICIARY,
  beneficiaryAccountName: "ERRY JULIO",
  amount: "2475000",
  currency: "IDR",
  remark: "Gerbang test transfer",
  ...overrides,
});
const statusOf = (t: BankTransferServiceTransferRequest) =>
  caller.status({ referenceNumber: t.referenceNumber, attempt: t.attempt, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber });
const booked = async (requestId: string) => (await sandbox.ledger()).filter((e) => e.requestId === requestId);

beforeAll(async () => {
  sandbox = await startSandboxProcess("bni");
  connection = await connectTestDatabase("bank_bni");
  await seedRegistry(createRegistryStore(connection), partner, BANK_ROUTES.bni);
  const config = loadBniConfig({ port: 0, bankHost: sandbox.url, mongodbUri: testDatabaseUri(), mongodbDatabase: connection.name, logLevel: "silent", bankTimeoutMs: 5000 });
  const adapter = createBniAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: config.bankTimeoutMs });
  service = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger: createLogger("bank-bni-test", "silent") });
  caller = createBankCaller(service.port, partner.keyToken, "009");
}, 60_000);

afterAll(async () => {
  caller.close();
  await service.stop();
  await sandbox.stop();
  await connection.dropDatabase();
  await connection.close();
});

describe("BNI service over gRPC against the BNI sandbox", () => {
  it("books an in-house transfer: SUCCESS with BNI's journal number and a 16-char requestUuid", async () => {
    const t = transfer();
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: SUCCESS, bankCode: "0001" } });
    if (!result.ok) return;
    expect(result.response.bankRequestId).toMatch(/^[0-9A-Z]{16}$/);
    const entries = await booked(result.response.bankRequestId);
    expect(entries).toEqual([expect.objectContaining({ amount: "2475000", sourceAccountNumber: ESCROW, beneficiaryAccountNumber: BENEFICIARY, kind: "INTRABANK" })]);
    expect(result.response.bankReference).toBe(entries[0]?.journalNo);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS, bankRequestId: result.response.bankRequestId } });
  });

  it("books an interbank transfer to BCA through p2pl/payment/interbank", async () => {
    const t = transfer({ usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "014", beneficiaryBankName: "BANK BCA", beneficiaryAccountNumber: "3333333333", beneficiaryAccountName: "KEN AROK", amount: "15000" });
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: SUCCESS } });
    if (!result.ok) return;
    expect(await booked(result.response.bankRequestId)).toEqual([expect.objectContaining({ kind: "INTERBANK", beneficiaryBankCode: "014", amount: "15000" })]);
  });

  it("never books a resent attempt twice: the resend is PENDING (duplicate) and the inquiry says SUCCESS", async () => {
    const t = transfer();
    const first = await caller.transfer(t);
    const again = await caller.transfer(t);
    expect(first).toMatchObject({ ok: true, response: { status: SUCCESS } });
    expect(again).toMatchObject({ ok: true, response: { status: PENDING, bankCode: "0116" } });
    if (!first.ok) return;
    expect(await booked(first.response.bankRequestId)).toHaveLength(1);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS } });
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
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: NOT_FOUND, bankCode: "0404" } });
  });

  it.each([
    ["insufficient funds", faultAccount(7), "0111"],
    ["invalid account (fault)", faultAccount(8), "0112"],
    ["cut-off", faultAccount(9), "0115"],
    ["unknown beneficiary account", "0115499999", "0112"],
    ["dormant beneficiary account", "0115400001", "0113"],
  ])("a decline (%s) is FAILED with BNI's code, and nothing is booked", async (_name, account, code) => {
    const t = transfer({ beneficiaryAccountNumber: account });
    const result = await caller.transfer(t);
    expect(result).toMatchObject({ ok: true, response: { status: FAILED, bankCode: code } });
    if (!result.ok) return;
    expect(await booked(result.response.bankRequestId)).toHaveLength(0);
    expect(await statusOf(t)).toMatchObject({ ok: true, response: { status: FAILED, bankCode: code } });
  });

  it("answers PENDING within the caller's deadline when BNI never answers", async () => {
    const t = transfer({ beneficiaryAccountNumber: faultAccount(2) });
    const result = await caller.transfer(t, { deadlineMs: 1500 });
    expect(result).toMatchObject({ ok: true, response: { status: PENDING } });
  });

  it("gets a new token and re-sends once when BNI refuses the cached one (sandbox restarted)", async () => {
    await caller.transfer(transfer()); // caches a token that would live an hour
    await sandbox.restart(); // the restarted sandbox knows none of the old tokens: without the re-send this is FAILED 0401
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

describe("BNI service refusals: an error, and nothing sent to BNI", () => {
  const now = Math.floor(Date.now() / 1000);
  const refused: [string, (t: BankTransferServiceTransferRequest) => string | null][] = [
    ["missing authorization", () => null],
    ["not a Bearer token", () => "Basic abc"],
    ["expired token", (t) => `Bearer ${signServiceToken(partner.keyToken, "009", { referenceNumber: t.referenceNumber, attempt: 1 }, now - 600)}`],
    ["wrong audience (BCA's code)", (t) => `Bearer ${signServiceToken(partner.keyToken, "014", { referenceNumber: t.referenceNumber, attempt: 1 })}`],
    ["foreign key", (t) => `Bearer ${signServiceToken("not-the-partner-key", "009", { referenceNumber: t.referenceNumber, attempt: 1 })}`],
    ["bound to another attempt", (t) => `Bearer ${signServiceToken(partner.keyToken, "009", { referenceNumber: t.referenceNumber, attempt: 2 })}`],
    ["bound to another transfer", () => `Bearer ${signServiceToken(partner.keyToken, "009", { referenceNumber: "OTHER", attempt: 1 })}`],
    ["alg none", (t) => `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ aud: "009", ref: t.referenceNumber, att: 1, iat: now, exp: now + 30 })).toString("base64url")}.`],
    ["lifetime too long", (t) => `Bearer ${signHs256({ aud: "009", ref: t.referenceNumber, att: 1, iat: now, exp: now + 3600 }, partner.keyToken)}`],
  ];

  it.each(refused)("%s: UNAUTHENTICATED on Transfer and GetTransferStatus", async (_name, authorization) => {
    const t = transfer();
    const result = await caller.transfer(t, { authorization: authorization(t) });
    expect(result).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    const inquiry = { referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber };
    expect(await caller.status(inquiry, { authorization: authorization(t) })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    expect(await booked(deriveRequestId(t.referenceNumber, 1, UPPER_ALPHANUMERIC, 16))).toHaveLength(0);
  });

  it.each([
    ["amount with decimals", { amount: "1000.50" }, "amount"],
    ["zero amount", { amount: "0" }, "amount"],
    ["attempt 0", { attempt: 0 }, "attempt"],
    ["bad date", { transactionDate: "2024-02-30" }, "transaction_date"],
    ["unspecified usage", { usage: TransferUsage.TRANSFER_USAGE_UNSPECIFIED }, "usage"],
    ["TRANSFER to another bank", { beneficiaryBankCode: "014" }, "beneficiary_bank_code"],
    ["interbank without a beneficiary name", { usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: "014", beneficiaryAccountName: "" }, "beneficiary_account_name"],
    ["currency USD", { currency: "USD" }, "currency"],
    ["remark over 50 characters", { remark: "x".repeat(51) }, "remark"],
    ["letters in the account", { beneficiaryAccountNumber: "01154X6119" }, "beneficiary_account_number"],
    ["empty reference", { referenceNumber: "" }, "reference_number"],
  ] as const)("%s: INVALID_ARGUMENT naming the field, nothing booked", async (_name, overrides, field) => {
    const before = (await sandbox.ledger()).length;
    const t = transfer(overrides);
    // The token binds what the request carries, so the refusal is about the field, not the token.
    const result = await caller.transfer(t, { authorization: `Bearer ${signServiceToken(partner.keyToken, "009", { referenceNumber: t.referenceNumber, attempt: t.attempt })}` });
    expect(result).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    if (!result.ok) expect(result.details).toMatch(new RegExp(`not sent.*${field}`));
    expect(await sandbox.ledger()).toHaveLength(before);
  });

  it("no route for the usage: FAILED_PRECONDITION, nothing booked", async () => {
    const bare = await connectTestDatabase("bank_bni_noroute");
    await seedRegistry(createRegistryStore(bare), partner, []);
    const config = loadBniConfig({ port: 0, bankHost: sandbox.url, mongodbUri: testDatabaseUri(), mongodbDatabase: bare.name, logLevel: "silent" });
    const adapter = createBniAdapter({ credentials: config.credentials, host: config.bankHost, timeoutMs: 1000 });
    const other = await startBankService({ settings: config, hostVariable: HOST_VARIABLE, adapter, logger: createLogger("bank-bni-test", "silent") });
    const otherCaller = createBankCaller(other.port, partner.keyToken, "009");
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
