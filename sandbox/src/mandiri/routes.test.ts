import { randomBytes } from "node:crypto";
import { createSandbox, type Sandbox } from "../server";
import { basic, fetchJson, pick } from "../testing/http";
import { mandiriClient } from "../testing/mandiri-client";

const ESCROW = "1370000000003";
let now = Date.parse("2026-11-26T03:00:00.000Z");
let sandbox: Sandbox;
let mandiri: ReturnType<typeof mandiriClient>;
const id = () => randomBytes(8).toString("hex").toUpperCase();
const payment = (over: Record<string, unknown> = {}) => ({
  transactionID: id(), transactionDate: "2026-11-26", referenceID: "GB-7", sourceAccountNumber: ESCROW,
  beneficiaryAccountNumber: "1370098765431", beneficiaryBankCode: "800", amount: "2475000", currency: "IDR", remark1: "Gaji", ...over,
});
const code = (body: unknown) => pick(body, "Response.responseCode");
const ledger = async () => (await fetchJson(`${sandbox.url()}/_sandbox/ledger`)).body;

beforeAll(async () => {
  sandbox = createSandbox({ bank: "mandiri", now: () => now });
  await sandbox.listen(0);
  mandiri = mandiriClient(sandbox.url());
});
afterAll(() => sandbox.close());
beforeEach(() => fetch(`${sandbox.url()}/_sandbox/reset`, { method: "POST" }));

describe("Mandiri gateway JWT", () => {
  const tokenCall = (appId: string, authorization: string) =>
    fetchJson(`${sandbox.url()}/rest/pub/apigateway/jwt/getJsonWebToken?app_id=${appId}`, { headers: { Authorization: authorization } });

  it("issues an HS256 JWT for the app, valid one hour", async () => {
    const answer = await tokenCall("gerbang-mandiri", basic("mandiri-local-app-key", "mandiri-local-app-secret"));
    expect(answer.status).toBe(200);
    const [head, claims] = pick(answer.body, "jwt").split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>);
    expect(head).toMatchObject({ alg: "HS256" });
    expect(claims).toMatchObject({ sub: "gerbang-mandiri", exp: Math.floor(now / 1000) + 3600 });
  });

  it("keeps a token valid for at least the TTL, even when issued at the end of a second", async () => {
    const start = now;
    now = Math.floor(now / 1000) * 1000 + 990; // x.990 s: exp rounded down would be x+3600, 10 ms short
    const token = await mandiri.token();
    now += 3599_999; // TTL minus 1 ms later
    const answer = await mandiri.call("doPayment", payment(), { token });
    now = start;
    expect([answer.status, code(answer.body)]).toEqual([200, "00"]);
  });

  it("refuses a wrong secret or an unknown app_id with 401 code 11", async () => {
    for (const answer of [await tokenCall("gerbang-mandiri", basic("mandiri-local-app-key", "x")), await tokenCall("someone", basic("mandiri-local-app-key", "mandiri-local-app-secret"))]) {
      expect([answer.status, code(answer.body)]).toEqual([401, "11"]);
    }
  });
});

describe("Mandiri request checks (each refused, nothing booked)", () => {
  afterEach(async () => {
    expect(await ledger()).toEqual({ entries: [] });
  });

  it("refuses a missing, forged or expired token with 401 code 11", async () => {
    const valid = await mandiri.token();
    const [head, body] = valid.split(".");
    const forged = `${head ?? ""}.${body ?? ""}.${"A".repeat(43)}`;
    for (const token of ["", "garbage", forged]) {
      const answer = await mandiri.call("doPayment", payment(), { token });
      expect([answer.status, code(answer.body)]).toEqual([401, "11"]);
    }
    now += 3601_000;
    const expired = await mandiri.call("doPayment", payment(), { token: valid });
    now -= 3601_000;
    expect([expired.status, code(expired.body)]).toEqual([401, "11"]);
  });

  it.each([
    ["a text content type", { headers: { "Content-Type": "text/plain" } }],
    ["an unknown fault header", { headers: { "X-Sandbox-Fault": "meltdown" } }],
  ])("refuses %s with 400 code 10", async (_why, options) => {
    const answer = await mandiri.call("doPayment", payment(), options);
    expect([answer.status, code(answer.body)]).toEqual([400, "10"]);
  });

  it.each([
    ["a lowercase transactionID", { transactionID: "abcdefabcdefabcd" }],
    ["a missing sourceAccountNumber", { sourceAccountNumber: undefined }],
    ["a decimal amount", { amount: "10.5" }],
    ["a non-IDR currency", { currency: "SGD" }],
    ["a bad transactionDate", { transactionDate: "26/11/2026" }],
  ])("refuses %s with 400 code 10", async (_why, over) => {
    const answer = await mandiri.call("doPayment", payment(over));
    expect([answer.status, code(answer.body)]).toEqual([400, "10"]);
  });

  it("refuses a body over 64 KiB with 400 code 10, unread", async () => {
    const answer = await mandiri.call("doPayment", payment({ remark2: "x".repeat(70_000) }));
    expect([answer.status, code(answer.body)]).toEqual([400, "10"]);
    expect(pick(answer.body, "Response.responseMessage")).toContain("64 KiB");
  });

  it("refuses a body without the Request wrapper with 400 code 10", async () => {
    const token = await mandiri.token();
    const answer = await fetchJson(`${sandbox.url()}/gateway/TbwPayment/1.0/doPayment`, {
      method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(payment()),
    });
    expect([answer.status, code(answer.body)]).toEqual([400, "10"]);
  });
});

