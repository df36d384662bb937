import { COMMANDS_MS, runLedgerCommand } from "../test/ledger-command";
import { appToken, startHarness, type Harness } from "../services/gateway/src/gateway-harness";
import { settleByOperator } from "../services/gateway/src/operator-settle";
import { parseReconcileInstant } from "../services/gateway/src/reconcile";
import { createTransferStore } from "../services/gateway/src/transfer-store";

// `scripts/reconcile.ts` as a real process on a test database whose transfers went through a real
// gateway to fake bank services (each with its own deduplicating ledger and status inquiry).

let h: Harness;
let start: Date;
beforeAll(async () => {
  start = new Date(Date.now() - 1_000);
  h = await startHarness("reconcile");
});
afterAll(async () => { await h.close(); });

const reconcileCommand = (args: string[]) => runLedgerCommand("reconcile.ts", args, h.connection.name, { GATEWAY_BANK_DEADLINE_MS: "2000" });

let seq = 0;
async function send(): Promise<string> {
  const body = { clientReferenceNo: `REC-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681", beneficiaryAccountName: "KEN AROK", amount: String(5000 + seq) };
  const res = await fetch(`${h.baseUrl}/api/v1/transfers`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${appToken({ req: body })}` }, body: JSON.stringify(body),
  });
  return ((await res.json()) as { data: { referenceNumber: string } }).data.referenceNumber;
}

describe("scripts/reconcile.ts", () => {
  it("exits 0 when the ledger and the banks agree, 1 listing each mismatch, 2 on bad arguments", async () => {
    h.banks["014"].setMode("SUCCESS");
    await send();
    h.banks["014"].setMode("FAILED");
    const declined = await send();
    h.banks["014"].setMode("PENDING");
    const pending = await send();
    h.banks["014"].setMode("SUCCESS");
    const range = ["--from", start.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()];

    h.banks["014"].settle(pending, 1, "SUCCESS");
    await h.connection.db!.collection("transfers").updateOne({ referenceNumber: pending }, { $set: { nextCheckAt: new Date(0) } });
    await h.gateway.resolver.runOnce(); // the PENDING one is resolved: everything agrees
    const clean = await reconcileCommand(range);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.stdout).toMatch(/transfers 3, attempts asked 3, mismatches 0/);

    h.banks["014"].settle(declined, 1, "SUCCESS"); // the bank booked what our ledger says FAILED
    h.banks["014"].setMode("PENDING");
    const open = await send(); // and one is still not final
    const dirty = await reconcileCommand(range);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain(`MISMATCH ${declined}`);
    expect(dirty.stdout).toMatch(/ledger FAILED but the bank booked it/);
    expect(dirty.stdout).toMatch(new RegExp(`MISMATCH ${open} .*not final \\(PENDING\\)`));
    expect(dirty.stdout).toMatch(/transfers 4, attempts asked 4, mismatches 2/);

    expect((await reconcileCommand(["--from", "yesterday"])).code).toBe(2);
    const twice = await reconcileCommand(["--from", "2026-01-01", "--from", "2026-01-02", "--to", "2026-01-03"]);
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringMatching(/^--from given twice/) as string]);
    const reversed = await reconcileCommand(["--from", "2026-02-01T00:00:00Z", "--to", "2026-01-01T00:00:00Z"]);
    expect([reversed.code, reversed.stderr]).toEqual([2, expect.stringMatching(/--from must be before --to/) as string]);
  }, COMMANDS_MS);

  it("exits 2, not 1, when no bank service answers a single inquiry: nothing was compared", async () => {
    const from = new Date();
    h.banks["014"].setMode("SUCCESS");
    await send();
    const partners = h.connection.db!.collection("partners");
    const bca = await partners.findOne({ bankCode: "014" });
    await partners.updateOne({ bankCode: "014" }, { $set: { serviceUrl: "127.0.0.1:9" } }); // nothing listens there
    try {
      const down = await reconcileCommand(["--from", from.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()]);
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/no bank service answered any of the 1 inquiries, so nothing was compared/);
      expect(down.stdout).toMatch(/transfers 1, attempts asked 1, mismatches 1/);
    } finally {
      await partners.updateOne({ bankCode: "014" }, { $set: { serviceUrl: bca!.serviceUrl as string } });
    }
  }, COMMANDS_MS);

  it("asks the bank about attempts recorded 'not sent' too, and flags one the bank did book", async () => {
    h.banks["014"].setMode("not-sent");
    // Taken just before the send: the gateway runs in this process (same clock) and every earlier
    // transfer was created before an awaited answer, so [since, ...) holds only this one.
    const since = new Date();
    const refused = await send(); // FAILED 003: the bank service promised nothing was sent
    h.banks["014"].setMode("SUCCESS");
    h.banks["014"].settle(refused, 1, "SUCCESS"); // and yet the bank has it booked
    const report = await reconcileCommand(["--from", since.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(new RegExp(`MISMATCH ${refused} .*ledger FAILED but the bank booked it`));
    expect(report.stdout).toMatch(/transfers 1, attempts asked 1, mismatches 1/);
  }, COMMANDS_MS);
});

