import { createSandbox, type Sandbox } from "../server";
import { bniClient, newUuid } from "../testing/bni-client";
import { basic, fetchJson, pick } from "../testing/http";

const ESCROW = "0115470003"; // client 3's BNI escrow, funded with Rp10,000,000,000
const TRANSFER = "/p2pl/payment/transfer";
const INTERBANK = "/p2pl/payment/interbank";
const STATUS = "/p2pl/inquiry/payment/status";

let now = Date.parse("2026-11-26T03:00:00.000Z");
let sandbox: Sandbox;
let bni: ReturnType<typeof bniClient>;
const intrabank = (over: Record<string, unknown> = {}) => ({
  accountNumber: ESCROW, beneficiaryAccountNumber: "0115476119", currency: "IDR", amount: "2475000", remark: "Gaji", ...over,
});
const code = (body: unknown) => pick(body, "Response.parameters.responseCode") || pick(body, "response.responseCode");
const balances = async () => {
  const { body } = await fetchJson(`${sandbox.url()}/_sandbox/accounts`);
  const list = (body as { accounts: { accountNumber: string; balance: string }[] }).accounts;
  return Object.fromEntries(list.map((a) => [a.accountNumber, a.balance]));
};

beforeAll(async () => {
  sandbox = createSandbox({ bank: "bni", now: () => now });
  await sandbox.listen(0);
  bni = bniClient(sandbox.url());
});
afterAll(() => sandbox.close());
beforeEach(() => fetch(`${sandbox.url()}/_sandbox/reset`, { method: "POST" }));

