import { randomBytes } from "node:crypto";
import { connectDatabase, groupedInsert } from "@gerbang/shared";
import { closedLoop, openLoop } from "./load/drivers";
import type { LoadResult } from "./load/stats";
import { usedJtiEntry } from "../services/gateway/src/jti-store";
import { sampleMemory } from "./memory";

/**
 * The ceiling the database sets on the full path, measured without any service: the ledger's
 * write pattern per transfer on its own (insert the jti, insert the transfer, one conditional
 * update of it by _id and revision; the inserts grouped as the gateway groups them), driven
 * closed-loop from this process. Whatever the mesh does, it cannot record more transfers per
 * second than this. At the full path's target rate it also runs open loop: the latency the
 * database alone gives at that rate is a floor under the full path's there.
 */
export type DbCeiling = DbLoad & {
  /** Ledger write sets per second (3 writes each). */
  transfersPerSecond: number;
  /** Writes per second (3 per set; under concurrency the inserts share commands, so fewer round trips). */
  writesPerSecond: number;
  /** Latency of one whole set (3 sequential round trips), ms. */
  latency: LoadResult;
  /** CPU time of the database process per set, µs. */
  dbCpuMicrosPerSet?: number;
};

/** How a row was driven: closed loop with sets at once, or open loop at sets offered per second (the full path's throughput target). */
type DbLoad = { concurrency: number; rate?: undefined } | { rate: number; concurrency?: undefined };

export async function measureDbCeiling(uri: string, dbName: string, loads: { concurrencies: number[]; targetRate: number }, seconds: number, dbPid?: number): Promise<DbCeiling[]> {
  const connection = await connectDatabase({ uri, dbName });
  try {
    const jtis = connection.collection("bench_jtis");
    const transfers = connection.collection<{ _id: string; rev: number; state: string; body: string }>("bench_transfers");
    await jtis.createIndexes([{ key: { clientId: 1, jti: 1 }, unique: true }, { key: { purgeFrom: 1 } }]); // as the gateway's used_jtis
    // Grouped as the gateway groups them: inserts that arrive while one is in flight share a command.
    const insertJti = groupedInsert(jtis);
    const insertTransfer = groupedInsert(transfers);
    const run = randomBytes(3).toString("hex");
    let n = 0;
    const body = "x".repeat(900); // about the size of a transfer document
    const oneTransfer = async (): Promise<true | string> => {
      const id = `DB${run}${++n}`;
      if (await insertJti(usedJtiEntry("3", id, new Date(Date.now() + 300_000))) !== "inserted") return "jti duplicate";
      if (await insertTransfer({ _id: id, rev: 0, state: "SENDING", body }) !== "inserted") return "transfer duplicate";
      const updated = await transfers.findOneAndUpdate({ _id: id, rev: 0 }, { $set: { state: "SUCCESS", rev: 1 } }, { returnDocument: "after" });
      return updated !== null || "update matched nothing";
    };
    await closedLoop(oneTransfer, Math.max(...loads.concurrencies), 1); // warm-up: pool, SQLite tables
    const measure = async (load: DbLoad, drive: () => Promise<LoadResult>): Promise<DbCeiling> => {
      const usage = sampleMemory({ database: dbPid });
      const latency = await drive();
      const cpuMs = usage.finish().cpuMs.database;
      return {
        ...load, transfersPerSecond: latency.throughput, writesPerSecond: Math.round(latency.throughput * 3), latency,
        ...(cpuMs === undefined ? {} : { dbCpuMicrosPerSet: Math.round((cpuMs * 1000) / Math.max(1, latency.requests)) }),
      };
    };
    const out: DbCeiling[] = [];
    for (const concurrency of loads.concurrencies) out.push(await measure({ concurrency }, () => closedLoop(oneTransfer, concurrency, seconds)));
    if (loads.targetRate > 0) out.push(await measure({ rate: loads.targetRate }, () => openLoop(oneTransfer, loads.targetRate, seconds)));
    return out;
  } finally {
    await connection.close();
  }
}

/** "concurrency 16" or "offered 500/s": how a row was driven. */
export const dbLoad = (d: DbCeiling) => (d.rate === undefined ? `concurrency ${d.concurrency}` : `offered ${d.rate}/s`);
