import { status } from "@grpc/grpc-js";
import { BankTransferStatus, TransferUsage, type BankTransferServiceTransferRequest } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { connectTestDatabase, testDatabaseUri } from "../../../../../test/database";
import type { Connection } from "../../db";
import { peekClaims, signHs256 } from "../../jwt";
import { BANK_CODES, type PartnerBank } from "../../local-fixtures";
import { createRegistryStore } from "../../registry-store";
import { signServiceToken, statusBinding, transferBinding } from "../../service-token";
import type { RunningBankService } from "../run-bank-service";
import { createBankCaller } from "./grpc-caller";
import { magicAccount } from "../../sandbox-faults";
import { keepClearOfJakartaMidnight } from "./midnight";
import { BANK_ROUTES, jakartaToday, seedRegistry, testPartner } from "./registry-rows";
import { startSandboxProcess, type SandboxProcess } from "./sandbox-process";

/**
 * The conformance suite every bank service passes, end to end: the ts-proto grpc-js client with
 * a real service token -> the bank service on a free port -> its sandbox process over HTTP, with
 * the registry in a test database. A bank's service.test.ts gives its profile, runs this, and adds
 * only what is particular to its bank (duplicates, interbank, collisions...).
 */
export interface BankTestProfile {
  bank: PartnerBank;
  /** "BNI", for test names. */
  name: string;
  escrow: { accountNumber: string; accountName: string };
  beneficiary: { accountNumber: string; accountName: string };
  /** A partner code that is not this bank's (wrong audience, TRANSFER to another bank). */
  otherBankCode: string;
  /** This bank's beneficiary account with a letter in it. */
  letteredAccount: string;
  /** The bank-side request id the service derives (to look the sandbox's ledger up). */
  requestId: (referenceNumber: string, attempt: number) => string;
  /** The bank's success code on Transfer and the shape of its request ids. */
  successCode: string;
  requestIdPattern: RegExp;
  /** The bank's code when the status inquiry does not know the request id. */
  notFoundCode: string;
  /** Declines: label, beneficiary account, the bank's code, amount (default 2475000). */
  declines: [string, string, string, string?][];
  /** The code the status inquiry reports for a declined transfer (BCA: its own "06"; default: the decline's code). */
  declinedInquiryCode?: string;
  /**
   * What a 429 from the bank's API gateway (sandbox fault rate-limited) is to the service: "not
   * sent" where the bank publishes it as nothing processed (BCA's ESB-14-010), "unknown" where the
   * bank publishes none (an answer the service does not know: PENDING, ask the inquiry).
   */
  rateLimit: "not sent" | "unknown";
  /** The bank's answer to a transfer it has taken and is still working on (sandbox fault in-progress). */
  inProgressCode: string;
  /** Starts the bank's service against the sandbox and database (its config loader + adapter). */
  startService: (settings: { bankHost: string; mongodbUri: string; mongodbDatabase: string; bankTimeoutMs: number; deadlineMarginMs?: number }) => Promise<RunningBankService>;
}

export const STATUS = {
  SUCCESS: BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS,
  FAILED: BankTransferStatus.BANK_TRANSFER_STATUS_FAILED,
  PENDING: BankTransferStatus.BANK_TRANSFER_STATUS_PENDING,
  NOT_FOUND: BankTransferStatus.BANK_TRANSFER_STATUS_NOT_FOUND,
  UNKNOWN: BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN,
};


