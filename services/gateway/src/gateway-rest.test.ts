import http from "node:http";
import { gzipSync } from "node:zlib";
import { createClientStore } from "./client-store";
import { appToken, LOCAL, MODAL, OTHER, startHarness, testSettings, until, type Harness } from "./gateway-harness";

interface Envelope {
  statusCode: string;
  message: string;
  replayed?: boolean;
  data: null | Record<string, string>;
}

let h: Harness;
// Duplicates wait for the first request's answer at most duplicateWaitMs, then get PENDING: long
// enough here that 50 concurrent duplicates on a loaded machine still see the answer (see below).
beforeAll(async () => { h = await startHarness("gw_rest", { duplicateWaitMs: 15_000 }); });
afterAll(async () => { await h.close(); });
beforeEach(() => { for (const bank of Object.values(h.banks)) bank.setMode("SUCCESS"); });

let seq = 0;
const transferBody = (over: Record<string, string> = {}) => ({
  clientReferenceNo: `REST-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", remark: "test", ...over,
});

async function post(body: unknown, token = appToken({ req: body as never }), headers: Record<string, string> = {}): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${h.baseUrl}/api/v1/transfers`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}

async function get(path: string, token = appToken()): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Envelope };
}

describe("REST transfers", () => {
  it("sends a transfer to 014 straight to BCA: 200, statusCode 000, usage TRANSFER", async () => {
    const body = transferBody();
    const { status, json } = await post(body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ statusCode: "000", message: "Success transfer!", replayed: false });
    const rfc3339 = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as string;
    expect(json.data).toEqual({
      referenceNumber: expect.stringMatching(/^GRB[0-9A-Z]+$/) as string, clientReferenceNo: body.clientReferenceNo, status: "SUCCESS",
      bankCode: "014", usage: "TRANSFER", accountNumber: "0201240003", accountName: "GERBANG LOCAL",
      beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK", amount: "2475000", currency: "IDR", remark: "test",
      bankReference: expect.stringMatching(/^J-/) as string, bankResponseCode: expect.any(String) as string, bankResponseMessage: expect.any(String) as string,
      createdAt: rfc3339, updatedAt: rfc3339,
    });
    const calls = h.banks["014"].calls.filter((c) => c.referenceNumber === json.data?.referenceNumber);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ attempt: 1, sourceAccountNumber: "0201240003", beneficiaryBankCode: "014", amount: "2475000", currency: "IDR" });
    expect(calls[0]!.transactionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Its service token ends with this instance's lease (6 s in the harness), not after 60 s.
    expect((h.banks["014"].tokenExpiresAt(calls[0]!) ?? Infinity) - Date.now() / 1000).toBeLessThanOrEqual(testSettings().leaseMs / 1000);
  });

  it("sends a non-partner bank (002) interbank through BNI (009), the smallest priority", async () => {
    const { status, json } = await post(transferBody({ beneficiaryBankCode: "002", beneficiaryAccountNumber: "123456789012" }));
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ bankCode: "009", usage: "TRANSFER_INTERBANK", accountNumber: "0115470003" });
    expect(h.banks["009"].calls.at(-1)).toMatchObject({ usage: 2, beneficiaryBankCode: "002", beneficiaryBankName: expect.stringContaining("Rakyat") as string });
  });

  it("sends Mandiri's Bank Indonesia code 008 to the 800 partner as TRANSFER", async () => {
    const { json } = await post(transferBody({ beneficiaryBankCode: "008", beneficiaryAccountNumber: "1370098765431" }));
    expect(json.data).toMatchObject({ bankCode: "800", usage: "TRANSFER" });
  });
});

