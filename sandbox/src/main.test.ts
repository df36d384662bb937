import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, jakartaDate, repoRoot } from "@gerbang/shared";
import { fetchJson, pick } from "./testing/http";
import { mandiriClient } from "./testing/mandiri-client";

/** main.ts as a real process: listens on PORT, logs one line per request, exits cleanly on SIGTERM. */
const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
const main = path.join(repoRoot, "sandbox/src/main.ts");
const children: ChildProcess[] = [];

function run(args: string[], env: Record<string, string>) {
  const child = spawn(tsx, [main, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  const collect = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", resolve);
  });
  return { child, exited, output: () => output };
}

async function waitForHealth(url: string): Promise<unknown> {
  for (let i = 0; i < 200; i += 1) {
    try {
      const res = await fetch(`${url}/_sandbox/health`);
      return await res.json();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("sandbox did not come up within 20 s");
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("sandbox main.ts", () => {
  it("serves the chosen bank on PORT, logs requests without secrets, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const proc = run(["bni"], { PORT: String(port), LOG_LEVEL: "info", SANDBOX_TOKEN_TTL_SECONDS: "60" });
    expect(await waitForHealth(`http://127.0.0.1:${port}`)).toEqual({ bank: "bni", ok: true });
    const token = await fetch(`http://127.0.0.1:${port}/api/oauth/token`, {
      method: "POST", headers: { Authorization: `Basic ${Buffer.from("gerbang-bni:bni-local-client-secret").toString("base64")}` }, body: "grant_type=client_credentials",
    });
    const body = (await token.json()) as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(60);
    await fetch(`http://127.0.0.1:${port}/p2pl/payment/transfer?access_token=${body.access_token}`, { method: "POST" });
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const lines = proc.output().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === "request").map((l) => [l.method, l.path, l.status])).toEqual([
      ["GET", "/_sandbox/health", 200], ["POST", "/api/oauth/token", 200], ["POST", "/p2pl/payment/transfer", 401],
    ]);
    expect(proc.output()).not.toContain(body.access_token);
    expect(proc.output()).not.toContain("bni-local-client-secret");
  });

  it("with SANDBOX_JOURNAL_FILE, remembers its bookings across a restart (make run)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sandbox-main-"));
    try {
      const env = { SANDBOX_JOURNAL_FILE: path.join(dir, "mandiri.jsonl") };
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const today = jakartaDate(Date.now()); // Jakarta's business day
      const payment = { transactionID: "PERSIST000000001", transactionDate: today, referenceID: "GB-9", sourceAccountNumber: "1370000000003",
        beneficiaryAccountNumber: "1370098765431", beneficiaryBankCode: "800", amount: "2475000", currency: "IDR", remark1: "Gaji" };
      const inquiry = { transactionID: payment.transactionID, transactionDate: payment.transactionDate };
      const first = run(["mandiri"], { ...env, PORT: String(port) });
      await waitForHealth(url);
      const booked = await mandiriClient(url).call("doPayment", payment);
      expect(booked.body).toMatchObject({ Response: { responseCode: "00" } });
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);

      const second = run(["mandiri"], { ...env, PORT: String(port) });
      await waitForHealth(url);
      const mandiri = mandiriClient(url);
      expect((await mandiri.call("inquiryStatus", inquiry)).body).toMatchObject({ Response: { transactionStatus: "SUCCESS", journalNo: pick(booked.body, "Response.journalNo") } });
      // The same transactionID again is still a duplicate, not a second booking.
      expect(pick((await mandiri.call("doPayment", payment)).body, "Response.responseCode")).not.toBe("00");
      expect((await fetchJson(`${url}/_sandbox/ledger`)).body).toMatchObject({ entries: [{ requestId: "PERSIST000000001", amount: "2475000" }] });
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses an unknown bank with exit code 2 and a usage line", async () => {
    const proc = run(["bri"], {});
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain("usage");
  });

  it("refuses an invalid PORT with exit code 1", async () => {
    const proc = run(["bca"], { PORT: "not-a-port" });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain("port");
  });
});