/** Starts sandbox, database and service for the file's tests and stops them after. */
export function useBankHarness(profile: BankTestProfile) {
  const partner = testPartner(profile.bank, 0);
  const bankCode = BANK_CODES[profile.bank];
  const state: { sandbox?: SandboxProcess; connection?: Connection; service?: RunningBankService; caller?: ReturnType<typeof createBankCaller> } = {};
  let counter = 0;
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the harness is not started (beforeAll)");
    return value;
  };
  beforeAll(async () => {
    state.sandbox = await startSandboxProcess(profile.bank);
    state.connection = await connectTestDatabase(`bank_${profile.bank}`);
    await seedRegistry(createRegistryStore(state.connection), partner, BANK_ROUTES[profile.bank]);
    // A second kept free before the caller's deadline (250 ms by default): on a loaded test machine
    // getting the answer back can take longer, and the deadline test would read DEADLINE_EXCEEDED.
    state.service = await profile.startService({ bankHost: state.sandbox.origin, mongodbUri: testDatabaseUri(), mongodbDatabase: state.connection.name, bankTimeoutMs: 5000, deadlineMarginMs: 1000 });
    state.caller = createBankCaller(state.service.port, partner.keyToken, bankCode);
  }, 60_000);
  // transfer() dates a request jakartaToday() in this process, and BCA's sandbox refuses any date
  // but its own "today" (ESB-82-004): a test running across Jakarta midnight (17:00Z) would get
  // PENDING. No test outlives the 30 s test timeout, so one that would start in the last 30 s
  // before midnight waits until just after it.
  keepClearOfJakartaMidnight();
  afterAll(async () => {
    state.caller?.close();
    await state.service?.stop();
    await state.sandbox?.stop();
    await state.connection?.dropDatabase();
    await state.connection?.close();
  });
  const harness = {
    partner,
    bankCode,
    sandbox: () => need(state.sandbox),
    caller: () => need(state.caller),
    /** The service's database (a test may look at, or remove, what the service stored). */
    connection: () => need(state.connection),
    transfer: (overrides: Partial<BankTransferServiceTransferRequest> = {}): BankTransferServiceTransferRequest => ({
      referenceNumber: `${profile.name}${Date.now()}N${++counter}`,
      attempt: 1,
      transactionDate: jakartaToday(),
      usage: TransferUsage.TRANSFER_USAGE_TRANSFER,
      sourceAccountNumber: profile.escrow.accountNumber,
      sourceAccountName: profile.escrow.accountName,
      beneficiaryBankCode: bankCode,
      beneficiaryBankName: profile.name,
      beneficiaryAccountNumber: profile.beneficiary.accountNumber,
      beneficiaryAccountName: profile.beneficiary.accountName,
      amount: "2475000",
      currency: "IDR",
      remark: "Gerbang test transfer",
      ...overrides,
    }),
    statusOf: (t: BankTransferServiceTransferRequest, caller = need(state.caller)) => caller.status({
      referenceNumber: t.referenceNumber, attempt: t.attempt, usage: t.usage, transactionDate: t.transactionDate,
      amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber,
    }),
    booked: async (requestId: string) => (await need(state.sandbox).ledger()).filter((e) => e.requestId === requestId),
  };
  return harness;
}

export type BankHarness = ReturnType<typeof useBankHarness>;

