import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { repoRoot } from "@gerbang/shared";
import { startSystem } from "../scripts/system";
import { bankServiceSender, bniBooked, bniSandboxRequest, httpSender, partnerKey } from "./clients";
import type { Send } from "./load/drivers";
import { summarise } from "./load/stats";

/**
 * What idling costs a call on this machine: the same call, one at a time, with a pause of 0 to
 * 10 ms before each. Four callees: a fixed piece of CPU work in this process (no I/O: whether
 * the processor itself is slower right after a pause), a bare TCP echo in another process (the
 * kernel and one process waking), the BNI sandbox over HTTP (one Node server doing its work), and
 * the BNI bank service over gRPC with its sandbox behind it (two). A full-path transfer at concurrency 1 leaves the bank service and the sandbox idle
 * for the ~5 ms of its database writes, so its bank call costs what the paced rows show, not the
 * back-to-back row. Not part of `make bench`: `npx tsx bench/idle-gap.ts`.
 */
const GAPS_MS = [0, 1, 3, 5, 10];
const CALLS = 1_000;

if (process.argv[2] === "echo") {
  const server = net.createServer((socket) => { socket.setNoDelay(true); socket.pipe(socket); });
  server.listen(0, "127.0.0.1", () => { process.send?.((server.address() as net.AddressInfo).port); });
} else {
  void main();
}

async function main(): Promise<void> {
  const echo = await tcpEcho();
  const stateDir = path.join(repoRoot, ".state/idle-gap");
  rmSync(stateDir, { recursive: true, force: true });
  const system = await startSystem({ stateDir, fixedPorts: false, databaseName: "idle_gap", stdio: "ignore", commonEnv: { LOG_LEVEL: "warn" }, compiled: true });
  try {
    const bank = bankServiceSender(`127.0.0.1:${system.ports.bankBni}`, await partnerKey(system, "009"));
    const sandboxOrigin = `http://127.0.0.1:${system.ports.sandboxBni}`;
    const sandbox = httpSender(sandboxOrigin, "POST", await bniSandboxRequest(sandboxOrigin), bniBooked);
    const callees = [
      ["CPU work only, 2,000 SHA-256", cpuWork], ["TCP echo, 1 process", echo.send], ["sandbox over HTTP, 1 process", sandbox.send],
      ["bank service + sandbox, gRPC", bank.send],
    ] as const;
    for (const [name, send] of callees) {
      await paced(send, 0, 3 * CALLS); // warm-up
      for (const gap of GAPS_MS) console.log(`${name}: pause ${gap} ms before each call: ${await paced(send, gap, CALLS)}`);
    }
    bank.close();
    sandbox.close();
  } finally {
    echo.close();
    await system.stop();
  }
}

/** p50 and p90 of `calls` calls made one at a time, each after a pause of `gapMs`. */
async function paced(send: Send, gapMs: number, calls: number): Promise<string> {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const started = process.hrtime.bigint();
    const outcome = await send();
    if (outcome !== true) throw new Error(`call failed: ${JSON.stringify(outcome)}`);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const { p50, p90 } = summarise(latencies, 0, 1);
  return `p50 ${p50.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms`;
}

/** The same piece of hashing every time (about 1.3 ms here), and nothing else. */
const cpuWork: Send = () => {
  let digest = Buffer.alloc(32);
  for (let i = 0; i < 2_000; i++) digest = createHash("sha256").update(digest).digest();
  return Promise.resolve(digest.length === 32 ? true : "no digest");
};

/** A TCP echo in a child process, and a sender of one 64-byte message that waits for its echo. */
async function tcpEcho(): Promise<{ send: Send; close: () => void }> {
  const child = fork(process.argv[1] ?? "", ["echo"], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => { child.once("message", (m) => { resolve(Number(m)); }); });
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once("connect", resolve));
  const message = Buffer.alloc(64, 1);
  const send: Send = () => new Promise((resolve) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received < message.length) return;
      socket.off("data", onData);
      resolve(true);
    };
    socket.on("data", onData);
    socket.write(message);
  });
  return { send, close: () => { socket.destroy(); child.kill(); } };
}
