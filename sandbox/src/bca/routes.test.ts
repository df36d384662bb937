import { createSandbox, type Sandbox } from "../server";
import { bcaClient, bcaTimestamp } from "../testing/bca-client";
import { basic, fetchJson, pick } from "../testing/http";

const ESCROW = "0201240003";
const TRANSFERS = "/banking/corporates/transfers";
const TODAY = "2026-11-26"; // in UTC+7 at the clock below

let now = Date.parse("2026-11-26T03:00:00.000Z");
let sandbox: Sandbox;
let bca: ReturnType<typeof bcaClient>;
let nextId = 1;
const transfer = (over: Record<string, unknown> = {}) => {
  nextId += 1;
  return {
    CorporateID: "GERBANGBCA", SourceAccountNumber: ESCROW, TransactionID: String(nextId).padStart(8, "0"), TransactionDate: TODAY,
    ReferenceID: "GB-1/PO/2026", CurrencyCode: "IDR", Amount: "150000.00", BeneficiaryAccountNumber: "0201245681",
    Remark1: "Transfer Test", Remark2: "Online Transfer", ...over,
  };
};
/** Pretty-printed on purpose: BCA signs the body with all whitespace removed. */
const post = (body: unknown, options = {}) => bca.call("POST", TRANSFERS, JSON.stringify(body, null, 2), options);
const status = (id: string, query = `TransactionDate=${TODAY}&TransferType=BCA`) => bca.call("GET", `${TRANSFERS}/status/${id}?${query}`, "");
const code = (body: unknown) => pick(body, "ErrorCode");

beforeAll(async () => {
  sandbox = createSandbox({ bank: "bca", now: () => now });
  await sandbox.listen(0);
  bca = bcaClient(sandbox.url(), () => now);
});
afterAll(() => sandbox.close());
beforeEach(() => fetch(`${sandbox.url()}/_sandbox/reset`, { method: "POST" }));

