import { randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { transferRequestClaim } from "@gerbang/shared";
import { appToken, LOCAL, MODAL, startHarness, type Harness } from "./gateway-harness";
import type { Gateway } from "./gateway";
import { REPLAYED_LOOKUP_TOKEN_MESSAGE, REPLAYED_TOKEN_MESSAGE } from "./interceptors";
import { referenceNumberFor } from "./reference-number";

interface Envelope { statusCode: string; message: string; replayed?: boolean; data: unknown }

let h: Harness;
beforeAll(async () => { h = await startHarness("gw_auth"); });
afterAll(async () => { await h.close(); });

let seq = 0;
const transferBody = (over: Record<string, string> = {}) => ({
  clientReferenceNo: `AUTH-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "100000", ...over,
});

async function post(baseUrl: string, body: object, authorization: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${baseUrl}/api/v1/transfers`, {
    method: "POST", body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }), ...headers },
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}

const bankCalls = () => Object.values(h.banks).reduce((n, b) => n + b.calls.length, 0);
/** A refused request recorded nothing for its reference and called no bank. */
const leftNoTrace = async (body: ReturnType<typeof transferBody>, callsBefore: number) => {
  expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(0);
  expect(bankCalls()).toBe(callsBefore);
};

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const claimsFor = (body: ReturnType<typeof transferBody>) => ({
  sub: LOCAL.clientId, aud: "gerbang", iat: now(), exp: now() + 60, jti: randomUUID(), req: transferRequestClaim(body),
});

/** Every refusal before a token's signature checks out: one answer, so no caller learns which client ids exist. */
const NOT_OURS = /^invalid token: unknown client, or not signed with its key \(HS256\)$/;
/** A valid token for the body but for one claim, signed with the local app's key. */
const signedWith = (body: ReturnType<typeof transferBody>, claim: string, value: unknown) =>
  `Bearer ${jwt.sign({ ...claimsFor(body), [claim]: value }, LOCAL.keyToken, { algorithm: "HS256" })}`;

