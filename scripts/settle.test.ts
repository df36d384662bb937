import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Connection } from "mongoose";
import { repoRoot } from "@gerbang/shared";
import { connectTestDatabase, testDatabaseUri } from "../test/database";
import { COMMANDS_MS, runLedgerCommand } from "../test/ledger-command";
import { crashedTransfer } from "../services/gateway/src/gateway-harness";
import { createTransferStore, type TransferStore } from "../services/gateway/src/transfer-store";

// `scripts/settle.ts` as a real process on a test database: what an operator types, what it prints,
// its exit codes; the rules themselves are tested in services/gateway/src/operator-settle.test.ts.

let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  connection = await connectTestDatabase("settle_command");
  ledger = await createTransferStore(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const settleCommand = (args: string[]) => runLedgerCommand("settle.ts", args, connection.name);

it("settles a transfer in MANUAL_REVIEW once, refuses it after (exit 1), and refuses bad arguments (exit 2)", async () => {
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({ referenceNumber: `SET${Date.now()}`, clientReferenceNo: `SET-${Date.now()}`, amount: "42000", sentAt, leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt });
  expect(await ledger.insert(record)).toBe("inserted");
  await ledger.transition((await ledger.findByReferenceNumber(record.referenceNumber))!, "MANUAL_REVIEW", { reviewReason: "unresolved" }, new Date());
  const decision = ["--reference", record.referenceNumber, "--state", "FAILED", "--by", "siti.ops", "--reason", "BCA statement: no debit"];

  const settled = await settleCommand(decision);
  expect(settled).toMatchObject({ code: 0, stdout: `settled ${record.referenceNumber} (client 3, ${record.clientReferenceNo}, 42000 to 014/0201245681) as FAILED, by siti.ops: BCA statement: no debit\n` });
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toMatchObject({ state: "FAILED", settledBy: { operator: "siti.ops" } });

  // Run again as it was (after an exit 3, say): it stands, and the command says when it was recorded.
  const rerun = await settleCommand(decision);
  expect(rerun.code).toBe(0);
  expect(rerun.stdout).toMatch(new RegExp(`^already settled at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: ${record.referenceNumber} .* as FAILED, by siti.ops: BCA statement: no debit\n$`));

  const again = await settleCommand([...decision.slice(0, 3), "SUCCESS", ...decision.slice(4), "--bank-reference", "PPU-1"]);
  expect(again).toMatchObject({ code: 1, stderr: `refused, nothing changed: transfer ${record.referenceNumber} is FAILED, not MANUAL_REVIEW: final states never change\n` });

  const bad = await settleCommand(["--reference", record.referenceNumber, "--state", "FAILED"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^missing --by, --reason\nusage: npx tsx scripts\/settle.ts/);
  const blank = await settleCommand([...decision.slice(0, 4), "--by", " ", ...decision.slice(6)]); // as make passes an unset BY
  expect([blank.code, blank.stderr.split("\n")[0]]).toEqual([2, "say who decides"]);
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toMatchObject({ state: "FAILED", bankReference: "" });
}, COMMANDS_MS);

it("through make, records the reason as typed: a $, a $(...), quotes and backticks are text, not make's or the shell's", async () => {
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({ referenceNumber: `SEM${Date.now()}`, clientReferenceNo: `SEM-${Date.now()}`, amount: "42000", sentAt, leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt });
  expect(await ledger.insert(record)).toBe("inserted");
  await ledger.transition((await ledger.findByReferenceNumber(record.referenceNumber))!, "MANUAL_REVIEW", { reviewReason: "unresolved" }, new Date());
  const reason = "refund of $100 `date` $(shell echo made) \"desk\" it's ${HOME}";
  // -o: never (re)install packages under the running tests, whatever the state of the install marker.
  await promisify(execFile)("make", ["-s", "-o", "node_modules/.gerbang-installed", "settle", `REF=${record.referenceNumber}`, "STATE=FAILED", "BY=ops$1", `REASON=${reason}`], {
    cwd: repoRoot, env: { ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DATABASE: connection.name, LOG_LEVEL: "silent" }, timeout: 60_000,
  });
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toMatchObject({ state: "FAILED", settledBy: { operator: "ops$1", reason } });
}, COMMANDS_MS);
