import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot, type Connection } from "@gerbang/shared";
import { testDatabaseUri } from "../test/database";
import { COMMANDS_MS, runLedgerCommand } from "../test/ledger-command";
import { crashedTransfer, startHarness, type Harness } from "../services/gateway/src/gateway-harness";
import { createTransferStore, type TransferRecord, type TransferStore } from "../services/gateway/src/transfer-store";

// `scripts/settle.ts` as a real process on a test database whose partners are fake bank services on
// loopback (each with its own ledger and status inquiry): what an operator types, what it prints,
// its exit codes; the rules themselves are tested in services/gateway/src/operator-settle.test.ts.

let h: Harness;
let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  h = await startHarness("settle_command");
  connection = h.connection;
  ledger = await createTransferStore(connection);
});
afterAll(async () => { await h.close(); });

const settleCommand = (args: string[]) => runLedgerCommand("settle.ts", args, connection.name, { GATEWAY_BANK_DEADLINE_MS: "2000" });

let seq = 0;
/** A transfer to BCA (014) the resolver gave up on, in MANUAL_REVIEW. */
async function inReview(prefix: string): Promise<TransferRecord> {
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({ referenceNumber: `${prefix}${Date.now()}${++seq}`, clientReferenceNo: `${prefix}-${Date.now()}-${seq}`, amount: "42000", sentAt, leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt });
  expect(await ledger.insert(record)).toBe("inserted");
  return (await ledger.transition((await ledger.findByReferenceNumber(record.referenceNumber))!, "MANUAL_REVIEW", { reviewReason: "unresolved" }, new Date()))!;
}

it("settles a transfer in MANUAL_REVIEW once, refuses it after (exit 1), and refuses bad arguments (exit 2)", async () => {
  const record = await inReview("SET");
  const decision = ["--reference", record.referenceNumber, "--state", "FAILED", "--by", "siti.ops", "--reason", "BCA statement: no debit"];

  const settled = await settleCommand(decision);
  expect(settled).toMatchObject({
    code: 0,
    stdout: `settled ${record.referenceNumber} (client 3, ${record.clientReferenceNo}, 42000 to 014/0201245681) as FAILED, by siti.ops: BCA statement: no debit\nthe banks said just before: 014#1 NOT_FOUND (404)\n`,
  });
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

it("asks the bank first, and refuses (exit 1, nothing changed) a decision it contradicts: FAILED over a booking, SUCCESS under another reference", async () => {
  const record = await inReview("SEB");
  h.banks["014"].settle(record.referenceNumber, 1, "SUCCESS"); // booked since the resolver last asked
  const failed = await settleCommand(["--reference", record.referenceNumber, "--state", "FAILED", "--by", "siti.ops", "--reason", "BCA desk yesterday: no debit"]);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toBe(`refused, nothing changed: FAILED for transfer ${record.referenceNumber} is refused on what the bank says now: the bank booked it: 014#1 SUCCESS (00), reference J-${record.referenceNumber}-1\nthe banks said just before: 014#1 SUCCESS (00)\n`);
  const typo = await settleCommand(["--reference", record.referenceNumber, "--state", "SUCCESS", "--by", "siti.ops", "--reason", "BCA desk: booked", "--bank-reference", "J-TYPO"]);
  expect(typo.code).toBe(1);
  expect(typo.stderr).toMatch(/has reference "J-SEB\d+-1", not "J-TYPO"/);
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toEqual(record);
  const right = await settleCommand(["--reference", record.referenceNumber, "--state", "SUCCESS", "--by", "siti.ops", "--reason", "BCA desk: booked", "--bank-reference", `J-${record.referenceNumber}-1`]);
  expect(right).toMatchObject({ code: 0, stdout: expect.stringMatching(/as SUCCESS, by siti\.ops: BCA desk: booked\nthe banks said just before: 014#1 SUCCESS \(00\)\n$/) as string });
}, COMMANDS_MS);

it("settles FAILED over an attempt the bank still answers PENDING only with --never-booked yes, kept on the transfer; any other value is a usage error", async () => {
  const record = await inReview("SEP");
  h.banks["014"].settle(record.referenceNumber, 1, "PENDING"); // e.g. BCA's refunded (04), which its service answers PENDING
  const decision = ["--reference", record.referenceNumber, "--state", "FAILED", "--by", "siti.ops", "--reason", "BCA desk: refunded, will not book"];
  const refused = await settleCommand(decision);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/refused on what the bank says now: the bank still has it pending: 014#1 PENDING .*NEVER_BOOKED=yes\)\nthe banks said just before: 014#1 PENDING/);
  expect((await settleCommand([...decision, "--never-booked", "no"])).code).toBe(2);
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toEqual(record);
  const settled = await settleCommand([...decision, "--never-booked", "yes"]);
  expect(settled.code).toBe(0);
  expect(settled.stdout).toMatch(new RegExp(`^settled ${record.referenceNumber} .* as FAILED, by siti.ops, over the bank's answers 014#1 PENDING.*: BCA desk: refunded, will not book\n`));
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toMatchObject({ state: "FAILED", settledBy: { overBankAnswers: expect.stringMatching(/^014#1 PENDING/) as string } });
}, COMMANDS_MS);

it("through make, records the reason as typed: a $, a $(...), quotes and backticks are text, not make's or the shell's", async () => {
  const record = await inReview("SEM");
  const reason = "refund of $100 `date` $(shell echo made) \"desk\" it's ${HOME}";
  // -o: never (re)install packages under the running tests, whatever the state of the install marker.
  await promisify(execFile)("make", ["-s", "-o", "node_modules/.gerbang-installed", "settle", `REF=${record.referenceNumber}`, "STATE=FAILED", "BY=ops$1", `REASON=${reason}`], {
    cwd: repoRoot, env: { ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DATABASE: connection.name, LOG_LEVEL: "silent" }, timeout: 60_000,
  });
  expect(await ledger.findByReferenceNumber(record.referenceNumber)).toMatchObject({ state: "FAILED", settledBy: { operator: "ops$1", reason } });
}, COMMANDS_MS);
