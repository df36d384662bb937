import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { appToken, MODAL, startHarness, until, type Harness } from "./gateway-harness";
import { MAX_STREAMS_PER_CONNECTION } from "./server";

/**
 * Clients that start a request and never finish it: the token and IP are checked before the body
 * is read, but an app's request is read whole before the in-flight limit and every other check,
 * so each such request must be cut off, and one connection or address must not hold an unbounded
 * number of them.
 */

interface Unfinished {
  path?: string;
  /** Default: a valid token of the local app (a stranger's body is never read: refused 201 at once). */
  authorization?: string;
  contentLength?: number;
  forwardedFor?: string;
}

/** A request whose body never finishes arriving, from 127.0.0.1; destroy the socket to end it. */
function partialRequest(port: number, o: Unfinished = {}): net.Socket {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => { /* destroyed by the test */ });
  const authorization = o.authorization ?? `Bearer ${appToken()}`;
  socket.write([
    `POST ${o.path ?? "/payment.v1.PaymentGatewayService/Transfer"} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json",
    `Authorization: ${authorization}`, ...(o.forwardedFor === undefined ? [] : [`X-Forwarded-For: ${o.forwardedFor}`]),
    `Content-Length: ${o.contentLength ?? 200}`, "", '{"clientReferenceNo":',
  ].join("\r\n"));
  return socket;
}

/** What the gateway wrote back on an unfinished request's connection, once it closed it. */
async function answerUntilClosed(port: number, o: Unfinished): Promise<string> {
  const socket = partialRequest(port, o);
  let received = "";
  socket.on("data", (chunk: Buffer) => { received += chunk.toString(); });
  await new Promise<void>((resolve) => { socket.on("close", () => { resolve(); }); });
  return received;
}

/** POST {} to the REST path from a loopback source address of our choice: its status and statusCode. */
function postFrom(port: number, localAddress: string, headers: Record<string, string> = {}): Promise<[number, string]> {
  return new Promise<[number, string]>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, localAddress, method: "POST", path: "/api/v1/transfers", headers: { "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => { text += chunk.toString(); });
      res.on("end", () => { resolve([res.statusCode ?? 0, (JSON.parse(text) as { statusCode: string }).statusCode]); });
    });
    req.on("error", reject);
    req.end("{}");
  });
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness("slow-clients", { requestReadTimeoutMs: 500 });
});
afterAll(async () => {
  await h.close();
});

describe("a request that never finishes arriving", () => {
  it("HTTP/1.1: answered 408 and the connection closed; nothing recorded", async () => {
    const received = await answerUntilClosed(h.gateway.httpPort, { path: "/api/v1/transfers" });
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(await h.countTransfers()).toBe(0);
    // The client's doing, not ours: a refusal (101) in the log, never an internal error (999).
    await until("the refusal is logged", () => h.logs.some((l) => l.includes('"transport":"rest"') && l.includes('"statusCode":"101"')));
    expect(h.logs.filter((l) => l.includes('"statusCode":"999"') || l.includes('"level":50'))).toEqual([]);
  });

  it.each([
    ["REST", "/api/v1/transfers"],
    ["Connect", "/payment.v1.PaymentGatewayService/Transfer"],
  ])("HTTP/1.1, %s: a stranger's unfinished request (more than 1 KiB still to come) is answered 401 at once and its connection closed, the rest never read", async (_name, path) => {
    const received = await answerUntilClosed(h.gateway.httpPort, { path, authorization: "Bearer not-a-token", contentLength: 16_000 });
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).not.toMatch(/408/); // before: node:http read on, uncounted, until the read timeout, then answered 408 as well
  });

  it("HTTP/2: the stream is cancelled; nothing recorded", async () => {
    const session = http2.connect(`http://127.0.0.1:${h.gateway.grpcPort}`);
    try {
      const stream = session.request({
        ":method": "POST", ":path": "/payment.v1.PaymentGatewayService/Transfer", "content-type": "application/grpc", te: "trailers",
        authorization: `Bearer ${appToken()}`,
      });
      stream.on("error", () => { /* the cancellation also surfaces as an error; its code is checked below */ });
      stream.resume();
      // A gRPC frame header promising 50 bytes of message, and then nothing.
      stream.write(Buffer.from([0, 0, 0, 0, 50]));
      await new Promise<void>((resolve) => { stream.on("close", () => { resolve(); }); });
      expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
      expect(await h.countTransfers()).toBe(0);
    } finally {
      session.destroy();
    }
  });

  it(`HTTP/2: a connection may have at most ${MAX_STREAMS_PER_CONNECTION} streams open`, async () => {
    const session = http2.connect(`http://127.0.0.1:${h.gateway.grpcPort}`);
    try {
      const settings = await new Promise<http2.Settings>((resolve) => { session.once("remoteSettings", resolve); });
      expect(settings.maxConcurrentStreams).toBe(MAX_STREAMS_PER_CONNECTION);
    } finally {
      session.destroy();
    }
  });

  it("past GATEWAY_MAX_REQUESTS_READING of them, a new request is refused at once (HTTP/1.1 503 901, HTTP/2 REFUSED_STREAM), and served again once they are gone", async () => {
    const gateway = await h.startAnother({ maxRequestsReading: 2, requestReadTimeoutMs: 10_000 });
    const held = [partialRequest(gateway.httpPort), partialRequest(gateway.httpPort)];
    const healthz = `http://127.0.0.1:${gateway.httpPort}/healthz`;
    try {
      await until("both unfinished requests are being read", async () => (await fetch(healthz)).status === 503);
      const refused = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/v1/transfers`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect([refused.status, ((await refused.json()) as { statusCode: string }).statusCode]).toEqual([503, "901"]);
      const session = http2.connect(`http://127.0.0.1:${gateway.grpcPort}`);
      try {
        const stream = session.request({ ":method": "POST", ":path": "/payment.v1.PaymentGatewayService/Transfer", "content-type": "application/grpc", te: "trailers" });
        stream.on("error", () => { /* the refusal also surfaces as an error; its code is checked below */ });
        stream.resume();
        await new Promise<void>((resolve) => { stream.on("close", () => { resolve(); }); });
        expect(stream.rstCode).toBe(http2.constants.NGHTTP2_REFUSED_STREAM);
      } finally {
        session.destroy();
      }
    } finally {
      for (const socket of held) socket.destroy();
    }
    await until("served again", async () => (await fetch(healthz)).status === 200);
    expect(await h.countTransfers()).toBe(0);
    // Refused streams never reached Connect; the unfinished requests whose clients left are refusals, not failures.
    expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
  });

  it("one address holds at most GATEWAY_MAX_REQUESTS_READING_PER_ADDRESS of them: its next is refused, another address is served", async () => {
    const gateway = await h.startAnother({ maxRequestsReading: 10, maxRequestsReadingPerAddress: 2, requestReadTimeoutMs: 10_000 });
    const from = (address: string) => postFrom(gateway.httpPort, address);
    const held = [partialRequest(gateway.httpPort), partialRequest(gateway.httpPort)];
    try {
      await until("both unfinished requests from 127.0.0.1 are being read", async () => (await from("127.0.0.1"))[1] === "901");
      expect(await from("127.0.0.1")).toEqual([503, "901"]);
      expect(await from("127.0.0.2")).toEqual([401, "201"]); // read and checked: refused for its missing token, not for load
    } finally {
      for (const socket of held) socket.destroy();
    }
    await until("127.0.0.1 is served again", async () => (await from("127.0.0.1"))[1] === "201");
  });

  it("behind a trusted proxy, the share is the caller's (X-Forwarded-For), not the proxy's", async () => {
    const gateway = await h.startAnother({ maxRequestsReading: 10, maxRequestsReadingPerAddress: 2, requestReadTimeoutMs: 10_000, trustedProxies: ["127.0.0.1"] });
    const via = (caller: string) => postFrom(gateway.httpPort, "127.0.0.1", { "x-forwarded-for": caller });
    const modal = { forwardedFor: MODAL.allowedIps[0]!, authorization: `Bearer ${appToken({ client: MODAL })}` }; // an app the proxy forwards, from its allowed IP
    const held = [partialRequest(gateway.httpPort, modal), partialRequest(gateway.httpPort, modal)];
    try {
      await until("that app's two are being read", async () => (await via(modal.forwardedFor))[1] === "901");
      expect(await via("203.0.113.6")).toEqual([401, "201"]); // another caller behind the same proxy is served
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