describe("BNI OAuth token", () => {
  const tokenCall = (authorization: string, body: string) =>
    fetchJson(`${sandbox.url()}/api/oauth/token`, { method: "POST", headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" }, body });

  it("issues a bearer token for the client credentials", async () => {
    const answer = await tokenCall(basic("gerbang-bni", "bni-local-client-secret"), "grant_type=client_credentials");
    expect(answer).toMatchObject({ status: 200, body: { token_type: "Bearer", expires_in: 3600, scope: "resource.WRITE resource.READ" } });
    expect(pick(answer.body, "access_token")).toMatch(/^[\w-]{20,}$/);
  });

  it("refuses a wrong secret with 401 0401 and a wrong grant_type with 400 0410", async () => {
    expect(code((await tokenCall(basic("gerbang-bni", "wrong"), "grant_type=client_credentials")).body)).toBe("0401");
    expect((await tokenCall("", "grant_type=client_credentials")).status).toBe(401);
    const grant = await tokenCall(basic("gerbang-bni", "bni-local-client-secret"), "grant_type=password");
    expect([grant.status, code(grant.body)]).toEqual([400, "0410"]);
  });
});

describe("BNI auth and request checks (each refused, nothing booked)", () => {
  afterEach(async () => {
    const { body } = await fetchJson(`${sandbox.url()}/_sandbox/ledger`);
    expect(body).toEqual({ entries: [] });
  });

  it.each([
    ["no access token", { token: "" }, 401, "0401"],
    ["an unknown access token", { token: "forged" }, 401, "0401"],
    ["no X-API-Key", { apiKey: null }, 401, "0402"],
    ["a wrong X-API-Key", { apiKey: "nope" }, 401, "0402"],
    ["a signature made with another secret", { secret: "other" }, 401, "0403"],
    ["the amount changed after signing", { after: (b: { request: Record<string, unknown> }) => { b.request.amount = "9999999"; } }, 401, "0403"],
    ["the signature removed", { after: (b: { request: Record<string, unknown> }) => { b.request.header = { ...(b.request.header as object), signature: undefined }; } }, 401, "0403"],
    ["a form content type", { contentType: "application/x-www-form-urlencoded" }, 400, "0400"],
    ["an unknown fault header", { headers: { "X-Sandbox-Fault": "explode" } }, 400, "0410"],
  ])("refuses %s", async (_why, options, status, expected) => {
    const answer = await bni.call(TRANSFER, intrabank(), options);
    expect([answer.status, code(answer.body)]).toEqual([status, expected]);
  });

  it("refuses an expired access token with 0401", async () => {
    const token = await bni.token();
    now += 3601_000;
    const answer = await bni.call(TRANSFER, intrabank(), { token });
    now -= 3601_000;
    expect([answer.status, code(answer.body)]).toEqual([401, "0401"]);
  });

  it("refuses invalid JSON with 400 0400", async () => {
    const token = await bni.token();
    const answer = await fetchJson(`${sandbox.url()}${TRANSFER}?access_token=${token}`, {
      method: "POST", headers: { "Content-Type": "application/json", "X-API-Key": "bni-local-api-key" }, body: "{not json",
    });
    expect([answer.status, code(answer.body)]).toEqual([400, "0400"]);
  });

  it("refuses a body over 64 KiB with 400 0400", async () => {
    const answer = await bni.call(TRANSFER, intrabank({ remark: "x".repeat(70_000) }));
    expect([answer.status, code(answer.body)]).toEqual([400, "0400"]);
  });

  it.each([
    ["a missing amount", { amount: undefined }, "amount is required"],
    ["a zero amount", { amount: "0" }, "amount must be"],
    ["a decimal amount", { amount: "100.50" }, "amount must be"],
    ["a non-IDR currency", { currency: "USD" }, "currency must be IDR"],
    ["a remark over 50 characters", { remark: "r".repeat(51) }, "remark must be"],
    ["a non-digit beneficiary", { beneficiaryAccountNumber: "01154-76119" }, "beneficiaryAccountNumber must be digits"],
  ])("refuses %s (%j) with 400 0410 naming the field", async (_why, over, message) => {
    const answer = await bni.call(TRANSFER, intrabank(over));
    expect([answer.status, code(answer.body)]).toEqual([400, "0410"]);
    expect(pick(answer.body, "Response.parameters.errorMessage")).toContain(message);
  });

  it("refuses a malformed requestUuid and a foreign companyId with 0410", async () => {
    expect(code((await bni.call(TRANSFER, intrabank(), { requestUuid: "abc" })).body)).toBe("0410");
    const other = bniClient(sandbox.url(), { clientId: "gerbang-bni", clientSecret: "bni-local-client-secret", apiKey: "bni-local-api-key", apiSecret: "bni-local-api-secret", companyId: "OTHER" });
    expect(code((await other.call(TRANSFER, intrabank())).body)).toBe("0410");
  });

  it("answers an unknown path with 404 0405, never the inquiry's 0404", async () => {
    const answer = await bni.call("/p2pl/payment/unknown", intrabank());
    expect([answer.status, code(answer.body)]).toEqual([404, "0405"]);
  });
});

describe("BNI transfers and status inquiry", () => {
  it("books an in-house transfer, moves the money and answers 0001 with the journal number", async () => {
    const uuid = newUuid();
    const answer = await bni.call(TRANSFER, intrabank(), { requestUuid: uuid });
    expect(answer).toMatchObject({ status: 200, body: { response: { responseCode: "0001", accountNumber: ESCROW, beneficiaryAccountNumber: "0115476119", amount: "2475000" } } });
    const after = await balances();
    expect([after[ESCROW], after["0115476119"]]).toEqual(["9997525000", "2475000"]);
    const status = await bni.call(STATUS, { requestedUuid: uuid });
    expect(status.body).toMatchObject({ response: { responseCode: "0001", previousResponse: { transactionStatus: "Y", previousResponseCode: "0001", amount: "2475000", journalNum: pick(answer.body, "response.journalNum") } } });
  });

  it("refuses a reused requestUuid with 409 0116 and books it only once", async () => {
    const uuid = newUuid();
    await bni.call(TRANSFER, intrabank(), { requestUuid: uuid });
    const again = await bni.call(TRANSFER, intrabank({ amount: "1" }), { requestUuid: uuid });
    expect([again.status, code(again.body)]).toEqual([409, "0116"]);
    expect((await balances())["0115476119"]).toBe("2475000");
  });

  it("books interbank: debits the escrow only, limit Rp250,000,000", async () => {
    const fields = { accountNumber: ESCROW, beneficiaryAccountNumber: "3333333333", beneficiaryAccountName: "KEN AROK", beneficiaryBankCode: "014", beneficiaryBankName: "BANK BCA", amount: "250000000" };
    expect(code((await bni.call(INTERBANK, fields)).body)).toBe("0001");
    const over = await bni.call(INTERBANK, { ...fields, amount: "250000001" });
    expect([over.status, code(over.body)]).toEqual([200, "0114"]);
    expect((await balances())[ESCROW]).toBe("9750000000");
    const { body } = await fetchJson(`${sandbox.url()}/_sandbox/ledger`);
    expect(body).toMatchObject({ entries: [{ kind: "INTERBANK", beneficiaryBankCode: "014", amount: "250000000", sourceAccountNumber: ESCROW }] });
  });

  it("refuses interbank without a name (0410) or to BNI itself (0410)", async () => {
    const fields = { accountNumber: ESCROW, beneficiaryAccountNumber: "3333333333", beneficiaryBankCode: "014", amount: "1000" };
    expect(code((await bni.call(INTERBANK, fields)).body)).toBe("0410");
    expect(code((await bni.call(INTERBANK, { ...fields, beneficiaryAccountName: "X", beneficiaryBankCode: "009" })).body)).toBe("0410");
  });

  it.each([
    ["a dormant beneficiary", { beneficiaryAccountNumber: "0115400001" }, "0113"],
    ["a closed beneficiary", { beneficiaryAccountNumber: "0115400002" }, "0113"],
    ["an unknown beneficiary", { beneficiaryAccountNumber: "0115499999" }, "0112"],
    ["an unknown source", { accountNumber: "0115499998" }, "0112"],
    ["a beneficiary's account as the source (not the company's)", { accountNumber: "0115476119", beneficiaryAccountNumber: "0115471119" }, "0112"],
    ["an amount over Rp500,000,000", { amount: "500000001" }, "0114"],
  ])("declines %s (%j) with HTTP 200 code %s; the inquiry says N", async (_why, over, expected) => {
    const uuid = newUuid();
    const answer = await bni.call(TRANSFER, intrabank(over), { requestUuid: uuid });
    expect([answer.status, code(answer.body)]).toEqual([200, expected]);
    const status = await bni.call(STATUS, { requestedUuid: uuid });
    expect(status.body).toMatchObject({ response: { previousResponse: { transactionStatus: "N", previousResponseCode: expected } } });
    expect((await fetchJson(`${sandbox.url()}/_sandbox/ledger`)).body).toEqual({ entries: [] });
  });

  it("declines with 0111 once the escrow is spent, leaving it at zero", async () => {
    for (let i = 0; i < 20; i += 1) expect(code((await bni.call(TRANSFER, intrabank({ amount: "500000000" }))).body)).toBe("0001");
    const answer = await bni.call(TRANSFER, intrabank({ amount: "1" }));
    expect([answer.status, code(answer.body)]).toEqual([200, "0111"]);
    expect((await balances())[ESCROW]).toBe("0");
  });

  it("answers 404 0404 for an unknown requestedUuid and 0410 for a malformed one", async () => {
    const unknown = await bni.call(STATUS, { requestedUuid: newUuid() });
    expect([unknown.status, code(unknown.body)]).toEqual([404, "0404"]);
    expect(code((await bni.call(STATUS, { requestedUuid: "short" })).body)).toBe("0410");
  });
});
