import dns from "node:dns";
import { setMaxListeners } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sendBankRequest } from "./bank-http";

// A real HTTP server on 127.0.0.1 port 0 whose path chooses how it (mis)behaves.
describe("sendBankRequest", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      switch (req.url) {
        case "/json": res.writeHead(402, { "content-type": "application/json" }).end('{"ErrorCode":"ESB-82-019"}'); return;
        case "/html": res.writeHead(502).end("<html>bad gateway</html>"); return;
        case "/reset": req.socket.destroy(); return;
        case "/huge": res.writeHead(200, { "content-type": "application/json" }).end(`{"pad":"${"x".repeat(2 * 1024 * 1024)}"}`); return;
        case "/slow": setTimeout(() => res.end('{"late":true}'), 4500); return; // longer than the idle-socket timeout
        default: return; // /hang: never answers
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const send = (path: string, signal = AbortSignal.timeout(5000)) => sendBankRequest({ method: "POST", url: `${base}${path}`, headers: {}, body: "{}", signal });
  /** One signal that 256 held calls (and what they start) listen to: far more than Node's default of 10 listeners, on purpose. */
  const heldBy256 = () => {
    const hold = new AbortController();
    setMaxListeners(1_024, hold.signal);
    return hold;
  };

  it("returns any HTTP answer with its status and parsed JSON", async () => {
    expect(await send("/json")).toMatchObject({ kind: "answered", status: 402, body: { ErrorCode: "ESB-82-019" } });
    expect(await send("/html")).toMatchObject({ kind: "answered", status: 502, body: undefined, text: "<html>bad gateway</html>" });
  });

  it("does not read an answer over 1 MiB: no answer, and it may have been sent", async () => {
    expect(await send("/huge")).toMatchObject({ kind: "no-answer", sent: true, reason: "error", detail: expect.stringMatching(/answer over 1048576 bytes/) as string });
  });

  it("reports a reset connection as no answer that may have been sent", async () => {
    expect(await send("/reset")).toMatchObject({ kind: "no-answer", sent: true, reason: "reset" });
  });

  it("reports the budget running out as a timeout, and a cancel as cancelled", async () => {
    expect(await send("/hang", AbortSignal.timeout(200))).toMatchObject({ kind: "no-answer", sent: true, reason: "timeout" });
    const controller = new AbortController();
    const arrived = new Promise((resolve) => { server.once("request", resolve); });
    const pending = send("/hang", controller.signal);
    await arrived; // at the bank: whatever it does now, we will not know
    controller.abort("cancelled");
    expect(await pending).toMatchObject({ kind: "no-answer", sent: true, reason: "cancelled" });
  });

  it("reports a call cancelled before it had a connection as never sent", async () => {
    const controller = new AbortController();
    const pending = send("/hang", controller.signal);
    controller.abort("cancelled"); // node:http writes nothing before the socket is assigned (next tick)
    expect(await pending).toMatchObject({ kind: "no-answer", sent: false, reason: "cancelled" });
  });

  it("ends a call queued behind busy connections when its budget runs out, as never sent", async () => {
    // Every connection of the pool (maxSockets 256) held by a bank that does not answer; one more
    // call waits in the agent's queue. It must end with its budget, not when a connection frees up.
    const hold = heldBy256();
    const busy = Array.from({ length: 256 }, () => send("/hang", hold.signal));
    try {
      expect(await send("/hang", AbortSignal.timeout(300))).toMatchObject({ kind: "no-answer", sent: false, reason: "timeout" });
    } finally {
      hold.abort("cancelled");
      await Promise.all(busy);
    }
  });

  it("sends an access-token request on connections of its own: payments holding every connection do not delay it", async () => {
    const hold = heldBy256();
    const busy = Array.from({ length: 256 }, () => send("/hang", hold.signal));
    try {
      const token = sendBankRequest({ method: "POST", url: `${base}/json`, headers: {}, body: "{}", signal: AbortSignal.timeout(2000), pool: "token" });
      expect(await token).toMatchObject({ kind: "answered", status: 402 });
    } finally {
      hold.abort("cancelled");
      await Promise.all(busy);
    }
  });

  it("waits for a slow answer as long as the call's budget allows, whatever the idle-socket timeout", async () => {
    expect(await send("/slow", AbortSignal.timeout(10_000))).toMatchObject({ kind: "answered", status: 200, body: { late: true } });
  });

  it("reports a call whose budget was over before it started as never sent", async () => {
    expect(await send("/hang", AbortSignal.abort("cancelled"))).toMatchObject({ kind: "no-answer", sent: false, reason: "cancelled" });
  });

  describe("before a connection exists (the name lookup replaced: no query leaves this machine, and without the replacement 'localhost' is this server)", () => {
    const port = () => new URL(base).port;
    afterEach(() => { jest.restoreAllMocks(); });

    it("reports a bank host that does not resolve as never sent", async () => {
      const lookup = jest.spyOn(dns, "lookup").mockImplementation(((_host: string, _options: unknown, callback: (error: Error) => void) => {
        process.nextTick(callback, Object.assign(new Error("getaddrinfo ENOTFOUND localhost"), { code: "ENOTFOUND" }));
      }) as never);
      expect(await sendBankRequest({ method: "POST", url: `http://localhost:${port()}/json`, headers: {}, body: "{}", signal: AbortSignal.timeout(5000) }))
        .toMatchObject({ kind: "no-answer", sent: false, reason: "error", detail: expect.stringMatching(/ENOTFOUND.*never sent/) as string });
      expect(lookup).toHaveBeenCalled();
    });

    it("reports a budget that ran out while connecting (a stalled lookup, a host that drops the handshake) as never sent", async () => {
      const lookup = jest.spyOn(dns, "lookup").mockImplementation(() => undefined); // never answers
      expect(await sendBankRequest({ method: "POST", url: `http://localhost:${port()}/json`, headers: {}, body: "{}", signal: AbortSignal.timeout(200) }))
        .toMatchObject({ kind: "no-answer", sent: false, reason: "timeout" });
      expect(lookup).toHaveBeenCalled();
    });
  });

  it("reports a refused connection as not sent", async () => {
    // Port 9 (discard): nothing listens there, and no test can be handed it as a free port.
    expect(await sendBankRequest({ method: "POST", url: "http://127.0.0.1:9/x", headers: {}, body: "{}", signal: AbortSignal.timeout(5000) }))
      .toMatchObject({ kind: "no-answer", sent: false, reason: "refused" });
  });

  it("closes an idle keep-alive socket itself, before the bank's announced keep-alive timeout", async () => {
    // A socket the server closes just as we reuse it fails with ECONNRESET: for a payment that is
    // "may have been sent" (PENDING, then manual review if the bank has no record). Seen under
    // load: 4 of ~18,000 transfers, four sockets reset at once. So we must be the one to close.
    const bank = http.createServer((_req, res) => { res.end("{}"); });
    bank.keepAliveTimeout = 3000; // announced as "Keep-Alive: timeout=3"
    await new Promise<void>((resolve) => bank.listen(0, "127.0.0.1", resolve));
    // Same process, same event loop: the timers fire in order, so this cannot flake on a slow machine.
    const closed = new Promise<{ byUs: boolean }>((resolve) => {
      bank.once("connection", (socket) => {
        let finFromUs = false;
        socket.once("end", () => { finFromUs = true; });
        socket.once("close", () => { resolve({ byUs: finFromUs }); });
      });
    });
    try {
      const { port } = bank.address() as AddressInfo;
      const answer = await sendBankRequest({ method: "POST", url: `http://127.0.0.1:${port}/x`, headers: {}, body: "{}", signal: AbortSignal.timeout(5000) });
      expect(answer).toMatchObject({ kind: "answered", status: 200 });
      expect(await closed).toEqual({ byUs: true });
    } finally {
      bank.closeAllConnections();
      await new Promise((resolve) => bank.close(resolve));
    }
  });
});
