import { status } from "@grpc/grpc-js";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { BankTransferStatus, TransferUsage } from "@gerbang/gen/ts-proto/payment/v1/bank";
import { createLogger } from "../logger";
import type { BankAdapter, BankAnswer } from "./bank-adapter";
import type { BankRegistry } from "./bank-registry";
import { createBankServer, type BankServer } from "./bank-server";
import { askReflection, BANK_ROUTES, healthClient, createBankCaller, jakartaToday, testPartner } from "./testing";

// The shared bank-service skeleton on a real gRPC server (port 0) with an in-memory adapter that
// stands in for the bank: graceful stop and the test-only failpoint.

const partner = testPartner("bni", 0);
const registry: BankRegistry = { partner, routes: BANK_ROUTES.bni };
const request = (referenceNumber: string) => ({
  referenceNumber, attempt: 1, transactionDate: jakartaToday(), usage: TransferUsage.TRANSFER_USAGE_TRANSFER, sourceAccountNumber: "0115476117",
  sourceAccountName: "IKIPPOB", beneficiaryBankCode: "009", beneficiaryBankName: "BNI", beneficiaryAccountNumber: "0115476119",
  beneficiaryAccountName: "ERRY JULIO", amount: "1000", currency: "IDR", remark: "",
});

function start(adapterDelayMs: number, options: { failpoint?: "after-bank-answer"; kill?: () => void; requestIdFails?: boolean; requestIdHangs?: boolean; statusThrows?: boolean; timeoutMs?: number } = {}) {
  const events: string[] = [];
  let arrive: () => void = () => undefined;
  /** Resolves when the bank is called: the call reached the server and is in flight. */
  const arrived = new Promise<void>((resolve) => { arrive = resolve; });
  const adapter: BankAdapter = {
    bank: "bni", bankCode: "009", usages: ["TRANSFER"],
    requestId: ({ referenceNumber, attempt }) => {
      if (options.requestIdHangs === true) return new Promise<string>(() => undefined); // a stalled database
      return options.requestIdFails === true ? Promise.reject(new Error("database unreachable")) : Promise.resolve(`${referenceNumber}-${attempt}`);
    },
    transfer: async (): Promise<BankAnswer> => {
      arrive();
      await new Promise((resolve) => setTimeout(resolve, adapterDelayMs));
      events.push("bank answered");
      return { status: "SUCCESS", bankCode: "0001", bankMessage: "ok", bankReference: "J1" };
    },
    status: () => (options.statusThrows === true
      ? Promise.reject(new TypeError("bug in the adapter"))
      : Promise.resolve({ status: "NOT_FOUND", bankCode: "0404", bankMessage: "not found", bankReference: "" })),
  };
  const server = createBankServer({
    adapter, registry: { current: () => registry, asOf: () => new Date(), refresh: () => Promise.resolve(registry), close: () => undefined },
    hosts: { hostBNI: "http://127.0.0.1:9" }, timeoutMs: options.timeoutMs ?? 5_000, deadlineMarginMs: 100, logger: createLogger("bank-server-test", "silent"),
    ...(options.failpoint === undefined ? {} : { failpoint: options.failpoint }),
    kill: options.kill ?? (() => { events.push("killed"); }),
  });
  return { server, events, arrived };
}

describe("bank service skeleton: graceful stop", () => {
  let server: BankServer;
  afterEach(async () => { await server.stop(100); });

  it("finishes a call in flight, then takes no more calls", async () => {
    const started = start(300);
    server = started.server;
    const port = await server.listen("127.0.0.1", 0);
    const caller = createBankCaller(port, partner.keyToken, "009");
    const inFlight = caller.transfer(request("STOP1"));
    // Not a sleep: the first call on a cold channel may take long to arrive. Once it has, stop()
    // runs in the same tick, well before the adapter's 300 ms timer can fire.
    await started.arrived;
    const stopping = server.stop(5_000);
    expect(await inFlight).toMatchObject({ ok: true, response: { status: BankTransferStatus.BANK_TRANSFER_STATUS_SUCCESS } });
    await stopping;
    expect(await caller.transfer(request("STOP2"), { deadlineMs: 1_000 })).toMatchObject({ ok: false, code: status.UNAVAILABLE });
    caller.close();
  });
});

describe("bank service skeleton: BANK_FAILPOINT", () => {
  let server: BankServer;
  afterEach(async () => { await server.stop(100); });

  it("after-bank-answer kills once the bank answered, before the reply", async () => {
    const started = start(0, { failpoint: "after-bank-answer" });
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    await caller.transfer(request("FP1"));
    expect(started.events).toEqual(["bank answered", "killed"]);
    caller.close();
  });

  it("is off unless configured", async () => {
    const started = start(0);
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    expect(await caller.transfer(request("FP2"))).toMatchObject({ ok: true });
    expect(started.events).toEqual(["bank answered"]);
    caller.close();
  });
});