describe("REST idempotency", () => {
  it("replays the same request: same transfer, replayed, exactly one bank call", async () => {
    const body = transferBody();
    const first = await post(body);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.json.replayed).toBe(true);
    expect(again.json.data?.referenceNumber).toBe(first.json.data?.referenceNumber);
    expect(h.banks["014"].calls.filter((c) => c.referenceNumber === first.json.data?.referenceNumber)).toHaveLength(1);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
  });

  it("keys idempotency per app: two apps using the same clientReferenceNo get two transfers, each sent once", async () => {
    const body = transferBody();
    const mine = await post(body);
    const theirs = await post(body, appToken({ client: OTHER, req: body }));
    expect([mine.json.statusCode, mine.json.replayed, theirs.json.statusCode, theirs.json.replayed]).toEqual(["000", false, "000", false]);
    expect(theirs.json.data?.referenceNumber).not.toBe(mine.json.data?.referenceNumber);
    for (const answer of [mine, theirs]) expect(h.banks["014"].calls.filter((c) => c.referenceNumber === answer.json.data?.referenceNumber)).toHaveLength(1);
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(2);
  });

  it("refuses the same reference with other content: 422, statusCode 104, the stored transfer unchanged", async () => {
    const body = transferBody();
    const first = await post(body);
    const changed = { ...body, amount: "1000" };
    const { status, json } = await post(changed);
    expect(status).toBe(422);
    expect(json).toEqual({ statusCode: "104", message: expect.stringContaining("different transfer") as string, data: null });
    const stored = await get(`/api/v1/transfers/${first.json.data?.referenceNumber ?? ""}`);
    expect(stored.json.data?.amount).toBe("2475000");
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
  });

  it.each([
    ["beneficiary name", { beneficiaryAccountName: "KEN DEDES" }],
    ["remark", { remark: "another invoice" }],
    ["beneficiary account", { beneficiaryAccountNumber: "0201245682" }],
  ])("refuses the same reference with another %s, under a token made for the new content: 422, statusCode 104, no second bank call", async (_field, change) => {
    const body = transferBody({ remark: "first invoice" });
    const first = await post(body);
    const calls = h.banks["014"].calls.length;
    const { status, json } = await post({ ...body, ...change });
    expect([status, json.statusCode, json.data]).toEqual([422, "104", null]);
    expect(h.banks["014"].calls).toHaveLength(calls);
    const stored = await get(`/api/v1/transfers/${first.json.data?.referenceNumber ?? ""}`);
    expect(stored.json.data).toMatchObject(body);
  });

  it("takes an empty currency and IDR as the same request: the retry is a replay", async () => {
    const body = transferBody({ currency: "" });
    const first = await post(body);
    const again = await post({ ...body, currency: "IDR" });
    expect([again.status, again.json.statusCode, again.json.replayed, again.json.data?.referenceNumber]).toEqual([200, "000", true, first.json.data?.referenceNumber]);
  });

  it("replays a recorded transfer after the app lost its escrow at that partner; a new one is refused 103", async () => {
    const body = transferBody();
    const first = await post(body);
    const clients = await createClientStore(h.connection);
    await clients.upsertClient({ ...LOCAL, escrowAccounts: LOCAL.escrowAccounts.filter((e) => e.bankCode !== "014") });
    await h.gateway.refreshRegistry();
    try {
      const again = await post(body);
      expect([again.status, again.json.statusCode, again.json.replayed, again.json.data?.referenceNumber]).toEqual([200, "000", true, first.json.data?.referenceNumber]);
      const fresh = await post(transferBody());
      expect([fresh.status, fresh.json.statusCode]).toEqual([400, "103"]);
      expect(h.banks["014"].calls.filter((c) => c.referenceNumber === first.json.data?.referenceNumber)).toHaveLength(1);
    } finally {
      await clients.upsertClient(LOCAL);
      await h.gateway.refreshRegistry();
    }
  });

  it("turns 50 concurrent identical requests into exactly one bank call and one transfer", async () => {
    h.banks["014"].setMode("SUCCESS", 300); // the first call is still in flight while the others arrive
    const body = transferBody();
    const before = h.banks["014"].calls.length;
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    expect(h.banks["014"].calls.length - before).toBe(1);
    expect(new Set(answers.map((a) => a.json.data?.referenceNumber)).size).toBe(1);
    expect(answers.filter((a) => a.json.replayed === false)).toHaveLength(1);
    expect(answers.every((a) => a.status === 200 && a.json.statusCode === "000")).toBe(true); // each waited for the answer (duplicateWaitMs)
    expect(await h.countTransfers({ clientReferenceNo: body.clientReferenceNo })).toBe(1);
  });

  it("answers a duplicate that outwaits GATEWAY_DUPLICATE_WAIT_MS with the transfer as it stands (202 PENDING), on this instance and on another; still one bank call", async () => {
    const settings = { duplicateWaitMs: 300, bankDeadlineMs: 10_000, leaseMs: 20_000 };
    const [first, second] = [await h.startAnother(settings), await h.startAnother(settings)];
    const postTo = async (gateway: typeof first, body: ReturnType<typeof transferBody>) => {
      const res = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/v1/transfers`, {
        method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body })}` }, body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Envelope };
    };
    h.banks["014"].setMode("SUCCESS", 6_000); // the first call is at the bank for 6 s
    const body = transferBody();
    const before = h.banks["014"].calls.length;
    const original = postTo(first, body);
    await until("the bank has the first call", () => h.banks["014"].calls.length > before);
    // One waits on the first request in its instance, the other polls the ledger from another instance.
    for (const duplicate of await Promise.all([postTo(first, body), postTo(second, body)])) {
      expect([duplicate.status, duplicate.json.statusCode, duplicate.json.replayed, duplicate.json.data?.status]).toEqual([202, "001", true, "PENDING"]);
    }
    expect((await original).json.statusCode).toBe("000");
    expect((await postTo(second, body)).json).toMatchObject({ statusCode: "000", replayed: true });
    expect(h.banks["014"].calls.length - before).toBe(1);
  });
});