/** What every bank service must do; registers its tests in the calling file. */
export function describeBankConformance(profile: BankTestProfile, h: BankHarness): void {
  const { SUCCESS, FAILED, PENDING, NOT_FOUND } = STATUS;

  describe(`${profile.name} service: the shared contract against the ${profile.name} sandbox`, () => {
    it(`books a transfer: SUCCESS with the bank's journal number and a request id like ${String(profile.requestIdPattern)}`, async () => {
      const t = h.transfer();
      const result = await h.caller().transfer(t);
      expect(result).toMatchObject({ ok: true, response: { status: SUCCESS, bankCode: profile.successCode } });
      if (!result.ok) return;
      expect(result.response.bankRequestId).toMatch(profile.requestIdPattern);
      const entries = await h.booked(result.response.bankRequestId);
      expect(entries).toEqual([expect.objectContaining({ amount: "2475000", sourceAccountNumber: profile.escrow.accountNumber, beneficiaryAccountNumber: profile.beneficiary.accountNumber, kind: "INTRABANK" })]);
      expect(result.response.bankReference).toBe(entries[0]?.journalNo);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS, bankRequestId: result.response.bankRequestId } });
    });

    it.each([
      ["error-after (5xx after booking)", "error-after"],
      ["reset-after (connection reset after booking)", "reset-after"],
    ] as const)("%s comes out PENDING, then SUCCESS by GetTransferStatus, never FAILED", async (_name, fault) => {
      const t = h.transfer({ beneficiaryAccountNumber: magicAccount(fault) });
      const result = await h.caller().transfer(t);
      expect(result).toMatchObject({ ok: true, response: { status: PENDING } });
      if (!result.ok) return;
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(1);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS } });
    });

    it("an answer \"in progress\" is PENDING with the bank's code; the inquiry says PENDING until the booking lands, then SUCCESS", async () => {
      // Booked 5 s after it arrives: room for a loaded machine's stalls before the first inquiry.
      await h.sandbox().addFault({ mode: "in-progress", times: 1, latencyMs: 5_000, account: profile.beneficiary.accountNumber });
      const t = h.transfer();
      const result = await h.caller().transfer(t);
      expect(result).toMatchObject({ ok: true, response: { status: PENDING, bankCode: profile.inProgressCode } });
      if (!result.ok) return;
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(0);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: PENDING } });
      for (let waited = 0; waited < 15_000 && (await h.booked(result.response.bankRequestId)).length === 0; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(1);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS } });
    });

    it.each([
      ["error-before (5xx, nothing booked)", "error-before"],
      ["reset (connection reset, nothing booked)", "reset"],
    ] as const)("%s comes out PENDING, then NOT_FOUND by GetTransferStatus", async (_name, fault) => {
      const t = h.transfer({ beneficiaryAccountNumber: magicAccount(fault) });
      expect(await h.caller().transfer(t)).toMatchObject({ ok: true, response: { status: PENDING } });
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: NOT_FOUND, bankCode: profile.notFoundCode } });
    });

    it.each(profile.declines)("a decline (%s) is FAILED with the bank's code, and nothing is booked", async (_name, account, code, amount = "2475000") => {
      const t = h.transfer({ beneficiaryAccountNumber: account, amount });
      const result = await h.caller().transfer(t);
      expect(result).toMatchObject({ ok: true, response: { status: FAILED, bankCode: code } });
      if (!result.ok) return;
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(0);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: FAILED, bankCode: profile.declinedInquiryCode ?? code } });
    });

    it(`a rate limit (429) is ${profile.rateLimit === "not sent" ? "UNAVAILABLE (not sent)" : "PENDING (an answer it does not know)"}; nothing is booked and the inquiry finds nothing`, async () => {
      const t = h.transfer({ beneficiaryAccountNumber: magicAccount("rate-limited") });
      const result = await h.caller().transfer(t);
      const expected = profile.rateLimit === "not sent" ? { ok: false, code: status.UNAVAILABLE } : { ok: true, response: { status: PENDING } };
      expect(result).toMatchObject(expected);
      expect(await h.booked(profile.requestId(t.referenceNumber, 1))).toHaveLength(0);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: NOT_FOUND, bankCode: profile.notFoundCode } });
    });

    it("a booking the bank never answers (timeout-after) is PENDING within the caller's deadline, then SUCCESS by GetTransferStatus", async () => {
      const t = h.transfer({ beneficiaryAccountNumber: magicAccount("timeout-after") });
      const result = await h.caller().transfer(t, { deadlineMs: 1500 });
      expect(result).toMatchObject({ ok: true, response: { status: PENDING } });
      if (!result.ok) return;
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(1);
      expect(await h.statusOf(t)).toMatchObject({ ok: true, response: { status: SUCCESS } });
    });

    it("answers PENDING within the caller's deadline when the bank never answers", async () => {
      const t = h.transfer({ beneficiaryAccountNumber: magicAccount("timeout") });
      expect(await h.caller().transfer(t, { deadlineMs: 1500 })).toMatchObject({ ok: true, response: { status: PENDING } });
    });

    it("gets a new token and re-sends once when the bank refuses the cached one (sandbox restarted)", async () => {
      await h.caller().transfer(h.transfer()); // caches a token that would live an hour
      await h.sandbox().restart(); // the restarted sandbox knows none of the old tokens: without the re-send this is FAILED
      const result = await h.caller().transfer(h.transfer());
      expect(result).toMatchObject({ ok: true, response: { status: SUCCESS } });
      if (!result.ok) return;
      expect(await h.booked(result.response.bankRequestId)).toHaveLength(1);
    });

    // Tokens live 3 s: long enough that a fresh one is not refused for a stall on a busy machine.
    it("refreshes the bank token after it expired (SANDBOX_TOKEN_TTL_SECONDS=3), before the bank has to refuse it", async () => {
      await h.sandbox().restart({ SANDBOX_TOKEN_TTL_SECONDS: "3" });
      expect(await h.caller().transfer(h.transfer())).toMatchObject({ ok: true, response: { status: SUCCESS } });
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const refused = await h.sandbox().refusedTokens();
      expect(await h.caller().transfer(h.transfer())).toMatchObject({ ok: true, response: { status: SUCCESS } });
      // Not rescued by the re-send after a refusal (the test above): the expired token was never sent.
      expect(await h.sandbox().refusedTokens()).toBe(refused);
    });
  });

  describeRefusals(profile, h);
}