/** A settlement made while the bank services could not be asked: its last check with the bank saw nothing. */
const unasked = (ledger: Awaited<ReturnType<typeof createTransferStore>>) => ({ ledger, askBank: () => Promise.resolve([]) });

describe("reconcile and a person's settlement", () => {
  it("checks the bank reference a person typed for SUCCESS against the bank's booking", async () => {
    h.banks["014"].setMode("PENDING");
    const since = new Date();
    const [right, mistyped] = [await send(), await send()];
    h.banks["014"].setMode("SUCCESS");
    const ledger = await createTransferStore(h.connection);
    for (const [reference, typed] of [[right, `J-${right}-1`], [mistyped, "J-TYPO"]] as const) {
      h.banks["014"].settle(reference, 1, "SUCCESS");
      await ledger.transition((await ledger.findByReferenceNumber(reference))!, "MANUAL_REVIEW", { reviewReason: "unresolved past the horizon", lease: null }, new Date());
      await settleByOperator(unasked(ledger), { referenceNumber: reference, state: "SUCCESS", operator: "siti.ops", reason: "BCA desk: booked", bankReference: typed }, new Date());
    }
    const report = await reconcileCommand(["--from", since.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()]);
    expect(report.code).toBe(1);
    expect(report.stdout).not.toContain(right);
    expect(report.stdout).toMatch(new RegExp(`MISMATCH ${mistyped} .*ledger SUCCESS with bank reference "J-TYPO", but the bank's booking is "J-${mistyped}-1" \\(settled by siti\\.ops`));
    expect(report.stdout).toMatch(/transfers 2, attempts asked 2, mismatches 1/);
  }, COMMANDS_MS);

  it("says who settled a transfer, and why, beside what the bank says now", async () => {
    h.banks["014"].setMode("PENDING");
    const since = new Date();
    const reviewed = await send(); // the bank keeps it pending; the resolver gave up (put to review here)
    h.banks["014"].setMode("SUCCESS");
    const ledger = await createTransferStore(h.connection);
    const seen = (await ledger.findByReferenceNumber(reviewed))!;
    await ledger.transition(seen, "MANUAL_REVIEW", { reviewReason: "unresolved past the horizon", lease: null }, new Date());
    await settleByOperator(unasked(ledger), { referenceNumber: reviewed, state: "FAILED", operator: "siti.ops", reason: "BCA desk: rejected" }, new Date());
    const report = await reconcileCommand(["--from", since.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(new RegExp(`MISMATCH ${reviewed} .*ledger FAILED but the bank still has an attempt pending \\(settled by siti\\.ops at \\S+: BCA desk: rejected\\)`));
  }, COMMANDS_MS);
});

describe("reconcile and a transfer settled after its day was checked", () => {
  it("checks it again in the range where it changed: a FAILED settled today is compared with the bank today", async () => {
    h.banks["014"].setMode("PENDING");
    const reviewed = await send(); // created before the range below
    const since = new Date();
    const ledger = await createTransferStore(h.connection);
    await ledger.transition((await ledger.findByReferenceNumber(reviewed))!, "MANUAL_REVIEW", { reviewReason: "unresolved past the horizon", lease: null }, new Date());
    await settleByOperator(unasked(ledger), { referenceNumber: reviewed, state: "FAILED", operator: "siti.ops", reason: "BCA desk: no record" }, new Date());
    h.banks["014"].settle(reviewed, 1, "SUCCESS"); // and the bank did book it
    h.banks["014"].setMode("SUCCESS");
    const report = await reconcileCommand(["--from", since.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()]);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(new RegExp(`MISMATCH ${reviewed} .*ledger FAILED but the bank booked it`));
    expect(report.stdout).toMatch(/transfers 1, attempts asked 1, mismatches 1/);
  }, COMMANDS_MS);
});

describe("reconcile's time range", () => {
  it.each([
    ["2026-11-26T00:00:00+07:00", "2026-11-25T17:00:00.000Z"],
    ["2026-11-26T00:00Z", "2026-11-26T00:00:00.000Z"],
    ["2026-11-26T10:20:30.5-03:00", "2026-11-26T13:20:30.500Z"],
    ["2026-11-26", "2026-11-25T17:00:00.000Z"], // a bare date is the banks' day: Jakarta midnight
  ])("reads %s as %s", (text, iso) => {
    expect(parseReconcileInstant(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ["a time without Z or an offset (the host's zone would decide)", "2026-11-26T00:00:00"],
    ["a day that does not exist", "2025-02-30"],
    ["an hour that does not exist", "2026-11-26T24:00:00Z"],
    ["a number", "1"],
    ["another date format", "01/02/2025"],
    ["a word", "yesterday"],
  ])("refuses %s (%s)", (_label, text) => {
    expect(parseReconcileInstant(text)).toBeUndefined();
  });
});