describe("REST bank outcomes", () => {
  const ledgerDoc = async (referenceNumber: string) => h.connection.db!.collection("transfers").findOne({ referenceNumber });

  it("a bank decline is a recorded FAILED transfer: 200, statusCode 002", async () => {
    h.banks["014"].setMode("FAILED");
    const { status, json } = await post(transferBody());
    expect([status, json.statusCode, json.data?.status, json.data?.bankResponseCode]).toEqual([200, "002", "FAILED", "51"]);
  });

  it("a PENDING answer stays PENDING: 202, statusCode 001, due for a status inquiry", async () => {
    h.banks["014"].setMode("PENDING");
    const { status, json } = await post(transferBody());
    expect([status, json.statusCode, json.data?.status]).toEqual([202, "001", "PENDING"]);
    const doc = await ledgerDoc(json.data!.referenceNumber!);
    expect(doc).toMatchObject({ state: "PENDING", attempts: [{ attempt: 1, outcome: "PENDING", bankRequestId: `${json.data!.referenceNumber!}-1` }] });
    expect(doc?.nextCheckAt).toBeInstanceOf(Date);
    expect(doc?.leaseOwner).toBeUndefined();
  });

  it("no answer within the deadline never becomes FAILED: 202 PENDING, attempt recorded as NO_ANSWER", async () => {
    h.banks["014"].setMode("hang");
    const { status, json } = await post(transferBody());
    expect([status, json.statusCode, json.data?.status]).toEqual([202, "001", "PENDING"]);
    const doc = await ledgerDoc(json.data!.referenceNumber!);
    expect(doc).toMatchObject({ state: "PENDING", attempts: [{ outcome: "NO_ANSWER", error: expect.stringContaining("DEADLINE_EXCEEDED") as string }] });
  });

  it("an error after sending (INTERNAL) stays PENDING", async () => {
    h.banks["014"].setMode("internal");
    const { status, json } = await post(transferBody());
    expect([status, json.data?.status]).toEqual([202, "PENDING"]);
  });

  it("a guaranteed not-sent refusal of the bank service is FAILED with statusCode 003", async () => {
    h.banks["014"].setMode("not-sent");
    const { status, json } = await post(transferBody());
    expect([status, json.statusCode, json.data?.status]).toEqual([200, "003", "FAILED"]);
    expect(await ledgerDoc(json.data!.referenceNumber!)).toMatchObject({ state: "FAILED", attempts: [{ outcome: "NOT_SENT" }] });
  });

  it("records the routing decision, the attempt and releases the lease on success", async () => {
    const { json } = await post(transferBody());
    const doc = await ledgerDoc(json.data!.referenceNumber!);
    expect(doc).toMatchObject({
      state: "SUCCESS", route: { bankCode: "014", usage: "TRANSFER", reason: expect.stringContaining("own code") as string },
      attempts: [{ attempt: 1, partnerBankCode: "014", outcome: "SUCCESS", bankCode: "00", bankRequestId: `${json.data!.referenceNumber!}-1` }],
      bankReference: `J-${json.data!.referenceNumber!}-1`,
    });
    expect(doc?.leaseOwner).toBeUndefined();
    expect(doc?.nextCheckAt).toBeUndefined();
  });
});