/** Calls refused before anything is sent: an error, and nothing in the sandbox's ledger. */
function describeRefusals(profile: BankTestProfile, h: BankHarness): void {
  const { bankCode, partner } = h;
  describe(`${profile.name} service refusals: an error, and nothing sent to the bank`, () => {
    // When the token is made, not when the tests were collected: "alg none" must not be refused merely for having expired.
    const now = () => Math.floor(Date.now() / 1000);
    const unsigned = (claims: object) => `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    // Each token is made for the call it is sent with (`bind`: the Transfer's binding, or the
    // inquiry's), so that it is refused for its own fault, not for naming the other call.
    type Bind = typeof transferBinding;
    // A token as the gateway signs it for this bank, for `binding`.
    const signed = (binding: Parameters<typeof signServiceToken>[2], options?: Parameters<typeof signServiceToken>[3]) => signServiceToken(partner.keyToken, bankCode, binding, options);
    const refused: [string, (t: BankTransferServiceTransferRequest, bind: Bind) => string | null][] = [
      ["missing authorization", () => null],
      ["not a Bearer token", () => "Basic abc"],
      ["expired token", (t, bind) => `Bearer ${signed(bind(t), { nowSeconds: now() - 600 })}`],
      ["wrong audience (another bank's code)", (t, bind) => `Bearer ${signServiceToken(partner.keyToken, profile.otherBankCode, bind(t))}`],
      ["foreign key", (t, bind) => `Bearer ${signServiceToken("not-the-partner-key", bankCode, bind(t))}`],
      ["bound to another attempt", (t, bind) => `Bearer ${signed({ ...bind(t), attempt: 2 })}`],
      ["bound to another transfer", (t, bind) => `Bearer ${signed({ ...bind(t), referenceNumber: "OTHER" })}`],
      ["bound to another amount", (t, bind) => `Bearer ${signed(bind({ ...t, amount: "1" }))}`],
      ["bound to another beneficiary", (t, bind) => `Bearer ${signed(bind({ ...t, beneficiaryAccountNumber: "0000000000" }))}`],
      ["bound to another day", (t, bind) => `Bearer ${signed(bind({ ...t, transactionDate: "2000-01-01" }))}`],
      // Every claim of a good token, unsigned.
      ["alg none", (t, bind) => `Bearer ${unsigned(peekClaims(signed(bind(t))) ?? {})}`],
      // Every claim of a good token but its lifetime (an hour): refused for that alone.
      ["lifetime too long", (t, bind) => {
        const good = peekClaims(signed(bind(t)));
        return `Bearer ${signHs256({ ...good, exp: now() + 3600 }, partner.keyToken)}`;
      }],
    ];

    it.each(refused)("%s: UNAUTHENTICATED on Transfer and GetTransferStatus", async (_name, authorization) => {
      const t = h.transfer();
      expect(await h.caller().transfer(t, { authorization: authorization(t, transferBinding) })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
      const inquiry = { referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber };
      expect(await h.caller().status(inquiry, { authorization: authorization(t, statusBinding) })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
      expect(await h.booked(profile.requestId(t.referenceNumber, 1))).toHaveLength(0);
    });

    it("an inquiry's token (seen on the wire) does not authorise a Transfer of that attempt", async () => {
      const t = h.transfer();
      const inquiryToken = `Bearer ${signServiceToken(partner.keyToken, bankCode, statusBinding(t))}`;
      const inquiry = { referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber };
      expect(await h.caller().status(inquiry, { authorization: inquiryToken })).toMatchObject({ ok: true, response: { status: STATUS.NOT_FOUND } });
      expect(await h.caller().transfer(t, { authorization: inquiryToken })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
      expect(await h.booked(profile.requestId(t.referenceNumber, 1))).toHaveLength(0);
    });

    it("an inquiry's token does not authorise the same inquiry about another day", async () => {
      const t = h.transfer();
      const inquiry = { referenceNumber: t.referenceNumber, attempt: 1, usage: t.usage, transactionDate: t.transactionDate, amount: t.amount, sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber };
      const otherDay = `Bearer ${signServiceToken(partner.keyToken, bankCode, statusBinding({ ...inquiry, transactionDate: "2000-01-01" }))}`;
      expect(await h.caller().status(inquiry, { authorization: otherDay })).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    });

    it.each([
      ["amount with decimals", { amount: "1000.50" }, "amount"],
      ["zero amount", { amount: "0" }, "amount"],
      ["attempt 0", { attempt: 0 }, "attempt"],
      ["bad date", { transactionDate: "2024-02-30" }, "transaction_date"],
      ["unspecified usage", { usage: TransferUsage.TRANSFER_USAGE_UNSPECIFIED }, "usage"],
      ["TRANSFER to another bank", { beneficiaryBankCode: profile.otherBankCode }, "beneficiary_bank_code"],
      ["interbank without a beneficiary name", { usage: TransferUsage.TRANSFER_USAGE_TRANSFER_INTERBANK, beneficiaryBankCode: profile.otherBankCode, beneficiaryAccountName: "" }, "beneficiary_account_name"],
      ["currency USD", { currency: "USD" }, "currency"],
      ["remark over 50 characters", { remark: "x".repeat(51) }, "remark"],
      ["letters in the account", { beneficiaryAccountNumber: profile.letteredAccount }, "beneficiary_account_number"],
      ["empty reference", { referenceNumber: "" }, "reference_number"],
    ] as const)("%s: INVALID_ARGUMENT naming the field, nothing booked", async (_name, overrides, field) => {
      const before = (await h.sandbox().ledger()).length;
      const t = h.transfer(overrides);
      // The token binds what the request carries, so the refusal is about the field, not the token.
      const result = await h.caller().transfer(t, { authorization: `Bearer ${signServiceToken(partner.keyToken, bankCode, transferBinding(t))}` });
      expect(result).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
      if (!result.ok) expect(result.details).toMatch(new RegExp(`not sent.*${field}`));
      expect(await h.sandbox().ledger()).toHaveLength(before);
    });

    it("no route for the usage: FAILED_PRECONDITION, nothing booked", async () => {
      const bare = await connectTestDatabase(`bank_${profile.bank}_noroute`);
      await seedRegistry(createRegistryStore(bare), partner, []);
      const other = await profile.startService({ bankHost: h.sandbox().origin, mongodbUri: testDatabaseUri(), mongodbDatabase: bare.name, bankTimeoutMs: 1000 });
      const otherCaller = createBankCaller(other.port, partner.keyToken, bankCode);
      try {
        const before = (await h.sandbox().ledger()).length;
        const t = h.transfer();
        expect(await otherCaller.transfer(t)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
        expect(await h.statusOf(t, otherCaller)).toMatchObject({ ok: false, code: status.FAILED_PRECONDITION });
        expect(await h.sandbox().ledger()).toHaveLength(before);
      } finally {
        otherCaller.close();
        await other.stop();
        await bare.dropDatabase();
        await bare.close();
      }
    });
  });
}
