import type { Connection } from "@gerbang/shared";
import { connectTestDatabase } from "../test/database";
import { COMMANDS_MS, runLedgerCommand } from "../test/ledger-command";
import { crashedTransfer } from "../services/gateway/src/gateway-harness";
import { createTransferStore, resendOf, type TransferStore } from "../services/gateway/src/transfer-store";

// `scripts/show.ts` as a real process on a test database: what an operator reads before settling.

let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  connection = await connectTestDatabase("show_command");
  ledger = await createTransferStore(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const show = (args: string[]) => runLedgerCommand("show.ts", args, connection.name);

it("prints a transfer with every send of its attempts (exit 0), says when there is none (exit 1), refuses bad arguments (exit 2)", async () => {
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({ referenceNumber: `SHW${Date.now()}`, clientReferenceNo: `SHW-${Date.now()}`, amount: "42000", sentAt, leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt });
  expect(await ledger.insert(record)).toBe("inserted");
  const [attempt] = (await ledger.findByReferenceNumber(record.referenceNumber))!.attempts;
  const resentAt = new Date(sentAt.getTime() + 60_000);
  await ledger.amend((await ledger.findByReferenceNumber(record.referenceNumber))!, "gateway-a", { resend: resendOf(attempt!, resentAt) }, resentAt);
  await ledger.transition((await ledger.findByReferenceNumber(record.referenceNumber))!, "MANUAL_REVIEW", { reviewReason: "the bank has no record of it", lease: null }, new Date());

  const shown = await show([record.referenceNumber]);
  expect(shown.code).toBe(0);
  const printed = JSON.parse(shown.stdout) as Record<string, unknown>;
  expect(printed).toMatchObject({
    referenceNumber: record.referenceNumber, state: "MANUAL_REVIEW", reviewReason: "the bank has no record of it",
    attempts: [{ attempt: 1, sentAt: resentAt.toISOString(), resends: 1, earlierSends: [{ sentAt: sentAt.toISOString() }] }],
  });

  expect(await show(["GRBNOSUCHTRANSFER"])).toMatchObject({ code: 1, stdout: "", stderr: "no transfer GRBNOSUCHTRANSFER in the ledger\n" });
  for (const bad of [[], [" "], [record.referenceNumber, "extra"]]) {
    expect(await show(bad)).toMatchObject({ code: 2, stdout: "", stderr: "usage: npx tsx scripts/show.ts <referenceNumber, GRB...>\n" });
  }
}, COMMANDS_MS);

it("builds no index on the ledger it reads: that is the gateway's start-up's work, on a ledger perhaps large", async () => {
  const transfers = connection.collection("transfers");
  await transfers.dropIndex("updatedAt_1");
  expect(await show(["GRBNOSUCHTRANSFER"])).toMatchObject({ code: 1 });
  expect((await transfers.indexes()).map((index) => index.name)).not.toContain("updatedAt_1");
});

it("refuses a database that holds no ledger (exit 2) and leaves it untouched, as settle and reconcile do", async () => {
  const mistyped = `${connection.name}_typo`;
  const shown = await runLedgerCommand("show.ts", ["GRBANY"], mistyped);
  expect(shown).toMatchObject({ code: 2, stdout: "" });
  expect(shown.stderr).toMatch(new RegExp(`^no ledger at MONGODB_URI, database ${mistyped}: it has no transfers collection`));
  expect(await connection.getClient().db(mistyped).listCollections().toArray()).toEqual([]);
  const others = [
    await runLedgerCommand("settle.ts", ["--reference", "GRBANY", "--state", "FAILED", "--by", "ops@bank", "--reason", "the bank refused it"], mistyped),
    await runLedgerCommand("reconcile.ts", ["--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z"], mistyped),
  ];
  for (const other of others) expect(other).toMatchObject({ code: 2, stderr: expect.stringMatching(/^no ledger at /) as string });
  expect(await connection.getClient().db(mistyped).listCollections().toArray()).toEqual([]);
}, COMMANDS_MS);