describe("REST lookups", () => {
  it("finds a transfer by our reference and by the app's reference; other apps get 404", async () => {
    const body = transferBody();
    const { json } = await post(body);
    const ref = json.data!.referenceNumber!;
    const byOurs = await get(`/api/v1/transfers/${ref}`);
    expect([byOurs.status, byOurs.json.statusCode, byOurs.json.data?.clientReferenceNo]).toEqual([200, "000", body.clientReferenceNo]);
    const byTheirs = await get(`/api/v1/transfers?clientReferenceNo=${encodeURIComponent(body.clientReferenceNo)}`);
    expect(byTheirs.json.data?.referenceNumber).toBe(ref);
    const other = await get(`/api/v1/transfers/${ref}`, appToken({ client: OTHER }));
    expect([other.status, other.json.statusCode, other.json.data]).toEqual([404, "105", null]);
  });

  it("a pending transfer is 202 on lookup too; an unknown reference is 404", async () => {
    h.banks["014"].setMode("PENDING");
    const { json } = await post(transferBody());
    expect((await get(`/api/v1/transfers/${json.data!.referenceNumber!}`)).status).toBe(202);
    expect((await get("/api/v1/transfers/GRBNOSUCHTHING00")).status).toBe(404);
  });

  it("reads transfers through the primary key only, also on a miss (a filter on other fields reads all of an app's transfers)", async () => {
    const filters: unknown[] = [];
    const watch = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === "find" && event.command.find === "transfers") filters.push(event.command.filter);
    };
    const client = h.connection.getClient();
    client.on("commandStarted", watch);
    try {
      expect((await get(`/api/v1/transfers?clientReferenceNo=NEVER-SENT-${Date.now()}`)).json.statusCode).toBe("105");
      const unknownBank = transferBody({ beneficiaryBankCode: "999" });
      expect((await post(unknownBank)).json.statusCode).toBe("102");
    } finally {
      client.off("commandStarted", watch);
    }
    expect(filters.length).toBeGreaterThanOrEqual(2);
    for (const filter of filters) expect(Object.keys(filter as object)).toEqual(expect.arrayContaining(["_id"]));
  });

  it.each<[string, string, number, string]>([
    ["neither reference", "/api/v1/transfers", 400, "101"],
    ["both references", "/api/v1/transfers/GRB1?clientReferenceNo=X", 400, "101"],
    ["an unknown query parameter", "/api/v1/transfers?foo=1", 400, "101"],
    ["a repeated query parameter", "/api/v1/transfers?clientReferenceNo=a&clientReferenceNo=b", 400, "101"],
    ["one parameter under both its names", "/api/v1/transfers?clientReferenceNo=a&client_reference_no=b", 400, "101"],
  ])("refuses a lookup with %s", async (_label, path, status, statusCode) => {
    const answer = await get(path);
    expect([answer.status, answer.json.statusCode, answer.json.data]).toEqual([status, statusCode, null]);
  });
});

