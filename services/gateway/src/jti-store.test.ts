import type { Connection } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { CLOCK_SKEW_MARGIN_MS, createJtiStore, JTI_PURGE_INTERVAL_MS as BUCKET } from "./jti-store";

// Used jtis against the real embedded database: first use wins, and the purge never forgets a
// jti while its token is still accepted.

let connection: Connection;
beforeAll(async () => {
  connection = await connectTestDatabase("gw_jti");
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE + 10 * MINUTE; // a minute boundary in the future
const at = (ms: number) => new Date(T0 + ms);
/** A purge by a clock at T0 + ms, as far as the margin for other instances' clocks allows. */
const purgeAt = (ms: number) => at(ms + CLOCK_SKEW_MARGIN_MS);

describe("jti store", () => {
  it("records a jti once per client: a second claim is a replay", async () => {
    const store = await createJtiStore(connection);
    expect(await store.claim("3", "once", at(MINUTE))).toBe(true);
    expect(await store.claim("3", "once", at(MINUTE))).toBe(false);
    expect(await store.claim("4", "once", at(MINUTE))).toBe(true); // another app's jti space
  });

  it("admits exactly one of many claims of one jti made at once (they share a grouped insert)", async () => {
    const store = await createJtiStore(connection);
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim("3", "raced", at(MINUTE))));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it("purges by whole buckets, never before the token stops being accepted", async () => {
    const store = await createJtiStore(connection);
    await store.claim("3", "mid-first", at(BUCKET / 2));
    await store.claim("3", "end-first", at(BUCKET));
    await store.claim("3", "mid-second", at(BUCKET + BUCKET / 2));
    const stillUsed = async (jti: string) => !(await store.claim("3", jti, at(10 * BUCKET)));

    await store.purgeExpired(purgeAt(BUCKET / 4)); // the first purge sweeps everything by expiresAt
    expect([await stillUsed("mid-first"), await stillUsed("end-first"), await stillUsed("mid-second")]).toEqual([true, true, true]);

    await store.purgeExpired(purgeAt(BUCKET - 1)); // the first bucket has not ended
    expect(await stillUsed("mid-first")).toBe(true);

    await store.purgeExpired(purgeAt(BUCKET)); // the first bucket is over; mid-second is still accepted
    expect(await stillUsed("mid-second")).toBe(true);
    // stillUsed() claimed these again: a purged jti is free, so the claim succeeded.
    expect(await stillUsed("mid-first")).toBe(false);
    expect(await stillUsed("end-first")).toBe(false);
  });

  it("keeps a jti while an instance whose clock runs behind by up to the margin still accepts its token", async () => {
    const store = await createJtiStore(connection);
    await store.claim("3", "skewed", at(0));
    // This instance's clock is 50 s ahead: the token expired 50 s ago here, but not elsewhere.
    await store.purgeExpired(at(50_000)); // full sweep
    await store.purgeExpired(at(59_000)); // by buckets
    expect(await store.claim("3", "skewed", at(MINUTE))).toBe(false);
  });

  it("the first purge of a process also removes entries from before the purge worked by bucket", async () => {
    await connection.collection("used_jtis").insertOne({ clientId: "3", jti: "old-shape", expiresAt: at(-MINUTE) });
    const store = await createJtiStore(connection);
    expect(await store.purgeExpired(purgeAt(0))).toBeGreaterThanOrEqual(1);
    expect(await store.claim("3", "old-shape", at(MINUTE))).toBe(true);
  });

  it("a late purge still covers the buckets it missed", async () => {
    const store = await createJtiStore(connection);
    await store.purgeExpired(purgeAt(20 * MINUTE)); // full sweep
    await store.claim("3", "ends-21:30", at(21 * MINUTE + 30_000));
    expect(await store.purgeExpired(purgeAt(60 * MINUTE))).toBeGreaterThanOrEqual(1); // 40 minutes late
    expect(await store.claim("3", "ends-21:30", at(70 * MINUTE))).toBe(true);
  });
});