describe("BCA OAuth token", () => {
  const tokenCall = (authorization: string, body: string) =>
    fetchJson(`${sandbox.url()}/api/oauth/token`, { method: "POST", headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" }, body });

  it("issues a token that lives 3599 s", async () => {
    const answer = await tokenCall(basic("gerbang-bca", "bca-local-client-secret"), "grant_type=client_credentials");
    expect(answer).toMatchObject({ status: 200, body: { token_type: "Bearer", expires_in: 3599, scope: "resource.WRITE resource.READ" } });
  });

  it("refuses a token request that is not a form with 400 ESB-14-015", async () => {
    const answer = await fetchJson(`${sandbox.url()}/api/oauth/token`, {
      method: "POST", headers: { Authorization: basic("gerbang-bca", "bca-local-client-secret"), "Content-Type": "application/json" }, body: '{"grant_type":"client_credentials"}',
    });
    expect([answer.status, code(answer.body)]).toEqual([400, "ESB-14-015"]);
  });

  it("refuses bad credentials or grant_type with 401 ESB-14-008", async () => {
    for (const [auth, body] of [[basic("gerbang-bca", "x"), "grant_type=client_credentials"], [basic("gerbang-bca", "bca-local-client-secret"), "grant_type=implicit"]] as const) {
      const answer = await tokenCall(auth, body);
      expect([answer.status, code(answer.body)]).toEqual([401, "ESB-14-008"]);
    }
  });
});

describe("BCA auth checks (each refused, nothing booked)", () => {
  afterEach(async () => {
    expect((await fetchJson(`${sandbox.url()}/_sandbox/ledger`)).body).toEqual({ entries: [] });
  });

  it.each([
    ["an unknown token", { token: "forged" }, 401, "ESB-14-009"],
    ["a wrong X-BCA-Key", { apiKey: "nope" }, 400, "ESB-14-021"],
    ["a timestamp without milliseconds", { timestamp: "2026-11-26T10:00:00+07:00" }, 400, "ESB-14-003"],
    ["a timestamp 5 minutes and 1 ms old", { timestamp: bcaTimestamp(now - 300_001) }, 400, "ESB-14-003"],
    ["a timestamp 5 minutes and 1 ms ahead", { timestamp: bcaTimestamp(now + 300_001) }, 400, "ESB-14-003"],
    ["a wrong signature", { signature: "0".repeat(64) }, 400, "ESB-14-001"],
    ["a body changed after signing", { sendBody: JSON.stringify(transfer({ Amount: "999999.00" })) }, 400, "ESB-14-001"],
    ["a form content type", { contentType: "text/plain" }, 400, "ESB-14-015"],
    ["no Origin (BCA requires the registered one on every call)", { headers: { Origin: "" } }, 403, "ESB-14-019"],
  ])("refuses %s", async (_why, options, httpStatus, expected) => {
    const answer = await post(transfer(), options);
    expect([answer.status, code(answer.body)]).toEqual([httpStatus, expected]);
  });

  it("accepts timestamps at the edges of the 5 minute window", async () => {
    expect((await post(transfer(), { timestamp: bcaTimestamp(now - 300_000) })).status).toBe(200);
    expect((await post(transfer(), { timestamp: bcaTimestamp(now + 300_000) })).status).toBe(200);
    await fetch(`${sandbox.url()}/_sandbox/reset`, { method: "POST" });
  });

  it("refuses an expired token with 401 ESB-14-009", async () => {
    const token = await bca.token();
    now += 3599_000;
    const answer = await post(transfer(), { token });
    now -= 3599_000;
    expect([answer.status, code(answer.body)]).toEqual([401, "ESB-14-009"]);
  });

  it("refuses a body over 64 KiB with 400 ESB-14-002", async () => {
    const answer = await post(transfer({ Remark1: "x".repeat(70_000) }));
    expect([answer.status, code(answer.body)]).toEqual([400, "ESB-14-002"]);
  });

  it("refuses invalid JSON (signed correctly) with 400 ESB-14-016", async () => {
    const answer = await bca.call("POST", TRANSFERS, "{oops");
    expect([answer.status, code(answer.body)]).toEqual([400, "ESB-14-016"]);
  });

  it.each([
    ["a missing Amount", { Amount: undefined }, "ESB-82-001"],
    ["a foreign CorporateID", { CorporateID: "OTHERCORP" }, "ESB-82-002"],
    ["yesterday's TransactionDate", { TransactionDate: "2026-11-25" }, "ESB-82-004"],
    ["a 7-digit TransactionID", { TransactionID: "1234567" }, "ESB-82-010"],
    ["a fractional Amount", { Amount: "100.50" }, "ESB-82-011"],
    ["a zero Amount", { Amount: "0.00" }, "ESB-82-011"],
    ["a USD CurrencyCode", { CurrencyCode: "USD" }, "ESB-82-009"],
    ["a Remark1 over 18 characters", { Remark1: "r".repeat(19) }, "ESB-82-012"],
    ["a ReferenceID over 15 characters", { ReferenceID: "GRB0123456789ABC" }, "ESB-82-012"],
  ])("refuses %s (%j) with 400 %s", async (_why, over, expected) => {
    const answer = await post(transfer(over));
    expect([answer.status, code(answer.body)]).toEqual([400, expected]);
  });
});

describe("BCA transfers and status", () => {
  it("books, answers Success with the PPU number, and the status says 00", async () => {
    const body = transfer();
    const answer = await post(body);
    expect(answer).toMatchObject({ status: 200, body: { TransactionID: body.TransactionID, TransactionDate: TODAY, ReferenceID: "GB-1/PO/2026", Status: "Success" } });
    const { body: accounts } = await fetchJson(`${sandbox.url()}/_sandbox/accounts`);
    expect(accounts).toMatchObject({ accounts: expect.arrayContaining([{ accountNumber: "0201245681", accountName: "KEN AROK", balance: "150000", status: "ACTIVE" }]) as unknown });
    const inquiry = await status(body.TransactionID, `TransferType=BCA&TransactionDate=${TODAY}`);
    expect(inquiry).toMatchObject({ status: 200, body: { StatusCode: "00", Amount: "150000.00", PPUNumber: pick(answer.body, "PPUNumber"), SourceAccountNumber: ESCROW } });
  });

  it("refuses a repeated TransactionID on the same day with ESB-82-003 and books once", async () => {
    const body = transfer();
    await post(body);
    const again = await post({ ...body, Amount: "1.00" });
    expect([again.status, code(again.body)]).toEqual([400, "ESB-82-003"]);
    expect((await fetchJson(`${sandbox.url()}/_sandbox/ledger`)).body).toMatchObject({ entries: [{ amount: "150000" }] });
  });

  it.each([
    ["a dormant beneficiary", { BeneficiaryAccountNumber: "0201200001" }, 403, "ESB-82-018"],
    ["a closed beneficiary", { BeneficiaryAccountNumber: "0201200002" }, 404, "ESB-82-022"],
    ["an unknown beneficiary", { BeneficiaryAccountNumber: "0201299999" }, 400, "ESB-82-014"],
    ["an unknown source account", { SourceAccountNumber: "0201299998" }, 400, "ESB-82-008"],
    ["a beneficiary's account as the source (not the company's)", { SourceAccountNumber: "0201245681", BeneficiaryAccountNumber: "0201245682" }, 400, "ESB-82-008"],
    ["an amount over Rp500,000,000", { Amount: "500000001.00" }, 403, "ESB-82-006"],
  ])("declines %s (%j) with HTTP %s %s; the status says 06", async (_why, over, httpStatus, expected) => {
    const body = transfer(over);
    const answer = await post(body);
    expect([answer.status, code(answer.body)]).toEqual([httpStatus, expected]);
    const inquiry = await status(body.TransactionID);
    expect(inquiry.body).toMatchObject({ StatusCode: "06", PPUNumber: "" });
    expect(pick(inquiry.body, "Reason.English")).not.toBe("");
  });

  it("looks back 31 days: a booking from 32 days before is 'not found' (404 ESB-82-027), as BCA's window hides it", async () => {
    const body = transfer();
    expect((await post(body)).status).toBe(200);
    const booked = now;
    try {
      now = booked + 31 * 86_400_000;
      await bca.token(); // the one held has long expired
      expect((await status(body.TransactionID)).body).toMatchObject({ StatusCode: "00" });
      now = booked + 32 * 86_400_000;
      await bca.token();
      const hidden = await status(body.TransactionID);
      expect([hidden.status, code(hidden.body)]).toEqual([404, "ESB-82-027"]);
    } finally {
      now = booked;
      await bca.token();
    }
  });

  it("answers an unknown TransactionID with 404 ESB-82-027 and checks the query", async () => {
    const unknown = await status("99999999");
    expect([unknown.status, code(unknown.body)]).toEqual([404, "ESB-82-027"]);
    expect(code((await status("99999999", "TransferType=BCA")).body)).toBe("ESB-82-001");
    expect(code((await status("99999999", `TransactionDate=${TODAY}`)).body)).toBe("ESB-82-001"); // TransferType is required too
    expect(code((await status("99999999", `TransactionDate=${TODAY}&TransferType=LLG`)).body)).toBe("ESB-14-004");
    expect(code((await status("99999999", "TransactionDate=26-11-2026")).body)).toBe("ESB-82-004");
    expect(code((await status("12", `TransactionDate=${TODAY}`)).body)).toBe("ESB-82-010");
  });

  it("refuses a status inquiry without KlikBCA's ChannelID or with another CredentialID: 401 ESB-14-014", async () => {
    const body = transfer();
    await post(body);
    const query = `TransactionDate=${TODAY}&TransferType=BCA`;
    for (const headers of [{ ChannelID: "" }, { ChannelID: "95052" }, { CredentialID: "" }, { CredentialID: "OTHERCORP" }]) {
      const answer = await bca.call("GET", `${TRANSFERS}/status/${body.TransactionID}?${query}`, "", { headers });
      expect([answer.status, code(answer.body)]).toEqual([401, "ESB-14-014"]);
    }
    expect((await status(body.TransactionID)).body).toMatchObject({ StatusCode: "00" });
  });

  it("answers an unknown path with 404 ESB-14-011", async () => {
    const answer = await bca.call("GET", "/banking/corporates/nothing", "");
    expect([answer.status, code(answer.body)]).toEqual([404, "ESB-14-011"]);
  });
});