describe("bank service skeleton: the bank-side request id", () => {
  let server: BankServer;
  afterEach(async () => { await server.stop(100); });

  it("is fixed before the bank is called: when that fails, UNAVAILABLE 'not sent' and the bank is never called", async () => {
    const started = start(0, { requestIdFails: true });
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    const answer = await caller.transfer(request("RID1"));
    expect(answer).toMatchObject({ ok: false, code: status.UNAVAILABLE });
    if (!answer.ok) expect(answer.details).toMatch(/not sent: could not fix the bank-side request id/);
    expect(started.events).toEqual([]);
    caller.close();
  });

  it("must be fixed within the call's budget: a stalled allocation is UNAVAILABLE 'not sent', in time, and the bank never called", async () => {
    const started = start(0, { requestIdHangs: true, timeoutMs: 300 });
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    // The caller waits up to 20 s; the service's budget is 300 ms, and it must answer when that ends.
    const answer = await caller.transfer(request("RID4"), { deadlineMs: 20_000 });
    expect(answer).toMatchObject({ ok: false, code: status.UNAVAILABLE });
    if (!answer.ok) expect(answer.details).toMatch(/not sent: could not fix the bank-side request id/);
    expect(started.events).toEqual([]);
    caller.close();
  });

  it("is the adapter's, in the answer", async () => {
    const started = start(0);
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    expect(await caller.transfer(request("RID2"))).toMatchObject({ ok: true, response: { bankRequestId: "RID2-1" } });
    caller.close();
  });

  it("answers an inquiry that failed inside the service UNKNOWN, not PENDING (which would say the bank knows the attempt)", async () => {
    const started = start(0, { statusThrows: true });
    server = started.server;
    const caller = createBankCaller(await server.listen("127.0.0.1", 0), partner.keyToken, "009");
    const r = request("RID3");
    const inquiry = { referenceNumber: r.referenceNumber, attempt: 1, usage: r.usage, transactionDate: r.transactionDate, amount: r.amount, sourceAccountNumber: r.sourceAccountNumber, beneficiaryAccountNumber: r.beneficiaryAccountNumber };
    expect(await caller.status(inquiry)).toMatchObject({ ok: true, response: { status: BankTransferStatus.BANK_TRANSFER_STATUS_UNKNOWN } });
    caller.close();
  });
});

describe("bank service skeleton: health and reflection (no token)", () => {
  let server: BankServer;
  let port: number;
  beforeEach(async () => { server = start(0).server; port = await server.listen("127.0.0.1", 0); });
  afterEach(async () => { await server.stop(100); });

  it("answers Health/Check SERVING for the server and the bank contract, NOT_FOUND for another service; a watcher is told NOT_SERVING on stop", async () => {
    const client = healthClient(`127.0.0.1:${port}`);
    const check = (service: string) => new Promise<{ status?: string; code?: number }>((resolve) => {
      client.check({ service }, (error, res) => { resolve(error === null ? { status: res.status } : { code: error.code }); });
    });
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("payment.v1.BankTransferService")).toEqual({ status: "SERVING" });
    expect(await check("payment.v1.PaymentGatewayService")).toEqual({ code: status.NOT_FOUND });
    const statuses: string[] = [];
    const watch = client.watch({ service: "payment.v1.BankTransferService" });
    watch.on("data", (res: { status: string }) => { statuses.push(res.status); });
    watch.on("error", () => undefined); // ended by the stop below
    const told = (n: number) => new Promise<void>((resolve) => { const poll = () => { if (statuses.length >= n) resolve(); else setTimeout(poll, 10); }; poll(); });
    await told(1);
    const stopping = server.stop(300); // the open watch holds the stop until its grace ends
    await told(2);
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    await stopping;
    client.close();
  });

  it("serves reflection of the bank contract: BankTransferService in payment.v1, with its methods", async () => {
    const answers = await askReflection(`127.0.0.1:${port}`, [{ listServices: "" }, { fileContainingSymbol: "payment.v1.BankTransferService" }]);
    const services = (answers[0]?.listServicesResponse as { service: { name: string }[] }).service.map((s) => s.name);
    expect(services).toContain("payment.v1.BankTransferService");
    const files = (answers[1]?.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const contract = files.find((f) => f.service.some((svc) => svc.name === "BankTransferService"));
    expect(contract?.package).toBe("payment.v1"); // @grpc/reflection names its files by package, not by .proto path
    expect(contract?.service[0]?.method.map((m) => m.name)).toEqual(expect.arrayContaining(["Transfer", "GetTransferStatus"]));
  });
});
