import { createLogger, readServerClock, type Connection, type ServerClockReading } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { CLOCK_OFFSET_LIMIT_MS, clockOffset, clockProblem, watchClock } from "./clock-check";

describe("clock offset from the database server's clock", () => {
  it("takes the reading with the shortest round trip, and half that trip as its uncertainty", () => {
    const readings: ServerClockReading[] = [
      { sentAt: 1_000, serverTime: 1_900, receivedAt: 1_040 }, // 40 ms round trip
      { sentAt: 2_000, serverTime: 2_802, receivedAt: 2_004 }, // 4 ms: kept
      { sentAt: 3_000, serverTime: 3_000, receivedAt: 3_400 },
    ];
    // This host read 2,002 at the middle of the trip, the server 2,802: this host is 800 ms behind.
    expect(clockOffset(readings)).toEqual({ offsetMs: -800, uncertaintyMs: 3 });
  });

  it("is a problem only when beyond the limit even at its most favourable reading", () => {
    expect(clockProblem({ offsetMs: CLOCK_OFFSET_LIMIT_MS + 10, uncertaintyMs: 20 })).toBeUndefined();
    expect(clockProblem({ offsetMs: -(CLOCK_OFFSET_LIMIT_MS + 10), uncertaintyMs: 5 })).toMatch(/^this host's clock is -510 ms \(±5\) off the database server's, more than the 500 ms leases allow/);
    expect(clockProblem({ offsetMs: 3, uncertaintyMs: 1 })).toBeUndefined();
  });

  it("reports the offset and logs an error past the limit; a failed reading is only a warning", async () => {
    const logged: { level: string; fields: Record<string, unknown> }[] = [];
    const logger = createLogger("test", "silent");
    logger.error = (fields: Record<string, unknown>) => { logged.push({ level: "error", fields }); };
    logger.warn = (fields: Record<string, unknown>) => { logged.push({ level: "warn", fields }); };
    const reported: number[] = [];
    let serverAhead = 2_000;
    const read = () => {
      const now = Date.now();
      if (serverAhead < 0) return Promise.reject(new Error("database down"));
      return Promise.resolve({ sentAt: now, serverTime: now + serverAhead, receivedAt: now });
    };
    const watch = watchClock({ read, logger, report: (seconds) => { reported.push(seconds); } });
    await watch.check();
    serverAhead = 0;
    await watch.check();
    serverAhead = -1;
    await watch.check();
    watch.stop();
    expect(reported).toEqual([-2, 0, Number.NaN]);
    expect(logged.map((l) => [l.level, l.fields.alert, l.fields.offsetMs])).toEqual([["error", "clock-offset", -2_000], ["warn", undefined, undefined]]);
  });
});

describe("the database server's clock (real embedded database)", () => {
  let connection: Connection;
  beforeAll(async () => { connection = await connectTestDatabase("clock"); });
  afterAll(async () => { await connection.close(); });

  it("is read from hello and agrees with this host's (one machine)", async () => {
    const reading = await readServerClock(connection);
    expect(reading.receivedAt).toBeGreaterThanOrEqual(reading.sentAt);
    expect(clockProblem(clockOffset([reading]))).toBeUndefined();
  });
});