/** Each case makes a token (or header) for the body it is given. */
const cases: [string, (body: ReturnType<typeof transferBody>) => string | undefined, number, string, RegExp][] = [
  ["no authorization header", () => undefined, 401, "201", /missing or malformed authorization/],
  ["a scheme other than Bearer", (body) => `Basic ${appToken({ req: body })}`, 401, "201", /missing or malformed authorization/],
  ["a token that is not a JWT", () => "Bearer not-a-token", 401, "201", /missing or malformed authorization/],
  ["a bad signature (another key)", (body) => `Bearer ${appToken({ req: body, key: MODAL.keyToken })}`, 401, "201", NOT_OURS],
  ["a tampered payload under the original signature", (body) => {
    const [header, , signature] = appToken({ req: body }).split(".");
    return `Bearer ${header ?? ""}.${b64({ ...claimsFor(body), amount: "1" })}.${signature ?? ""}`;
  }, 401, "201", NOT_OURS],
  ["the wrong algorithm (HS512)", (body) => `Bearer ${jwt.sign(claimsFor(body), LOCAL.keyToken, { algorithm: "HS512" })}`, 401, "201", NOT_OURS],
  ["alg none", (body) => `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(claimsFor(body))}.`, 401, "201", NOT_OURS],
  ["an expired token", (body) => `Bearer ${appToken({ req: body, iat: now() - 200, exp: now() - 100 })}`, 401, "201", /token expired/],
  ["an iat in the future", (body) => `Bearer ${appToken({ req: body, iat: now() + 120, exp: now() + 180 })}`, 401, "201", /iat is in the future/],
  ["a lifetime over 5 minutes", (body) => `Bearer ${appToken({ req: body, iat: now(), exp: now() + 301 })}`, 401, "201", /lifetime exceeds 300/],
  ["no iat, so no lifetime to cap (valid for a year)", (body) => {
    const claims = Object.fromEntries(Object.entries(claimsFor(body)).filter(([name]) => name !== "iat"));
    return `Bearer ${jwt.sign({ ...claims, exp: now() + 31_536_000 }, LOCAL.keyToken, { algorithm: "HS256", noTimestamp: true })}`;
  }, 401, "201", /^token must carry iat and exp$/],
  ["the wrong aud", (body) => `Bearer ${appToken({ req: body, aud: "someone-else" })}`, 401, "201", /audience invalid/],
  ["no jti", (body) => `Bearer ${appToken({ req: body, omit: ["jti"] })}`, 401, "201", /must carry a jti/],
  ["no req claim", () => `Bearer ${appToken()}`, 401, "201", /no req claim/],
  ["a req claim for other content (altered amount)", (body) => `Bearer ${appToken({ req: { ...body, amount: "1" } })}`, 401, "201", /req claim does not match/],
  ["an unknown client", (body) => `Bearer ${appToken({ req: body, client: { ...LOCAL, clientId: "77" } })}`, 401, "201", NOT_OURS],
  ["no sub", (body) => `Bearer ${appToken({ req: body, omit: ["sub"] })}`, 401, "201", NOT_OURS],
  ["a sub sent as a number (the id is a string)", (body) => signedWith(body, "sub", Number(LOCAL.clientId)), 401, "201", /^token sub must be the app's client id as a string/],
  ["a jti sent as a number", (body) => signedWith(body, "jti", 12345), 401, "201", /^token must carry a jti: a string of 1 to 128 characters$/],
  ["a req claim in uppercase hex", (body) => signedWith(body, "req", transferRequestClaim(body).toUpperCase()), 401, "201", /^token req claim must be lowercase hex$/],
  ["a client whose allowlist does not hold the caller's IP", (body) => `Bearer ${appToken({ req: body, client: MODAL })}`, 403, "202", /caller IP 127.0.0.1 is not allowed for client 2/],
];

describe("app authentication refusals leave no trace", () => {
  it.each(cases)("refuses %s", async (_label, authorization, status, statusCode, message) => {
    const body = transferBody();
    const calls = h.banks["014"].calls.length;
    const answer = await post(h.baseUrl, body, authorization(body));
    expect([answer.status, answer.json.statusCode, answer.json.data]).toEqual([status, statusCode, null]);
    expect(answer.json.message).toMatch(message);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(0);
    expect(h.banks["014"].calls).toHaveLength(calls);
  });

  it("accepts the same token shape when nothing is bent (the cases above fail for their own reason)", async () => {
    const body = transferBody();
    const answer = await post(h.baseUrl, body, `Bearer ${jwt.sign(claimsFor(body), LOCAL.keyToken, { algorithm: "HS256" })}`);
    expect([answer.status, answer.json.statusCode]).toEqual([200, "000"]);
  });

  it("takes the scheme in any case (RFC 7235): `bearer` is Bearer", async () => {
    const body = transferBody();
    const answer = await post(h.baseUrl, body, `bearer ${appToken({ req: body })}`);
    expect([answer.status, answer.json.statusCode]).toEqual([200, "000"]);
  });

  it("refuses a lookup's replayed jti without the advice meant for a Transfer", async () => {
    const token = `Bearer ${appToken()}`;
    const lookup = async () => {
      const res = await fetch(`${h.baseUrl}/api/v1/transfers?clientReferenceNo=NOTHING-${Date.now()}`, { headers: { authorization: token } });
      return { status: res.status, json: (await res.json()) as Envelope };
    };
    expect((await lookup()).json.statusCode).toBe("105");
    expect(await lookup()).toMatchObject({ status: 401, json: { statusCode: "201", message: REPLAYED_LOOKUP_TOKEN_MESSAGE } });
  });

  it("admits one of the same token sent many times at once: the rest are replays, one transfer is recorded, the bank called once", async () => {
    const body = transferBody();
    const token = `Bearer ${appToken({ req: body })}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(h.baseUrl, body, token)));
    const admitted = answers.filter((a) => a.json.statusCode !== "201");
    expect(admitted.map((a) => a.json.statusCode)).toEqual(["000"]);
    expect(answers.filter((a) => a.json.statusCode === "201").map((a) => a.json.message)).toEqual(Array(5).fill(REPLAYED_TOKEN_MESSAGE));
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
    expect(h.banks["014"].calls.filter((c) => c.referenceNumber === referenceNumberFor(LOCAL.clientId, body.clientReferenceNo))).toHaveLength(1);
  });

  it("refuses a replayed jti, and the replay changes nothing", async () => {
    const body = transferBody();
    const token = `Bearer ${appToken({ req: body })}`;
    expect((await post(h.baseUrl, body, token)).status).toBe(200);
    const calls = bankCalls();
    const replay = await post(h.baseUrl, body, token);
    expect([replay.status, replay.json.statusCode, replay.json.message]).toEqual([401, "201", REPLAYED_TOKEN_MESSAGE]);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
    expect(bankCalls()).toBe(calls);
    // What the message tells an app whose first answer was lost: a new token, the same reference, gets the transfer.
    const retried = await post(h.baseUrl, body, `Bearer ${appToken({ req: body })}`);
    expect([retried.status, retried.json.statusCode, retried.json.replayed]).toEqual([200, "000", true]);
    expect(bankCalls()).toBe(calls);
  });

  it("does not use up the jti of a request refused for its content", async () => {
    const bad = transferBody({ amount: "0" });
    const token = `Bearer ${appToken({ req: bad, jti: "reusable-after-refusal" })}`;
    expect((await post(h.baseUrl, bad, token)).json.statusCode).toBe("101");
    const good = transferBody();
    expect((await post(h.baseUrl, good, `Bearer ${appToken({ req: good, jti: "reusable-after-refusal" })}`)).json.statusCode).toBe("000");
  });

  it.each([
    ["an unknown bank", { beneficiaryBankCode: "999" }, "102"],
    ["an interbank transfer without the beneficiary's name", { beneficiaryBankCode: "002", beneficiaryAccountName: "" }, "101"],
  ])("does not use up the jti of a transfer refused by routing: %s", async (_, change, code) => {
    const jti = `reusable-after-routing-${code}-${Date.now()}`;
    const refused = transferBody(change);
    const calls = bankCalls();
    expect((await post(h.baseUrl, refused, `Bearer ${appToken({ req: refused, jti })}`)).json.statusCode).toBe(code);
    await leftNoTrace(refused, calls);
    const good = transferBody();
    expect((await post(h.baseUrl, good, `Bearer ${appToken({ req: good, jti })}`)).json.statusCode).toBe("000");
  });

  it("uses up the jti of a reference reused for other content, also when the new content would not route (104 is final)", async () => {
    const recorded = transferBody();
    expect((await post(h.baseUrl, recorded, `Bearer ${appToken({ req: recorded })}`)).json.statusCode).toBe("000");
    const jti = `used-by-a-conflict-${Date.now()}`;
    const reused = { ...recorded, beneficiaryBankCode: "999" }; // unknown bank: refused by routing, but the reference holds a transfer
    expect((await post(h.baseUrl, reused, `Bearer ${appToken({ req: reused, jti })}`)).json.statusCode).toBe("104");
    const good = transferBody();
    expect((await post(h.baseUrl, good, `Bearer ${appToken({ req: good, jti })}`)).json).toMatchObject({ statusCode: "201", message: REPLAYED_TOKEN_MESSAGE });
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const body = transferBody();
    const calls = bankCalls();
    const answer = await post(h.baseUrl, body, `Bearer ${appToken({ req: body, client: MODAL })}`, { "x-forwarded-for": MODAL.allowedIps[0]! });
    expect([answer.status, answer.json.statusCode]).toEqual([403, "202"]);
    await leftNoTrace(body, calls);
  });
});

describe("several gateway instances", () => {
  let second: Gateway;
  beforeAll(async () => { second = await h.startAnother({ trustedProxies: ["127.0.0.1"] }); });

  it("share used jtis: a token used on one instance is refused on the other", async () => {
    const body = transferBody();
    const token = `Bearer ${appToken({ req: body })}`;
    expect((await post(h.baseUrl, body, token)).status).toBe(200);
    const elsewhere = await post(`http://127.0.0.1:${second.httpPort}`, body, token);
    expect([elsewhere.status, elsewhere.json.statusCode]).toEqual([401, "201"]);
  });

  it("share the ledger: a replay on the other instance returns the same transfer without a second bank call", async () => {
    const body = transferBody();
    const first = await post(h.baseUrl, body, `Bearer ${appToken({ req: body })}`);
    const calls = h.banks["014"].calls.length;
    const again = await post(`http://127.0.0.1:${second.httpPort}`, body, `Bearer ${appToken({ req: body })}`);
    expect(again.json).toMatchObject({ statusCode: "000", replayed: true, data: { referenceNumber: (first.json.data as { referenceNumber: string }).referenceNumber } });
    expect(h.banks["014"].calls).toHaveLength(calls);
  });

  it("behind a trusted proxy, the caller is the X-Forwarded-For address", async () => {
    const body = transferBody();
    const viaProxy = await post(`http://127.0.0.1:${second.httpPort}`, body, `Bearer ${appToken({ req: body, client: MODAL })}`, { "x-forwarded-for": MODAL.allowedIps[0]! });
    expect([viaProxy.status, viaProxy.json.statusCode]).toEqual([200, "000"]);
    const local = transferBody();
    const calls = bankCalls();
    const refused = await post(`http://127.0.0.1:${second.httpPort}`, local, `Bearer ${appToken({ req: local })}`, { "x-forwarded-for": "203.0.113.9" });
    expect([refused.status, refused.json.statusCode]).toEqual([403, "202"]);
    await leftNoTrace(local, calls);
  });
});