describe("REST refusals leave no trace", () => {
  /** Sends the request and checks its refusal, and that the ledger and the banks saw nothing of it. */
  const refusedWith = async (send: () => Promise<{ status: number; json: Envelope }>, status: number, statusCode: string) => {
    const calls = Object.values(h.banks).reduce((n, b) => n + b.calls.length, 0);
    const transfers = await h.countTransfers();
    const { status: got, json } = await send();
    expect([got, json.statusCode, json.data]).toEqual([status, statusCode, null]);
    expect(json.message).not.toBe("");
    expect(await h.countTransfers()).toBe(transfers);
    expect(Object.values(h.banks).reduce((n, b) => n + b.calls.length, 0)).toBe(calls);
  };

  it.each<[string, Record<string, string>]>([
    ["zero amount", { amount: "0" }], ["decimal amount", { amount: "10.5" }], ["2-digit bank code", { beneficiaryBankCode: "14" }],
    ["letters in the account", { beneficiaryAccountNumber: "01A" }], ["USD", { currency: "USD" }], ["a 51-char remark", { remark: "r".repeat(51) }],
    ["no clientReferenceNo", { clientReferenceNo: "" }], ["a 65-char clientReferenceNo", { clientReferenceNo: "c".repeat(65) }],
    ["interbank without a beneficiary name", { beneficiaryBankCode: "002", beneficiaryAccountName: "" }],
  ])("invalid field (%s): 400, statusCode 101", async (_label, change) => {
    const body = transferBody(change);
    await refusedWith(() => post(body), 400, "101");
  });

  it("an unknown bank code: 400, statusCode 102", async () => {
    const body = transferBody({ beneficiaryBankCode: "999" });
    await refusedWith(() => post(body), 400, "102");
  });

  it("malformed JSON: 400, statusCode 101", async () => {
    await refusedWith(() => post("{\"clientReferenceNo\": ", appToken()), 400, "101");
  });

  it("a JSON array body: 400, statusCode 101", async () => {
    await refusedWith(() => post("[]", appToken()), 400, "101");
  });

  it("an unknown field: 400, statusCode 101", async () => {
    const body = { ...transferBody(), amout: "5" };
    await refusedWith(() => post(body, appToken({ req: body })), 400, "101");
  });

  it("a wrongly typed field: 400, statusCode 101", async () => {
    const body = { ...transferBody(), amount: 5 };
    await refusedWith(() => post(body, appToken()), 400, "101");
  });

  it("an account number sent as a JSON number: 400, statusCode 101, and the log does not quote it unmasked", async () => {
    const body = { ...transferBody(), beneficiaryAccountNumber: 2012456811234 };
    await refusedWith(() => post(body, appToken()), 400, "101");
    expect(h.logs.join("")).not.toContain("2012456811234");
    // Connect refuses it while decoding, before any interceptor: the REST layer logs it, masked.
    expect(h.logs.some((l) => l.includes('"statusCode":"101"') && l.includes("*********1234"))).toBe(true);
  });

  it("a repeated key: 400, statusCode 101, whichever value the token was made for (JSON.parse would keep the last)", async () => {
    const body = transferBody({ amount: "1000" });
    const text = JSON.stringify(body).replace('"amount":"1000"', '"amount":"2475000","amount":"1000"');
    await refusedWith(() => post(text, appToken({ req: body })), 400, "101");
  });

  it("a body that is not UTF-8: 400, statusCode 101 (never stored with U+FFFD in its place)", async () => {
    const body = transferBody({ remark: "REMARK-BYTES" });
    const bytes = Buffer.from(JSON.stringify(body));
    const at = bytes.indexOf("REMARK-BYTES");
    bytes[at] = 0xff;
    bytes[at + 1] = 0xfe;
    const send = () => fetch(`${h.baseUrl}/api/v1/transfers`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body })}` }, body: bytes });
    await refusedWith(() => send().then(async (r) => ({ status: r.status, json: (await r.json()) as Envelope })), 400, "101");
  });

  it("a charset other than UTF-8: 400, statusCode 101", async () => {
    const body = transferBody();
    await refusedWith(() => post(JSON.stringify(body), appToken({ req: body }), { "content-type": "application/json; charset=latin1" }), 400, "101");
    const utf8 = transferBody();
    expect((await post(JSON.stringify(utf8), appToken({ req: utf8 }), { "content-type": "application/json; charset=UTF-8" })).json.statusCode).toBe("000");
  });

  it("a compressed body (content-encoding gzip): 400, statusCode 101, and the message names the encoding", async () => {
    const body = transferBody();
    const send = () => fetch(`${h.baseUrl}/api/v1/transfers`, {
      method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${appToken({ req: body })}` }, body: gzipSync(JSON.stringify(body)),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Envelope }));
    await refusedWith(send, 400, "101");
    expect((await send()).json.message).toMatch(/^content-encoding gzip is not accepted here/);
  });

  it("a query parameter on a POST (its fields come in the body): 400, statusCode 101, rather than dropped", async () => {
    const body = transferBody();
    const send = () => fetch(`${h.baseUrl}/api/v1/transfers?amount=1`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body })}` }, body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Envelope }));
    await refusedWith(send, 400, "101");
    expect((await send()).json.message).toMatch(/^unknown query parameter amount: this endpoint takes every field in the JSON body/);
  });

  it("a body over the limit: 429 (Connect's status for RESOURCE_EXHAUSTED, as on the Connect protocol), statusCode 106", async () => {
    const body = transferBody({ remark: "x".repeat(20_000) });
    await refusedWith(() => post(body), 429, "106");
  });

  it("a non-JSON content type: 400, statusCode 101", async () => {
    const body = transferBody();
    await refusedWith(() => post(JSON.stringify(body), appToken({ req: body }), { "content-type": "text/plain" }), 400, "101");
  });

  it("checks the token before the body: a forged token gets 401, statusCode 201, whatever the body", async () => {
    const forged = appToken({ key: MODAL.keyToken });
    await refusedWith(() => post("{\"clientReferenceNo\": ", forged), 401, "201");
    const big = transferBody({ remark: "x".repeat(20_000) });
    await refusedWith(() => post(big, forged), 401, "201");
  });

  it("counts a refusal of the REST layer in /metrics under the RPC's name", async () => {
    const counted = async () => {
      const text = await h.metrics();
      return Number(/gerbang_gateway_requests_total\{route="payment.v1.PaymentGatewayService\/Transfer",transport="rest",statusCode="201"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await counted();
    await post(transferBody(), appToken({ key: MODAL.keyToken }));
    expect(await counted()).toBe(before + 1);
  });

  it("an unknown path is 404 with statusCode 101, never 105 (which says a transfer does not exist)", async () => {
    for (const path of ["/api/v1/transfers/GRB0000000000001/", "/api/v1/nothing"]) {
      const res = await fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${appToken()}` } });
      expect([res.status, ((await res.json()) as Envelope).statusCode]).toEqual([404, "101"]);
    }
  });

  it("a request target no URL parser takes (\"//\" and the like): 404 with statusCode 101 like any unknown path, not a bare 500", async () => {
    for (const path of ["//", "/\\", "//a:b@/"]) {
      // fetch would normalise these; node:http sends the target as written.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port: h.gateway.httpPort, path }, (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (chunk: string) => { body += chunk; }).on("end", () => { resolve({ status: res.statusCode ?? 0, body }); });
        }).on("error", reject);
      });
      expect([path, answer.status, (JSON.parse(answer.body) as Envelope).statusCode]).toEqual([path, 404, "101"]);
    }
    expect(h.logs.filter((line) => line.includes("unhandled HTTP error"))).toEqual([]);
  });

  it("a path with malformed percent-encoding: 400, statusCode 101, in the envelope", async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/transfers/%E0%A4`, { headers: { authorization: `Bearer ${appToken()}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: "101", message: "invalid request: malformed percent-encoding in the path", data: null });
  });

  it("a method the path does not declare: 400, statusCode 101", async () => {
    const res = await fetch(`${h.baseUrl}/api/v1/transfers`, { method: "DELETE", headers: { authorization: `Bearer ${appToken()}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Envelope).statusCode).toBe("101");
  });
});

describe("HTTP endpoints and logs", () => {
  it("answers a burst of readiness probes (no token needed) with one database ping, not one each", async () => {
    let pings = 0;
    const count = (event: { commandName: string }) => { if (event.commandName === "ping") pings++; };
    const client = h.connection.getClient();
    client.on("commandStarted", count);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${h.baseUrl}/readyz`).then((res) => res.status)));
      expect(answers).toEqual(Array.from({ length: 20 }, () => 200));
    } finally {
      client.off("commandStarted", count);
    }
    expect(pings).toBeLessThanOrEqual(1); // 0 when an earlier probe's answer is under a second old
  });

  it("answers /healthz and /readyz on the apps' port and the operators' port, /metrics and the breakers only on the operators'", async () => {
    expect((await post(transferBody())).json.statusCode).toBe("000"); // its own lines in /metrics, whatever ran before
    for (const origin of [h.baseUrl, h.opsUrl]) {
      const ready = await fetch(`${origin}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
    }
    // Which banks are failing, and this instance's id, are for operators: the apps' probe says only "ok".
    const appsHealth = await fetch(`${h.baseUrl}/healthz`);
    expect([appsHealth.status, await appsHealth.json()]).toEqual([200, { status: "ok" }]);
    const opsHealth = await fetch(`${h.opsUrl}/healthz`);
    const detail = (await opsHealth.json()) as { status: string; instanceId: unknown; breakers: Record<string, string>; registryAsOf: string };
    expect([opsHealth.status, detail.status, typeof detail.instanceId, detail.breakers["014"]]).toEqual([200, "ok", "string", "closed"]);
    // When the registry this instance serves from was read: a reload takes a change in the database to it.
    const changedAt = Date.now();
    expect(Date.parse(detail.registryAsOf)).toBeLessThanOrEqual(changedAt);
    await h.gateway.refreshRegistry();
    const reloaded = (await (await fetch(`${h.opsUrl}/healthz`)).json()) as { registryAsOf: string };
    expect(Date.parse(reloaded.registryAsOf)).toBeGreaterThanOrEqual(changedAt);
    // On the apps' port /metrics is no endpoint: volumes per bank and state are not theirs to read.
    const fromApps = await fetch(`${h.baseUrl}/metrics`);
    expect([fromApps.status, ((await fromApps.json()) as Envelope).statusCode]).toEqual([404, "101"]);
    const elsewhere = await fetch(`${h.opsUrl}/api/v1/transfers`, { method: "POST", body: "{}" });
    expect(elsewhere.status).toBe(404); // and the operators' port serves no API
    const metrics = await h.metrics();
    expect(metrics).toMatch(/gerbang_gateway_requests_total\{route="payment.v1.PaymentGatewayService\/Transfer",transport="rest",statusCode="000"\} \d+/);
    expect(metrics).toMatch(/gerbang_gateway_bank_call_seconds_count\{bank="014",outcome="SUCCESS"\} \d+/);
    // The alert's series exist before any review, so an alert on their increase sees the first one.
    for (const bank of ["009", "014", "800"]) expect(metrics).toMatch(new RegExp(`gerbang_gateway_manual_review_total\\{bank="${bank}"\\} \\d+`));
  });

  it("logs one line per request with client, route, statusCode and duration; accounts masked, no tokens", async () => {
    const body = transferBody({ beneficiaryAccountNumber: "0201245682" });
    const token = appToken({ req: body });
    const before = h.logs.length;
    await post(body, token);
    const lines = h.logs.filter((l) => l.includes(body.clientReferenceNo) || l.includes("******5682"));
    const request = h.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
    expect(request).toHaveLength(1);
    expect(request[0]).toMatchObject({ client: "3", route: "payment.v1.PaymentGatewayService/Transfer", transport: "rest", statusCode: "000", beneficiary: "******5682", durationMs: expect.any(Number) as number });
    const all = h.logs.join("");
    expect(all).not.toContain("0201245682");
    expect(all).not.toContain(token);
    expect(all).not.toContain(LOCAL.keyToken);
    expect(all).not.toContain(MODAL.keyToken);
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });
});
