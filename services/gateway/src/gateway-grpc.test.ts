import http2 from "node:http2";
import { credentials, Metadata, status, type ClientReadableStream, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { PaymentGatewayService, TransferRequestSchema } from "@gerbang/gen/es/payment/v1/gateway_pb";
import { PaymentGatewayServiceClient, type TransferRequest, type TransferResponse } from "@gerbang/gen/ts-proto/payment/v1/gateway";
import { askReflection, healthClient } from "@gerbang/shared/src/bank/testing";
import { appToken, startHarness, until, type Harness } from "./gateway-harness";
import { MAX_HEALTH_WATCHERS_PER_SOURCE } from "./grpc-health";

let h: Harness;
let grpcClient: PaymentGatewayServiceClient;
beforeAll(async () => {
  h = await startHarness("gw_grpc");
  grpcClient = new PaymentGatewayServiceClient(`127.0.0.1:${h.gateway.grpcPort}`, credentials.createInsecure());
});
afterAll(async () => {
  grpcClient.close();
  await h.close();
});

let seq = 0;
const request = (over: Partial<TransferRequest> = {}): TransferRequest => ({
  clientReferenceNo: `GRPC-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", currency: "", remark: "", ...over,
});
const bearer = (token: string) => {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
};
const grpcTransfer = (req: TransferRequest, token = appToken({ req })) => new Promise<{ response?: TransferResponse; error?: ServiceError }>((resolve) => {
  grpcClient.transfer(req, bearer(token), (error, response) => { resolve(error === null ? { response } : { error }); });
});
const bankCalls = () => Object.values(h.banks).reduce((n, b) => n + b.calls.length, 0);
/** As REST's refusedWith: a refusal records nothing for the reference and calls no bank. */
const leftNoTrace = async (clientReferenceNo: string, callsBefore: number) => {
  expect(await h.countTransfers({ clientReferenceNo })).toBe(0);
  expect(bankCalls()).toBe(callsBefore);
};

describe("gRPC with the generated grpc-js client", () => {
  it("sends a transfer to 014: statusCode 000, bank 014, usage TRANSFER", async () => {
    const { response } = await grpcTransfer(request());
    expect(response).toMatchObject({ statusCode: "000", message: "Success transfer!", replayed: false, data: { status: "SUCCESS", bankCode: "014", usage: "TRANSFER" } });
  });

  it("sends 002 interbank through 009", async () => {
    const { response } = await grpcTransfer(request({ beneficiaryBankCode: "002", beneficiaryAccountNumber: "5550001112" }));
    expect(response?.data).toMatchObject({ bankCode: "009", usage: "TRANSFER_INTERBANK" });
  });

  it("refuses with gRPC codes and our statusCode in the trailers, leaving no trace", async () => {
    const calls = bankCalls();
    const noReq = request(); // a valid transfer: only the token (no req claim) is wrong
    const unauthenticated = await grpcTransfer(noReq, appToken());
    expect(unauthenticated.error?.code).toBe(status.UNAUTHENTICATED);
    expect(unauthenticated.error?.metadata.get("gerbang-status-code")).toEqual(["201"]);
    await leftNoTrace(noReq.clientReferenceNo, calls);
    const badAmount = request({ amount: "-1" });
    const invalid = await grpcTransfer(badAmount);
    expect([invalid.error?.code, invalid.error?.metadata.get("gerbang-status-code")[0]]).toEqual([status.INVALID_ARGUMENT, "101"]);
    await leftNoTrace(badAmount.clientReferenceNo, calls);
    const badBank = request({ beneficiaryBankCode: "998" });
    const unknownBank = await grpcTransfer(badBank);
    expect([unknownBank.error?.code, unknownBank.error?.metadata.get("gerbang-status-code")[0]]).toEqual([status.INVALID_ARGUMENT, "102"]);
    await leftNoTrace(badBank.clientReferenceNo, calls);
  });

  it("replays and refuses a conflicting reuse as ALREADY_EXISTS (statusCode 104)", async () => {
    const req = request();
    const first = await grpcTransfer(req);
    const calls = bankCalls();
    const again = await grpcTransfer(req);
    expect([again.response?.replayed, again.response?.data?.referenceNumber]).toEqual([true, first.response?.data?.referenceNumber]);
    const conflict = await grpcTransfer({ ...req, amount: "1" });
    expect([conflict.error?.code, conflict.error?.metadata.get("gerbang-status-code")[0]]).toEqual([status.ALREADY_EXISTS, "104"]);
    // The stored transfer stays the first one: one record, its amount, no second bank call for the replay or the conflict.
    expect(await h.countTransfers({ clientReferenceNo: req.clientReferenceNo })).toBe(1);
    expect(await h.connection.db!.collection("transfers").findOne({ clientReferenceNo: req.clientReferenceNo })).toMatchObject({ amount: "2475000", state: "SUCCESS" });
    expect(bankCalls()).toBe(calls);
  });

  it("looks a transfer up with GetTransfer", async () => {
    const { response } = await grpcTransfer(request());
    const ref = response?.data?.referenceNumber ?? "";
    const found = await new Promise<unknown>((resolve, reject) => {
      grpcClient.getTransfer({ referenceNumber: ref, clientReferenceNo: "" }, bearer(appToken()), (error, res) => { if (error === null) resolve(res); else reject(error); });
    });
    expect(found).toMatchObject({ statusCode: "000", data: { referenceNumber: ref } });
  });
});

describe("Connect protocol (and gRPC through connect-node's own transport)", () => {
  const connectClient = () => createClient(PaymentGatewayService, createConnectTransport({ baseUrl: h.baseUrl, httpVersion: "1.1" }));

  it("sends a transfer over Connect JSON on the HTTP/1.1 port", async () => {
    const req = request();
    const res = await connectClient().transfer(req, { headers: { authorization: `Bearer ${appToken({ req })}` } });
    expect([res.statusCode, res.data?.bankCode, res.data?.usage]).toEqual(["000", "014", "TRANSFER"]);
  });

  it("sends a transfer over Connect on the HTTP/2 port, and gRPC via createGrpcTransport", async () => {
    const viaH2 = createClient(PaymentGatewayService, createConnectTransport({ baseUrl: `http://127.0.0.1:${h.gateway.grpcPort}`, httpVersion: "2" }));
    const a = request();
    expect((await viaH2.transfer(a, { headers: { authorization: `Bearer ${appToken({ req: a })}` } })).statusCode).toBe("000");
    const viaGrpc = createClient(PaymentGatewayService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${h.gateway.grpcPort}` }));
    const b = request();
    expect((await viaGrpc.transfer(b, { headers: { authorization: `Bearer ${appToken({ req: b })}` } })).statusCode).toBe("000");
  });

  it("sends a transfer over gRPC-Web on the HTTP/1.1 port (a browser's transport); a refusal carries our statusCode in its trailers", async () => {
    const grpcWeb = createClient(PaymentGatewayService, createGrpcWebTransport({ baseUrl: h.baseUrl, httpVersion: "1.1" }));
    const req = request();
    const res = await grpcWeb.transfer(req, { headers: { authorization: `Bearer ${appToken({ req })}` } });
    expect([res.statusCode, res.replayed, res.data?.status, res.data?.bankCode]).toEqual(["000", false, "SUCCESS", "014"]);
    const calls = bankCalls();
    const conflict = await grpcWeb.transfer({ ...req, amount: "1" }, { headers: { authorization: `Bearer ${appToken({ req: { ...req, amount: "1" } })}` } }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConnectError);
    expect([(conflict as ConnectError).code, (conflict as ConnectError).metadata.get("gerbang-status-code")]).toEqual([Code.AlreadyExists, "104"]);
    expect(bankCalls()).toBe(calls);
    expect(await h.metrics()).toMatch(/gerbang_gateway_requests_total\{route="payment.v1.PaymentGatewayService\/Transfer",transport="grpc-web",statusCode="104"\} [1-9]/);
  });

  it("refuses over Connect with ConnectError codes: a forged token is UNAUTHENTICATED, a lookup of nothing NOT_FOUND", async () => {
    const req = request();
    const calls = bankCalls();
    const forged = connectClient().transfer(req, { headers: { authorization: `Bearer ${appToken({ req, key: "forged" })}` } });
    await expect(forged).rejects.toMatchObject({ code: Code.Unauthenticated });
    await leftNoTrace(req.clientReferenceNo, calls);
    const missing = connectClient().getTransfer({ referenceNumber: "GRBNOTHERE000000" }, { headers: { authorization: `Bearer ${appToken()}` } });
    await expect(missing).rejects.toBeInstanceOf(ConnectError);
    await expect(missing).rejects.toMatchObject({ code: Code.NotFound });
  });
});

const garbage = Buffer.from([0x0a, 0x03, 0xff, 0xfe, 0xfd]); // field 1 (clientReferenceNo), 3 bytes that are not UTF-8: undecodable
const frame = (message: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);

/** One gRPC or gRPC-Web call over h2c with a raw body: grpc-status and our statusCode, from trailers, headers or (gRPC-Web) the body. */
const h2Call = async (contentType: string, body: Buffer, authorization: string): Promise<[string | undefined, string | undefined]> => {
  const session = http2.connect(`http://127.0.0.1:${h.gateway.grpcPort}`);
  try {
    const stream = session.request({ ":method": "POST", ":path": "/payment.v1.PaymentGatewayService/Transfer", "content-type": contentType, te: "trailers", authorization });
    const headers = new Promise<http2.IncomingHttpHeaders>((resolve) => { stream.once("response", resolve); });
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => { stream.once("trailers", resolve); stream.once("end", () => { resolve({}); }); });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => { chunks.push(chunk); });
    stream.end(body);
    const all = { ...(await headers), ...(await trailers) };
    const inBody = Buffer.concat(chunks).toString("latin1"); // gRPC-Web: a last frame of "name:value" lines
    const field = (name: string) => (all[name] as string | undefined) ?? new RegExp(`${name}:\\s*(\\d+)`).exec(inBody)?.[1];
    return [field("grpc-status"), field("gerbang-status-code")];
  } finally {
    session.close();
  }
};

describe("requests Connect refuses while reading them, before any check of ours", () => {
  const refusalsLogged = (transport: string) => h.logs.filter((l) => l.includes('"msg":"request"') && l.includes(`"transport":"${transport}"`) && l.includes('"statusCode":"101"') && l.includes("refused while reading")).length;

  it("an undecodable protobuf body over gRPC: Connect's INTERNAL, but our statusCode 101, logged, and nothing recorded", async () => {
    const calls = bankCalls();
    const logged = refusalsLogged("grpc");
    expect(await h2Call("application/grpc", frame(garbage), `Bearer ${appToken()}`)).toEqual([String(status.INTERNAL), "101"]);
    expect(bankCalls()).toBe(calls);
    expect(refusalsLogged("grpc")).toBe(logged + 1);
  });

  it("an unknown field in the binary encoding (a client on a newer contract): INVALID_ARGUMENT 101, as JSON refuses an unknown name, and nothing recorded", async () => {
    const calls = bankCalls();
    const req = request();
    const known = Buffer.from(toBinary(TransferRequestSchema, create(TransferRequestSchema, req)));
    const withUnknown = Buffer.concat([known, Buffer.from([0xf8, 0x06, 0x01])]); // field 111, varint 1
    expect(await h2Call("application/grpc", frame(withUnknown), `Bearer ${appToken({ req })}`)).toEqual([String(status.INVALID_ARGUMENT), "101"]);
    await leftNoTrace(req.clientReferenceNo, calls);
    // The same body without it is a transfer: only the unknown field was refused.
    expect(await h2Call("application/grpc", frame(known), `Bearer ${appToken({ req })}`)).toEqual([String(status.OK), undefined]);
  });

  it("an unknown JSON field over Connect: 400 invalid_argument with statusCode 101 in a header, logged and counted", async () => {
    const res = await fetch(`${h.baseUrl}/payment.v1.PaymentGatewayService/Transfer`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken()}` }, body: JSON.stringify({ ...request(), amout: "5" }),
    });
    expect([res.status, res.headers.get("gerbang-status-code"), ((await res.json()) as { code: string }).code]).toEqual([400, "101", "invalid_argument"]);
    const metrics = await h.metrics();
    expect(metrics).toMatch(/gerbang_gateway_requests_total\{route="payment.v1.PaymentGatewayService\/Transfer",transport="connect",statusCode="101"\} [1-9]/);
  });
});

describe("a stranger's request: the token is checked before the body is read", () => {
  const forged = `Bearer ${appToken({ key: "forged" })}`;
  /** Connect Transfers refused 201 so far, from the operators' /metrics. */
  const refusalsCounted = async () => Number(/gerbang_gateway_requests_total\{route="payment.v1.PaymentGatewayService\/Transfer",transport="connect",statusCode="201"\} (\d+)/.exec(await h.metrics())?.[1] ?? "0");

  it.each([
    ["gRPC", "application/grpc"],
    ["gRPC-Web", "application/grpc-web+proto"],
  ])("%s: an undecodable body with a forged token is UNAUTHENTICATED 201, not 101", async (_name, type) => {
    expect(await h2Call(type, frame(garbage), forged)).toEqual([String(status.UNAUTHENTICATED), "201"]);
  });

  it.each([
    ["JSON with an unknown field", "application/json", JSON.stringify({ amout: "5" }), "identity"],
    ["protobuf that does not decode", "application/proto", garbage, "identity"],
    ["gzip that is not gzip", "application/json", "not gzip", "gzip"],
  ])("Connect, %s, with a forged token: 401 unauthenticated 201, logged and counted", async (_name, type, body, encoding) => {
    const headers = { "content-type": type, "content-encoding": encoding, authorization: forged };
    const counted = await refusalsCounted();
    const before = h.logs.length;
    const res = await fetch(`${h.baseUrl}/payment.v1.PaymentGatewayService/Transfer`, { method: "POST", headers, body });
    expect([res.status, res.headers.get("gerbang-status-code"), ((await res.json()) as { code: string }).code]).toEqual([401, "201", "unauthenticated"]);
    expect(await refusalsCounted()).toBe(counted + 1);
    expect(h.logs.slice(before).filter((l) => l.includes('"msg":"request"') && l.includes('"statusCode":"201"'))).toHaveLength(1);
  });

  it.each([
    ["a content type Connect does not serve", "POST", { "content-type": "text/plain" }, "hello", 415],
    ["a GET of Transfer, which takes none", "GET", {}, undefined, 405],
  ])("Connect, %s, with a forged token: Connect's own refusal, counted and logged as 201", async (_name, method, headers, body, httpStatus) => {
    const counted = await refusalsCounted();
    const before = h.logs.length;
    const res = await fetch(`${h.baseUrl}/payment.v1.PaymentGatewayService/Transfer`, { method, headers: { ...headers, authorization: forged }, body: body ?? null });
    await res.arrayBuffer();
    expect([res.status, res.headers.get("gerbang-status-code")]).toEqual([httpStatus, "201"]);
    const logged = h.logs.slice(before).filter((l) => l.includes('"msg":"request"') && l.includes('"statusCode":"201"') && l.includes("also refused while reading"));
    expect(logged).toHaveLength(1);
    expect(await refusalsCounted()).toBe(counted + 1);
  });

  it("health and reflection need no token: a call without one is served", async () => {
    const res = await fetch(`${h.baseUrl}/grpc.health.v1.Health/Check`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect([res.status, ((await res.json()) as { status: string }).status]).toEqual([200, "SERVING"]);
  });
});

describe("gRPC health checking and server reflection", () => {
  it("answers grpc.health.v1.Health/Check for the server and for the gateway service; unknown services are NOT_FOUND", async () => {
    const client = healthClient(`127.0.0.1:${h.gateway.grpcPort}`);
    const check = (service: string) => new Promise<{ status?: string; code?: number }>((resolve) => {
      client.check({ service }, (error, res) => { resolve(error === null ? { status: res.status } : { code: error.code }); });
    });
    expect(await check("")).toEqual({ status: "SERVING" });
    expect(await check("payment.v1.PaymentGatewayService")).toEqual({ status: "SERVING" });
    expect(await check("no.such.Service")).toEqual({ code: status.NOT_FOUND });
    client.close();
  });

  it("ends a Watch stream once the gateway stops, after telling it NOT_SERVING: closing does not wait for the watcher", async () => {
    const leaving = await h.startAnother({ shutdownDelayMs: 500, shutdownGraceMs: 15_000 });
    const client = healthClient(`127.0.0.1:${leaving.grpcPort}`);
    const statuses: string[] = [];
    const stream = client.watch({ service: "" });
    const ended = new Promise<string>((resolve) => {
      stream.on("data", (res: { status: string }) => { statuses.push(res.status); });
      stream.on("status", (s: StatusObject) => { resolve(s.code === status.OK ? "ended" : `ended with code ${s.code}`); });
      stream.on("error", () => undefined); // the status event above says how it ended
    });
    await until("the watcher is told SERVING", () => statuses.length > 0);
    const closing = leaving.close();
    // Before, it stayed open until the grace ran out and the session was destroyed under it.
    expect(await ended).toBe("ended");
    await closing;
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    client.close();
  });

  it(`refuses a Watch beyond ${MAX_HEALTH_WATCHERS_PER_SOURCE} open at once from one address with RESOURCE_EXHAUSTED (health needs no token); one closing frees a place`, async () => {
    const client = healthClient(`127.0.0.1:${h.gateway.grpcPort}`);
    /** Opens a Watch; resolves with its first status, or the code it ended with before one. */
    const open = () => {
      const stream = client.watch({ service: "" });
      const first = new Promise<string>((resolve) => {
        stream.once("data", (res: { status: string }) => { resolve(res.status); });
        stream.on("status", (s: StatusObject) => { resolve(`code ${s.code}`); });
        stream.on("error", () => undefined); // the status event above says how it ended
      });
      return { stream, first };
    };
    const watching = Array.from({ length: MAX_HEALTH_WATCHERS_PER_SOURCE }, open);
    try {
      expect(new Set(await Promise.all(watching.map((w) => w.first)))).toEqual(new Set(["SERVING"]));
      const refused = open();
      expect(await refused.first).toBe(`code ${status.RESOURCE_EXHAUSTED}`);
      watching[0]?.stream.cancel();
      // The gateway frees the place once it sees the cancel: a new watcher is served after it.
      await until("a new watcher is served", async () => {
        const next = open();
        const first = await next.first;
        next.stream.cancel();
        return first === "SERVING";
      });
    } finally {
      for (const w of watching) w.stream.cancel();
      client.close();
    }
  });

  it("behind a trusted proxy, a Watch counts against its caller's share (X-Forwarded-For); a garbled X-Forwarded-For names no caller and counts against the proxy's", async () => {
    const proxied = await h.startAnother({ trustedProxies: ["127.0.0.1"] });
    const client = healthClient(`127.0.0.1:${proxied.grpcPort}`);
    const streams: ClientReadableStream<{ status: string }>[] = [];
    /** Opens a Watch as forwarded for `caller`; resolves with its first status, or the code it ended with before one. */
    const open = (caller: string) => {
      const metadata = new Metadata();
      metadata.set("x-forwarded-for", caller);
      const stream = client.watch({ service: "" }, metadata);
      streams.push(stream);
      return new Promise<string>((resolve) => {
        stream.once("data", (res: { status: string }) => { resolve(res.status); });
        stream.on("status", (s: StatusObject) => { resolve(`code ${s.code}`); });
        stream.on("error", () => undefined); // the status event above says how it ended
      });
    };
    try {
      const garbled = await Promise.all(Array.from({ length: MAX_HEALTH_WATCHERS_PER_SOURCE }, () => open("not-an-ip")));
      expect(new Set(garbled)).toEqual(new Set(["SERVING"]));
      expect(await open("127.0.0.1")).toBe(`code ${status.RESOURCE_EXHAUSTED}`); // the proxy's own share is full
      expect(await open("still garbled")).toBe(`code ${status.RESOURCE_EXHAUSTED}`); // not a share of its own
      expect(await open("203.0.113.7")).toBe("SERVING"); // a caller behind the proxy has its own share
    } finally {
      for (const stream of streams) stream.cancel();
      client.close();
      await proxied.close();
    }
  });

  it.each(["v1", "v1alpha"] as const)("serves grpc.reflection.%s: lists services and hands out the gateway's descriptors", async (version) => {
    const answers = await askReflection(`127.0.0.1:${h.gateway.grpcPort}`, [
      { listServices: "" },
      { fileContainingSymbol: "payment.v1.PaymentGatewayService" },
      { fileContainingSymbol: "no.such.Thing" },
      // The mesh's internal contract is not described to apps (each bank service reflects its own).
      { fileContainingSymbol: "payment.v1.BankTransferService" },
    ], version);
    const services = (answers[0]?.listServicesResponse as { service: { name: string }[] }).service.map((s) => s.name);
    expect(services).toEqual(["payment.v1.PaymentGatewayService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);
    const files = (answers[1]?.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(["payment/v1/gateway.proto", "google/api/annotations.proto", "google/api/http.proto", "google/protobuf/descriptor.proto"]));
    expect(files[0]?.service[0]?.method.map((m) => m.name)).toEqual(["Transfer", "GetTransfer"]);
    expect(answers[2]?.errorResponse).toMatchObject({ errorCode: 5 });
    expect(answers[3]?.errorResponse).toMatchObject({ errorCode: 5 });
    expect(files.map((f) => f.name)).not.toContain("payment/v1/bank.proto");
  });
});
