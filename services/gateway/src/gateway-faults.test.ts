import { randomUUID } from "node:crypto";
import { createRegistryStore, type Partner } from "@gerbang/shared";
import { partners } from "../../../scripts/seed-data";
import { createClientStore, type Client } from "./client-store";
import pino from "pino";
import { appToken, crashedTransfer, LOCAL, OTHER, startHarness, testSettings, until, updateMentions, withLedgerFault, type Harness } from "./gateway-harness";
import { createTransferStore } from "./transfer-store";
import { reconcileLedger } from "./reconcile";

// A whole gateway (real HTTP server, real database) against fake bank services on loopback, with
// a bank service made unreachable (its port closed), unresponsive, or slow: circuit breaker,
// fallback routing and graceful shutdown.

interface Envelope { statusCode: string; message: string; data: null | Record<string, string> }

let seq = 0;
const body = (over: Record<string, string> = {}) => ({
  clientReferenceNo: `FLT-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: String(1000 + seq), remark: "", ...over,
});
async function post(baseUrl: string, payload: ReturnType<typeof body>, client: Client = LOCAL, token = appToken({ client, req: payload })): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${baseUrl}/api/v1/transfers`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(payload),
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}
/**
 * A loopback address nothing listens on, so connecting is refused: port 9 (discard) is below the
 * range from which tests and the OS hand out ports, so no other test can start listening there,
 * as it could on a free port picked and left unbound.
 */
const CLOSED = "127.0.0.1:9";
const ledgerDoc = (h: Harness, referenceNumber: string) => h.connection.db!.collection("transfers").findOne({ referenceNumber });

/** Points a partner at another address (a closed port: connection refused) and reloads the registry. */
async function pointPartner(h: Harness, bankCode: string, serviceUrl: string): Promise<void> {
  const seeded = partners({ bankBni: h.banks["009"].port, bankBca: h.banks["014"].port, bankMandiri: h.banks["800"].port });
  const partner = seeded.find((p) => p.bankCode === bankCode) as Partner;
  await createRegistryStore(h.connection).upsertPartner({ ...partner, serviceUrl });
  await h.gateway.refreshRegistry();
}

describe("circuit breaker per bank service", () => {
  let h: Harness;
  // The open breaker must outlast the checks and the repointing below even on a loaded machine:
  // a short reset turned it half-open before the "still open" request, which then went through.
  beforeAll(async () => { h = await startHarness("gw_breaker", { breakerVolumeThreshold: 2, breakerResetMs: 6_000, breakerErrorPercent: 50 }); });
  afterAll(async () => { await h.close(); });
  const health = async () => (await (await fetch(`${h.opsUrl}/healthz`)).json()) as { breakers: Record<string, string> };

  it("opens after refused connections, then refuses without calling; a probe closes it when the service is back", async () => {
    await pointPartner(h, "800", CLOSED);
    for (let i = 0; i < 3; i++) {
      const { status, json } = await post(h.baseUrl, body({ beneficiaryBankCode: "800", beneficiaryAccountNumber: "1370098765431" }));
      expect([status, json.statusCode, json.data?.status]).toEqual([200, "003", "FAILED"]); // provably not sent: final, nothing booked
    }
    expect((await health()).breakers["800"]).toBe("open");
    expect(h.logs.some((line) => line.includes("bank 800 circuit breaker open"))).toBe(true);
    expect(await h.metrics()).toMatch(/gerbang_gateway_bank_breaker_state\{bank="800"\} 2/);

    await pointPartner(h, "800", `127.0.0.1:${h.banks["800"].port}`);
    const before = h.banks["800"].calls.length;
    const refused = await post(h.baseUrl, body({ beneficiaryBankCode: "800", beneficiaryAccountNumber: "1370098765431" }));
    expect(refused.json.statusCode).toBe("003"); // still open: not even tried
    expect(h.banks["800"].calls).toHaveLength(before);
    expect((await health()).breakers["800"]).toBe("open"); // so the refusal above was the open breaker's

    await until("breaker 800 is half-open", async () => (await health()).breakers["800"] === "half-open"); // resetMs later
    const probe = await post(h.baseUrl, body({ beneficiaryBankCode: "800", beneficiaryAccountNumber: "1370098765431" }));
    expect(probe.json.statusCode).toBe("000");
    expect((await health()).breakers["800"]).toBe("closed");
  });

  it("does not count a bank's decline against the bank service", async () => {
    h.banks["014"].setMode("FAILED");
    for (let i = 0; i < 4; i++) expect((await post(h.baseUrl, body())).json.statusCode).toBe("002");
    expect((await health()).breakers["014"]).toBe("closed");
    h.banks["014"].setMode("SUCCESS");
  });
});

describe("fallback routing", () => {
  let h: Harness;
  const FALLBACK: Client = { ...LOCAL, clientId: "5", serviceName: "Fallback App", keyToken: "fallback-app-key-00000000000000005", fallbackRouting: true };
  beforeAll(async () => {
    h = await startHarness("gw_fallback");
    await (await createClientStore(h.connection)).upsertClient(FALLBACK);
    await h.gateway.refreshRegistry();
  });
  afterAll(async () => { await h.close(); });

  it("does not reroute after an ambiguous attempt: PENDING, nothing sent elsewhere", async () => {
    h.banks["014"].setMode("hang");
    const before = h.banks["009"].calls.length;
    const { status, json } = await post(h.baseUrl, body(), FALLBACK);
    expect([status, json.data?.status, json.data?.bankCode]).toEqual([202, "PENDING", "014"]);
    expect(h.banks["009"].calls).toHaveLength(before);
    h.banks["014"].setMode("SUCCESS");
  });

  it("sends interbank through the next partner when the destination's service refused the connection", async () => {
    await pointPartner(h, "014", CLOSED);
    const { status, json } = await post(h.baseUrl, body(), FALLBACK);
    expect([status, json.statusCode, json.data?.bankCode, json.data?.usage]).toEqual([200, "000", "009", "TRANSFER_INTERBANK"]);
    const doc = await ledgerDoc(h, json.data!.referenceNumber!);
    expect(doc).toMatchObject({
      state: "SUCCESS", sourceAccountNumber: "0115470003", route: { bankCode: "009", usage: "TRANSFER_INTERBANK" },
      attempts: [{ attempt: 1, partnerBankCode: "014", outcome: "NOT_SENT" }, { attempt: 2, partnerBankCode: "009", usage: "TRANSFER_INTERBANK", outcome: "SUCCESS" }],
      routing: [{ from: { bankCode: "014", usage: "TRANSFER" }, to: { bankCode: "009", usage: "TRANSFER_INTERBANK" }, reason: expect.stringMatching(/No connection established/) as string }],
    });
    expect(h.banks["009"].calls.at(-1)).toMatchObject({ referenceNumber: json.data!.referenceNumber, attempt: 2, usage: 2, beneficiaryBankCode: "014", sourceAccountNumber: "0115470003" });
  });

  it("takes a reroute the ledger could not record as no reroute: FAILED, not sent (003), nothing sent to the next partner", async () => {
    await pointPartner(h, "014", CLOSED);
    let failed = 0;
    const before = h.banks["009"].calls.length;
    const answer = await withLedgerFault(h.connection, "findOneAndUpdate", (args, call) => {
      if (!updateMentions(args, "\"routing\"")) return call();
      failed += 1;
      return Promise.reject(new Error("connection to the database lost"));
    }, () => post(h.baseUrl, body(), FALLBACK));
    expect(failed).toBe(1);
    expect([answer.status, answer.json.statusCode, answer.json.data?.bankCode]).toEqual([200, "003", "014"]);
    const doc = await ledgerDoc(h, answer.json.data!.referenceNumber!);
    expect(doc).toMatchObject({ state: "FAILED", route: { bankCode: "014" }, attempts: [{ attempt: 1, partnerBankCode: "014", outcome: "NOT_SENT" }] });
    expect(doc?.routing).toBeUndefined();
    expect(doc?.attempts).toHaveLength(1);
    expect(h.banks["009"].calls).toHaveLength(before);
  });

  it("records attempt 2 as not called when the reroute's write landed but threw: in flight (PENDING), nothing sent to the next partner", async () => {
    await pointPartner(h, "014", CLOSED);
    const before = h.banks["009"].calls.length;
    const answer = await withLedgerFault(h.connection, "findOneAndUpdate", async (args, call) => {
      const result = await call();
      if (updateMentions(args, "\"routing\"")) throw new Error("connection to the database lost after the write");
      return result;
    }, () => post(h.baseUrl, body(), FALLBACK));
    expect([answer.status, answer.json.data?.status, answer.json.data?.bankCode]).toEqual([202, "PENDING", "009"]);
    const doc = await ledgerDoc(h, answer.json.data!.referenceNumber!);
    // So the resolver sends attempt 2 as soon as the lease runs out, rather than asking the bank about a send that never left.
    expect(doc).toMatchObject({
      state: "SENDING", route: { bankCode: "009" },
      attempts: [{ attempt: 1, partnerBankCode: "014", outcome: "NOT_SENT" }, { attempt: 2, partnerBankCode: "009", outcome: "NOT_SENT", error: "not called: the reroute's write failed, and landed" }],
    });
    expect(h.banks["009"].calls).toHaveLength(before);
  });

  it("reconcile asks each attempt of a reroute with its own escrow, and flags a first attempt the bank booked or holds", async () => {
    const from = new Date();
    await pointPartner(h, "014", CLOSED);
    const booked = (await post(h.baseUrl, body(), FALLBACK)).json.data!.referenceNumber!;
    const held = (await post(h.baseUrl, body(), FALLBACK)).json.data!.referenceNumber!;
    const swapped = (await post(h.baseUrl, body(), FALLBACK)).json.data!.referenceNumber!;
    await pointPartner(h, "014", `127.0.0.1:${h.banks["014"].port}`);
    // The "not sent" promise broken: BCA did get attempt 1 of each, and booked one, holds the other.
    h.banks["014"].settle(booked, 1, "SUCCESS");
    h.banks["014"].settle(held, 1, "PENDING");
    // One booking in all, but BCA's attempt 1, while BNI has no record of the attempt 2 the ledger says paid.
    h.banks["014"].settle(swapped, 1, "SUCCESS");
    h.banks["009"].settle(swapped, 2, "FAILED");
    const report = await reconcileLedger(h.connection, testSettings(), pino({ level: "silent" }), from, new Date(Date.now() + 1_000));
    expect(report.mismatches.map((m) => [m.referenceNumber, m.problem])).toEqual([
      [booked, "booked 2 times at the bank"],
      [held, "ledger SUCCESS but the bank still has an attempt pending"],
      [swapped, "ledger SUCCESS by attempt 2, but the bank booked attempt 1"],
    ]);
    // Attempt 1 debited the app's BCA escrow, attempt 2 its BNI escrow (the transfer's source now).
    const asked = (ref: string, bank: "014" | "009") => h.banks[bank].statusCalls.filter((c) => c.referenceNumber === ref).map((c) => [c.attempt, c.sourceAccountNumber]);
    expect(asked(booked, "014")).toEqual([[1, "0201240003"]]);
    expect(asked(booked, "009")).toEqual([[2, "0115470003"]]);
  });

  it("keeps fallback off for apps that did not opt in: FAILED, not sent (003)", async () => {
    await pointPartner(h, "014", CLOSED); // its own precondition, not the test above's
    const before = h.banks["009"].calls.length;
    const { json } = await post(h.baseUrl, body());
    expect([json.statusCode, json.data?.bankCode]).toEqual(["003", "014"]);
    expect((await ledgerDoc(h, json.data!.referenceNumber!))?.routing).toBeUndefined();
    expect(h.banks["009"].calls).toHaveLength(before);
  });
});

describe("graceful shutdown", () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness("gw_shutdown"); });
  afterAll(async () => { await h.close(); });

  it("finishes a request in flight, then refuses new connections and hands back its leases", async () => {
    const second = await h.startAnother({ shutdownGraceMs: 5_000 });
    const url = `http://127.0.0.1:${second.httpPort}`;
    // A transfer this instance holds but is not working on (its resolver took it, say): handed back
    // at close, its lease ended then, so the next instance need not wait it out.
    const held = crashedTransfer({
      referenceNumber: `HELD${Date.now()}`, clientReferenceNo: `HELD-${Date.now()}`, amount: "10000", sentAt: new Date(),
      leaseOwner: second.instanceId, leaseUntil: new Date(Date.now() + 60_000), nextCheckAt: new Date(Date.now() + 60_000),
    });
    expect(await (await createTransferStore(h.connection)).insert(held)).toBe("inserted");
    h.banks["014"].setMode("SUCCESS", 500);
    const calls = h.banks["014"].calls.length;
    const inFlight = post(url, body());
    await until("the bank got the call", () => h.banks["014"].calls.length > calls); // in flight, not merely sent off
    const closing = second.close();
    const { status, json } = await inFlight;
    expect([status, json.statusCode]).toEqual([200, "000"]);
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(await h.connection.db!.collection("transfers").countDocuments({ leaseOwner: second.instanceId })).toBe(0);
    const handedBack = await h.connection.db!.collection("transfers").findOne({ referenceNumber: held.referenceNumber });
    expect(handedBack?.leaseUntil).toBeInstanceOf(Date);
    expect((handedBack?.leaseUntil as Date).getTime()).toBeLessThanOrEqual(Date.now());
    h.banks["014"].setMode("SUCCESS"); // no delay left for the tests after this one
  });

  it("says 503 on /readyz and NOT_SERVING on gRPC health while it still serves for GATEWAY_SHUTDOWN_DELAY_MS, then closes the apps' ports, the operators' last", async () => {
    const leaving = await h.startAnother({ shutdownDelayMs: 8_000 }); // room for four calls on a busy machine
    const apps = `http://127.0.0.1:${leaving.httpPort}`;
    const ops = `http://127.0.0.1:${leaving.opsPort}`;
    const readyz = async (origin: string) => { const res = await fetch(`${origin}/readyz`); return [res.status, await res.json()] as const; };
    // grpc.health.v1 through Connect's JSON on the apps' port: what a load balancer probing gRPC health sees.
    const grpcHealth = async () => ((await (await fetch(`${apps}/grpc.health.v1.Health/Check`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as { status?: string }).status;
    expect(await readyz(apps)).toEqual([200, { status: "ready" }]);
    expect(await grpcHealth()).toBe("SERVING");
    const closing = leaving.close();
    expect(await readyz(apps)).toEqual([503, { status: "stopping" }]);
    expect(await readyz(ops)).toEqual([503, { status: "stopping" }]);
    expect(await grpcHealth()).toBe("NOT_SERVING");
    const { status, json } = await post(apps, body()); // a load balancer has not noticed yet: still served
    expect([status, json.statusCode]).toEqual([200, "000"]);
    await closing;
    await expect(fetch(`${apps}/readyz`)).rejects.toThrow();
    await expect(fetch(`${ops}/readyz`)).rejects.toThrow();
  });

  it("keeps the operators' port (503 \"stopping\", /metrics) up until the leases are handed back, after the apps' ports closed", async () => {
    const leaving = await h.startAnother();
    const apps = `http://127.0.0.1:${leaving.httpPort}`;
    const ops = `http://127.0.0.1:${leaving.opsPort}`;
    // The hand-back's search for held transfers waits until the checks are done, so the order can be seen.
    const Transfer = h.connection.models.Transfer!;
    const find = Transfer.find.bind(Transfer);
    let searching = false;
    let release = () => {};
    const checked = new Promise<void>((resolve) => { release = resolve; });
    Transfer.find = ((...args: Parameters<typeof find>) => {
      searching = true;
      const query = find(...args);
      const lean = query.lean.bind(query);
      return Object.assign(query, { lean: (...more: Parameters<typeof lean>) => checked.then(() => lean(...more)) });
    }) as unknown as typeof Transfer.find;
    try {
      const closing = leaving.close();
      await until("the hand-back has begun", () => searching);
      await expect(fetch(`${apps}/readyz`)).rejects.toThrow();
      const res = await fetch(`${ops}/readyz`);
      expect([res.status, await res.json()]).toEqual([503, { status: "stopping" }]);
      expect((await fetch(`${ops}/metrics`)).status).toBe(200);
      release();
      await closing;
    } finally {
      release();
      Transfer.find = find;
    }
    await expect(fetch(`${ops}/readyz`)).rejects.toThrow();
  });

  it("cuts requests that outlive the grace; their transfers keep the lease until it runs out (the bank call may still land)", async () => {
    // A deadline and lease far beyond the grace: only the shutdown may end the call, however slow the machine.
    const third = await h.startAnother({ shutdownGraceMs: 200, bankDeadlineMs: 10_000, leaseMs: 20_000 });
    h.banks["014"].setMode("hang");
    const payload = body();
    const calls = h.banks["014"].calls.length;
    const cut = post(`http://127.0.0.1:${third.httpPort}`, payload).catch((error: unknown) => error);
    await until("the bank got the call", () => h.banks["014"].calls.length > calls);
    await third.close();
    expect(String(await cut)).toMatch(/fetch failed/); // the connection was closed: no answer
    const doc = await h.connection.db!.collection("transfers").findOne({ clientReferenceNo: payload.clientReferenceNo });
    expect(doc).toMatchObject({ state: "SENDING", leaseOwner: third.instanceId });
    expect((doc?.leaseUntil as Date).getTime()).toBeGreaterThan(Date.now()); // no other instance re-sends it yet
    h.banks["014"].setMode("SUCCESS");
  });
});

describe("load shedding (GATEWAY_MAX_IN_FLIGHT)", () => {
  let h: Harness;
  // Long deadline: the refused request must arrive while the first two are still at the bank, on any machine.
  beforeAll(async () => { h = await startHarness("gw_shed", { maxInFlight: 2, bankDeadlineMs: 10_000, leaseMs: 15_000 }); });
  afterAll(async () => { await h.close(); });

  /** Two transfers held at a slow 014 through a gateway, then one more: its answer, and what it takes to check the rest. */
  const twoHeldThenOneMore = async (port: number) => {
    const url = `http://127.0.0.1:${port}`;
    h.banks["014"].setMode("SUCCESS", 6_000); // within the 10 s bank deadline of this harness's gateways
    const calls = h.banks["014"].calls.length;
    const held = [post(url, body()), post(url, body())];
    await until("both wait for the slow bank", () => h.banks["014"].calls.length >= calls + 2);
    const over = body();
    const overToken = appToken({ req: over });
    return { url, calls, held, over, overToken, refused: await post(url, over, LOCAL, overToken) };
  };

  it("refuses a request over the limit with 503, statusCode 901, nothing recorded and its token still usable", async () => {
    const { url, held, over, overToken, refused } = await twoHeldThenOneMore(h.gateway.httpPort);
    expect([refused.status, refused.json.statusCode, refused.json.data]).toEqual([503, "901", null]);
    expect(refused.json.message).toMatch(/limit of 2 requests in flight/);
    expect(await h.countTransfers({ clientReferenceNo: over.clientReferenceNo })).toBe(0);
    expect((await Promise.all(held)).map((a) => a.json.statusCode)).toEqual(["000", "000"]);
    h.banks["014"].setMode("SUCCESS");
    const retried = await post(url, over, LOCAL, overToken); // the same token: the refusal did not claim its jti
    expect([retried.status, retried.json.statusCode]).toEqual([200, "000"]);
  });

  it("one app cannot take every slot: past GATEWAY_MAX_IN_FLIGHT_PER_CLIENT it gets 901, another app is served", async () => {
    const gateway = await h.startAnother({ maxInFlight: 10, maxInFlightPerClient: 2, maxInFlightPerBank: 10 });
    const { url, held, over, overToken, refused } = await twoHeldThenOneMore(gateway.httpPort);
    expect([refused.status, refused.json.statusCode]).toEqual([503, "901"]);
    expect(refused.json.message).toMatch(/this app is at its limit of 2 requests in flight/);
    expect(await h.countTransfers({ clientReferenceNo: over.clientReferenceNo })).toBe(0);
    h.banks["800"].setMode("SUCCESS");
    const other = await post(url, body({ beneficiaryBankCode: "800", beneficiaryAccountNumber: "1370098765432" }), OTHER);
    expect([other.status, other.json.statusCode]).toEqual([200, "000"]);
    expect((await Promise.all(held)).map((a) => a.json.statusCode)).toEqual(["000", "000"]);
    h.banks["014"].setMode("SUCCESS");
    expect((await post(url, over, LOCAL, overToken)).json.statusCode).toBe("000"); // nothing recorded, token unused: the same request goes through now
  });

  it("a duplicate waiting for its first request holds no place at the bank: a new transfer to it still gets in", async () => {
    const gateway = await h.startAnother({ maxInFlight: 10, maxInFlightPerClient: 10, maxInFlightPerBank: 2, duplicateWaitMs: 9_000 });
    const url = `http://127.0.0.1:${gateway.httpPort}`;
    h.banks["014"].setMode("SUCCESS", 6_000);
    const calls = h.banks["014"].calls.length;
    const first = body();
    const held = post(url, first);
    await until("the first waits for the slow bank", () => h.banks["014"].calls.length >= calls + 1);
    const jti = randomUUID();
    const duplicate = post(url, first, LOCAL, appToken({ req: first, jti })); // waits for the first's answer, up to 9 s
    await until("the duplicate has taken its place and used its token", async () => await h.connection.db!.collection("used_jtis").countDocuments({ jti }) === 1);
    // Were the duplicate still holding the bank's second place, every try would be refused 901
    // until the first's answer, 6 s on. (A try in the moment between the duplicate's token and its
    // insert may be refused; the next one, 10 ms later, gets in and waits for the bank.)
    await until("a new transfer to the slow bank gets in", async () => (await post(url, body())).status !== 503, 3_000);
    const [answer, replayed] = await Promise.all([held, duplicate]);
    expect([answer.json.statusCode, replayed.json.statusCode, replayed.json.data?.referenceNumber]).toEqual(["000", "000", answer.json.data?.referenceNumber]);
    h.banks["014"].setMode("SUCCESS");
  });

  it("a slow bank cannot take every slot: past GATEWAY_MAX_IN_FLIGHT_PER_BANK its new transfers get 901, other banks are served", async () => {
    const gateway = await h.startAnother({ maxInFlight: 10, maxInFlightPerClient: 10, maxInFlightPerBank: 2 });
    const { url, calls, held, over, overToken, refused } = await twoHeldThenOneMore(gateway.httpPort);
    expect([refused.status, refused.json.statusCode]).toEqual([503, "901"]);
    // Not "nothing recorded": an earlier request with the same clientReferenceNo may still be inserting it.
    expect(refused.json.message).toMatch(/bank 014 is at its limit of 2 transfers in flight; this request recorded nothing, but an earlier one with this clientReferenceNo may still be on its way; try again with the same clientReferenceNo/);
    expect(await h.countTransfers({ clientReferenceNo: over.clientReferenceNo })).toBe(0);
    expect(h.banks["014"].calls).toHaveLength(calls + 2);
    h.banks["800"].setMode("SUCCESS");
    const elsewhere = await post(url, body({ beneficiaryBankCode: "800", beneficiaryAccountNumber: "1370098765432" }));
    expect([elsewhere.status, elsewhere.json.statusCode]).toEqual([200, "000"]);
    expect((await Promise.all(held)).map((a) => a.json.statusCode)).toEqual(["000", "000"]);
    h.banks["014"].setMode("SUCCESS");
    expect((await post(url, over, LOCAL, overToken)).json.statusCode).toBe("000"); // nothing recorded, token unused: the same request goes through now
  });
});
