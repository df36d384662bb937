import { randomBytes } from "node:crypto";
import { connectDatabase } from "@gerbang/shared";
import { createJtiStore } from "../services/gateway/src/jti-store";
import { createTransferStore, type TransferRecord } from "../services/gateway/src/transfer-store";
import { sampleMemory } from "./memory";
import { summarise } from "./load/stats";

/**
 * What each of a transfer's database commands costs the embedded database when sent alone
 * (one at a time: nothing grouped, nothing queued), through the gateway's own stores and on
 * transfer documents shaped as the gateway writes them. The "database alone" figure says how
 * many transfers the database can record; this one says which command its time goes to, and
 * so where a database-side optimisation would pay.
 */
export interface DbCommandCost {
  command: string;
  count: number;
  /** CPU time of the database process per command, µs. */
  dbCpuMicros?: number;
  /** The database's CPU while idle (subtracted above), ms per second. */
  idleCpuMsPerSecond: number;
  /** Latency the caller sees, ms. */
  p50Ms: number;
  p99Ms: number;
}

/** Sends one command for a record (the i-th); false when it did not do what it does for a transfer. */
type Send = (record: TransferRecord, i: number) => Promise<boolean>;

const OWNER = "bench-db-commands";
const IDLE_SAMPLE_MS = 2000;

export async function measureDbCommands(uri: string, dbName: string, count: number, dbPid?: number): Promise<DbCommandCost[]> {
  const connection = await connectDatabase({ uri, dbName });
  try {
    const db = connection.db;
    if (db === undefined) throw new Error("database connection has no handle");
    const jtis = await createJtiStore(connection);
    const ledger = await createTransferStore(connection);
    const run = randomBytes(3).toString("hex");
    const records: TransferRecord[] = Array.from({ length: count }, (_, i) => transferRecord(`CMD${run}${i}`, new Date()));
    const expires = new Date(Date.now() + 300_000);
    // In the order a transfer sends them; the transition moves each record inserted above.
    // Each must do what it does for a transfer: a command that failed would be measured as cheap.
    const commands: [string, Send][] = [
      ["ping (the floor of any command)", async () => (await db.command({ ping: 1 })).ok === 1],
      ["jti claim (insert)", (_, i) => jtis.claim("3", `${run}-${i}`, expires)],
      ["transfer insert (durable before the bank call)", async (record) => await ledger.insert(record) === "inserted"],
      ["transfer read by _id (GetTransfer, replays)", async (record) => await ledger.findByReference("3", record.referenceNumber) !== undefined],
      ["transition with the bank's answer (findAndModify: compare-and-set on _id and revision)",
        async (record) => await ledger.transition(record, "SUCCESS", successPatch(new Date()), new Date(), OWNER) !== undefined],
    ];
    for (let i = 0; i < 50; i++) await db.command({ ping: 1 }); // warm-up: pool, JIT
    // The system is running: its services' own database work (the resolver's scans, registry
    // reloads) and the database's leftovers (Go's GC) go on meanwhile. Measured idle, subtracted.
    const idleCpuMsPerSecond = dbPid === undefined ? 0 : await idleCpuRate(dbPid, IDLE_SAMPLE_MS);
    const out: DbCommandCost[] = [];
    for (const [command, send] of commands) out.push(await timeCommand(command, records, send, idleCpuMsPerSecond, dbPid));
    return out;
  } finally {
    await connection.close();
  }
}

/** Sends the command once per record, in turn; the database's CPU beyond its idle rate, per command. */
async function timeCommand(command: string, records: TransferRecord[], send: Send, idleCpuMsPerSecond: number, dbPid: number | undefined): Promise<DbCommandCost> {
  const usage = sampleMemory({ database: dbPid });
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (const [i, record] of records.entries()) {
    const t = process.hrtime.bigint();
    if (!await send(record, i)) throw new Error(`${command}: command ${i} did not do its work`);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const stats = summarise(latencies, 0, Number(process.hrtime.bigint() - started) / 1e9);
  const cpuMs = usage.finish().cpuMs.database;
  const busyMs = cpuMs === undefined ? undefined : cpuMs - idleCpuMsPerSecond * stats.durationSeconds;
  return {
    command, count: records.length, p50Ms: stats.p50, p99Ms: stats.p99, idleCpuMsPerSecond,
    ...(busyMs === undefined ? {} : { dbCpuMicros: Math.max(0, Math.round((busyMs * 1000) / records.length)) }),
  };
}

async function idleCpuRate(pid: number, ms: number): Promise<number> {
  const usage = sampleMemory({ database: pid });
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpuMs = usage.finish().cpuMs.database;
  return cpuMs === undefined ? 0 : Math.round((cpuMs * 1000) / ms) / 1000;
}

/** A transfer as the gateway first records it (transfer-service.ts newRecord): SENDING, attempt 1, leased. */
function transferRecord(referenceNumber: string, now: Date): TransferRecord {
  const leaseUntil = new Date(now.getTime() + 30_000);
  return {
    referenceNumber, clientId: "3", clientReferenceNo: `${referenceNumber}-app`, fingerprint: randomBytes(32).toString("hex"),
    beneficiaryBankCode: "009", beneficiaryBankName: "BNI", beneficiaryAccountNumber: "0115476119", beneficiaryAccountName: "ERRY JULIO",
    amount: "10000", currency: "IDR", remark: "", sourceAccountNumber: "0115476151", sourceAccountName: "GERBANG ESCROW",
    route: { bankCode: "009", usage: "TRANSFER", reason: "partner bank" }, state: "SENDING",
    attempts: [{ attempt: 1, partnerBankCode: "009", usage: "TRANSFER", transactionDate: now.toISOString().slice(0, 10), sentAt: now }],
    bankReference: "", bankResponseCode: "", bankResponseMessage: "",
    leaseOwner: OWNER, leaseUntil, nextCheckAt: leaseUntil, createdAt: now, updatedAt: now,
  };
}

/** The patch settle.ts writes for a final answer. */
function successPatch(now: Date) {
  const bankReference = randomBytes(8).toString("hex");
  return {
    answer: { attempt: 1, answeredAt: now, outcome: "SUCCESS" as const, bankRequestId: randomBytes(8).toString("hex"), bankCode: "0", bankMessage: "Success", bankReference },
    bankResponseCode: "0", bankResponseMessage: "Success", bankReference, lease: null, nextCheckAt: null, checks: 0,
  };
}