describe("Mandiri doPayment and inquiryStatus", () => {
  it("books, answers 00 with the journal number, inquiry says SUCCESS", async () => {
    const p = payment();
    const answer = await mandiri.call("doPayment", p);
    expect(answer).toMatchObject({ status: 200, body: { Response: { responseCode: "00", responseMessage: "Success", transactionID: p.transactionID, referenceID: "GB-7" } } });
    const inquiry = await mandiri.call("inquiryStatus", { transactionID: p.transactionID, transactionDate: p.transactionDate });
    expect(inquiry.body).toMatchObject({ Response: { responseCode: "00", transactionStatus: "SUCCESS", journalNo: pick(answer.body, "Response.journalNo") } });
    expect(await ledger()).toMatchObject({ entries: [{ kind: "INTRABANK", beneficiaryAccountNumber: "1370098765431", amount: "2475000" }] });
  });

  it("treats 008 and an absent bank code as Mandiri itself, anything else as interbank", async () => {
    expect(code((await mandiri.call("doPayment", payment({ beneficiaryBankCode: "008" }))).body)).toBe("00");
    expect(code((await mandiri.call("doPayment", payment({ beneficiaryBankCode: undefined }))).body)).toBe("00");
    expect(code((await mandiri.call("doPayment", payment({ beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681" }))).body)).toBe("00");
    expect(await ledger()).toMatchObject({ entries: [{ kind: "INTRABANK" }, { kind: "INTRABANK" }, { kind: "INTERBANK", beneficiaryBankCode: "014" }] });
  });

  it("refuses a repeated transactionID with 409 code 94 and books once", async () => {
    const p = payment();
    await mandiri.call("doPayment", p);
    const again = await mandiri.call("doPayment", p);
    expect([again.status, code(again.body)]).toEqual([409, "94"]);
    expect((await ledger()) as { entries: unknown[] }).toMatchObject({ entries: [{ requestId: p.transactionID }] });
    expect(((await ledger()) as { entries: unknown[] }).entries).toHaveLength(1);
  });

  it("keeps a transactionID unique per transactionDate, as the proposal says: on another date it is another payment, booked and asked about on its own", async () => {
    const first = payment({ transactionDate: "2026-11-26" });
    const nextDay = { ...first, transactionDate: "2026-11-27" };
    expect(code((await mandiri.call("doPayment", first)).body)).toBe("00");
    expect(code((await mandiri.call("doPayment", nextDay)).body)).toBe("00");
    expect(((await ledger()) as { entries: unknown[] }).entries).toHaveLength(2);
    for (const p of [first, nextDay]) {
      const inquiry = await mandiri.call("inquiryStatus", { transactionID: p.transactionID, transactionDate: p.transactionDate });
      expect(inquiry.body).toMatchObject({ Response: { transactionStatus: "SUCCESS" } });
    }
  });

  it.each([
    ["a dormant beneficiary", { beneficiaryAccountNumber: "1370000000901" }, "62"],
    ["a closed beneficiary", { beneficiaryAccountNumber: "1370000000902" }, "62"],
    ["an unknown beneficiary", { beneficiaryAccountNumber: "1370000000999" }, "14"],
    ["a beneficiary's account as the source (not the company's)", { sourceAccountNumber: "1370098765431", beneficiaryAccountNumber: "1370098765432" }, "14"],
    ["an intrabank amount over Rp500,000,000", { amount: "500000001" }, "61"],
    ["an interbank amount over Rp250,000,000", { amount: "250000001", beneficiaryBankCode: "009" }, "61"],
  ])("declines %s (%j) with HTTP 200 code %s; the inquiry says FAILED", async (_why, over, expected) => {
    const p = payment(over);
    const answer = await mandiri.call("doPayment", p);
    expect([answer.status, code(answer.body)]).toEqual([200, expected]);
    const inquiry = await mandiri.call("inquiryStatus", { transactionID: p.transactionID, transactionDate: p.transactionDate });
    expect(inquiry.body).toMatchObject({ Response: { responseCode: "00", transactionStatus: "FAILED", reasonCode: expected } });
    expect(await ledger()).toEqual({ entries: [] });
  });

  it("answers an unknown transactionID, or the wrong date, with 404 code 25", async () => {
    const p = payment();
    await mandiri.call("doPayment", p);
    for (const request of [{ transactionID: id(), transactionDate: "2026-11-26" }, { transactionID: p.transactionID, transactionDate: "2026-11-25" }]) {
      const answer = await mandiri.call("inquiryStatus", request);
      expect([answer.status, code(answer.body)]).toEqual([404, "25"]);
    }
  });

  it("answers an unknown path with 404 code 12, never the inquiry's 25", async () => {
    const token = await mandiri.token();
    const answer = await fetchJson(`${sandbox.url()}/gateway/TbwPayment/1.0/nothing`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    expect([answer.status, code(answer.body)]).toEqual([404, "12"]);
  });
});
